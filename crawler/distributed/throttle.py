"""Downloader middleware: per-domain politeness across all workers, with a slot in Redis.

Active only in worker mode (NEWSPIPE_REDIS_URL set; `NotConfigured` otherwise). Reads
NEWSPIPE_REDIS_URL, NEWSPIPE_REDIS_PREFIX, DOWNLOAD_DELAY and DOWNLOAD_SLOTS (per-host
`delay`, which the sources' `delay` fills in), NEWSPIPE_REDIS_THROTTLE_MAX_WAIT and
NEWSPIPE_REDIS_SOCKET_TIMEOUT.

Scrapy's download delay holds per process; with N workers a site would see N times the
rate. Before each download the request takes the site's slot, `SET <slot key> NX PX
<delay ms>`: whoever sets it may go; the others wait for the key's remaining life (PTTL)
and try again. So two requests to one site, from any workers, start at least `delay`
apart. Sites with no delay are not throttled. The slot is Scrapy's downloader slot key
(the hostname, or `meta["download_slot"]`), so it matches DOWNLOAD_SLOTS.

While Redis is away (`crawler.distributed.outage.RedisLink`, which the worker's scheduler
probes) the delay is kept per process, as Scrapy's own download delay would: every request
still goes, `delay` apart from this worker's previous one to the site.
Stats: newspipe/distributed/throttle/{waits,gave_up,local}.
Redis and scrapy-redis are imported only in worker mode: a crawl without Redis loads this module to
find it not configured, and importing redis is about a tenth of a CPU second of its start-up.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawler import settings as defaults
from crawler.distributed.keys import JobKeys, worker_id_for

try:
    from scrapy.utils.asyncio import sleep
except ImportError:  # Scrapy < 2.18
    from crawler.middlewares import sleep  # type: ignore[attr-defined,no-redef]

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

    from crawler.distributed.outage import RedisLink

logger = logging.getLogger(__name__)


class RedisThrottle:
    """The slot logic, without Scrapy: `try_acquire` says how long to wait (0: go now)."""

    def __init__(self, server: Redis, keys: JobKeys, owner: str = "worker") -> None:
        self.server = server
        self.keys = keys
        self.owner = owner

    def try_acquire(self, slot: str, delay: float) -> float:
        """Take `slot` for `delay` seconds; 0.0 when taken, else the seconds until it frees."""
        if delay <= 0:
            return 0.0
        key = self.keys.throttle(slot)
        if self.server.set(key, self.owner, nx=True, px=max(1, int(delay * 1000))):
            return 0.0
        remaining = int(self.server.pttl(key))
        if remaining == -1:  # a key without expiry (set by hand?): would block forever
            self.server.pexpire(key, max(1, int(delay * 1000)))
            remaining = int(delay * 1000)
        return max(remaining, 1) / 1000.0


class RedisThrottleMiddleware:
    def __init__(
        self,
        throttle: RedisThrottle,
        default_delay: float,
        slot_delays: dict[str, float],
        stats: StatsCollector,
        crawler: Crawler | None = None,
        max_wait: float = 600.0,
        link: RedisLink | None = None,
    ) -> None:
        self.throttle = throttle
        self.default_delay = default_delay
        self.slot_delays = slot_delays
        self.stats = stats
        self.crawler = crawler
        self.max_wait = max_wait
        if link is None:
            from crawler.distributed.outage import RedisLink  # worker mode only: see the module docstring

            link = RedisLink("redis")
        self.link = link
        self._local_free: dict[str, float] = {}  # slot -> monotonic time it frees, while Redis is away

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisThrottleMiddleware:
        settings = crawler.settings
        url = settings.get("NEWSPIPE_REDIS_URL")
        if not url:
            # Off by default; no message, or Scrapy warns on every run (not a distributed worker (NEWSPIPE_REDIS_URL unset)).
            raise NotConfigured
        from scrapy_redis.connection import get_redis  # worker mode only: see the module docstring

        from crawler.distributed.outage import RedisLink, client_params

        slot_delays: dict[str, float] = {}
        for host, slot in settings.getdict("DOWNLOAD_SLOTS").items():
            if isinstance(slot, dict) and slot.get("delay") is not None:
                slot_delays[str(host)] = float(slot["delay"])
        throttle = RedisThrottle(get_redis(url=url, **client_params(settings)), JobKeys.from_settings(settings), worker_id_for(settings))
        return cls(
            throttle,
            settings.getfloat("DOWNLOAD_DELAY"),
            slot_delays,
            crawler.stats,
            crawler,
            settings.getfloat("NEWSPIPE_REDIS_THROTTLE_MAX_WAIT", defaults.NEWSPIPE_REDIS_THROTTLE_MAX_WAIT),
            RedisLink.for_crawler(crawler),
        )

    def slot_of(self, request: Request) -> str:
        try:
            downloader = self.crawler.engine.downloader if self.crawler is not None else None
        except (AttributeError, RuntimeError):  # no engine yet (not crawling)
            downloader = None
        if downloader is not None and hasattr(downloader, "get_slot_key"):
            return str(downloader.get_slot_key(request))
        return str(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")

    def delay_for(self, slot: str) -> float:
        return self.slot_delays.get(slot, self.default_delay)

    async def process_request(self, request: Request) -> Any:
        slot = self.slot_of(request)
        delay = self.delay_for(slot)
        if delay <= 0:
            return None
        waited = 0.0
        local = False
        while True:
            wait = self.link.call(partial(self.throttle.try_acquire, slot, delay), None)
            if wait is None:  # Redis away
                if not local:
                    local = True
                    self.stats.inc_value("newspipe/distributed/throttle/local")
                wait = self._local_wait(slot, delay)
            if wait <= 0:
                return None
            if waited >= self.max_wait:
                # Never stall a worker forever on a stuck key; say so and go.
                self.stats.inc_value("newspipe/distributed/throttle/gave_up")
                logger.warning("politeness slot %s still taken after %.0fs; fetching %s anyway", slot, waited, request.url)
                return None
            self.stats.inc_value("newspipe/distributed/throttle/waits")
            await sleep(wait)
            waited += wait

    def _local_wait(self, slot: str, delay: float) -> float:
        """This process's slot, while Redis is away: 0.0 when taken, else the seconds until it frees."""
        now = time.monotonic()
        free = self._local_free.get(slot, 0.0)
        if free <= now:
            self._local_free[slot] = now + delay
            return 0.0
        return free - now
