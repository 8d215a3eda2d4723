"""A worker's view of its Redis server: up, or away since when; one log line when an outage starts
and one when it ends.

Reads NEWSPIPE_REDIS_URL (the address named in the log lines), NEWSPIPE_REDIS_RETRY_INTERVAL
(seconds between attempts while Redis is away) and NEWSPIPE_REDIS_SOCKET_TIMEOUT (seconds a
command may take before Redis counts as away; see `client_params`).

One `RedisLink` per crawler (`for_crawler`), shared by the scheduler, the worker spider and the
throttle middleware: the first of them to meet a connection error or timeout marks Redis away;
from then on the others do not try (a frozen server would block the reactor for the socket
timeout on every call) and hold their work in memory, while the scheduler's heartbeat thread
tries again every retry interval (`probe`); its first success ends the outage. Every failure
also bumps `epoch`: a command that timed out may still have run on the server (a frozen server
runs what it was sent once it wakes up), so whoever keeps state in Redis checks it again after
one (see `ReliableScheduler`).
Stats: newspipe/distributed/outages.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from urllib.parse import urlsplit

from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from crawler import settings as defaults

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What "Redis is away" looks like from redis-py; BusyLoadingError (a restarted server still
# loading its data) is a ConnectionError.
REDIS_AWAY = (RedisConnectionError, RedisTimeoutError)

_LINKS: weakref.WeakKeyDictionary[Any, RedisLink] = weakref.WeakKeyDictionary()


def client_params(settings: BaseSettings) -> dict[str, Any]:
    """redis-py client options for a worker (scrapy-redis's REDIS_PARAMS): a command that gets no
    answer within the socket timeout fails instead of blocking, and redis-py retries once, at
    once, and only a broken connection (a pooled socket the server closed when it restarted),
    not a timeout: retrying is `RedisLink`'s job, where holding the work is possible."""
    timeout = max(0.1, settings.getfloat("NEWSPIPE_REDIS_SOCKET_TIMEOUT", defaults.NEWSPIPE_REDIS_SOCKET_TIMEOUT))
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_timeout": False,
        "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    }


def address_of(url: str) -> str:
    """host:port of a Redis URL, without the credentials (for log lines)."""
    try:
        parts = urlsplit(url)
        return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
    except ValueError:
        return "(bad URL)"


class RedisLink:
    """Whether Redis answers, with the one-line-per-outage log; thread-safe."""

    def __init__(self, address: str, retry_interval: float = 5.0, stats: StatsCollector | None = None) -> None:
        self.address = address
        self.retry_interval = max(0.1, retry_interval)
        self.stats = stats
        self.epoch = 0  # failures so far: a command may have run without our seeing its reply
        self._down_since: float | None = None
        self._lock = threading.Lock()
        self._holding: list[Callable[[], int]] = []

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> RedisLink:
        """The crawler's link (made by whichever component asks first; the spider asks before the
        crawler has its stats, the scheduler sets them)."""
        link = _LINKS.get(crawler)
        if link is None:
            settings = crawler.settings
            link = cls(address_of(str(settings.get("NEWSPIPE_REDIS_URL") or "")), settings.getfloat("NEWSPIPE_REDIS_RETRY_INTERVAL", defaults.NEWSPIPE_REDIS_RETRY_INTERVAL))
            _LINKS[crawler] = link
        return link

    @property
    def up(self) -> bool:
        return self._down_since is None

    def holding(self, count: Callable[[], int]) -> None:
        """Register a count of requests held in memory while Redis is away (for the log lines)."""
        self._holding.append(count)

    def held(self) -> int:
        return sum(count() for count in self._holding)

    def call(self, command: Callable[[], T], default: T) -> T:
        """`command()`, or `default` when Redis is away (already, or now: then the outage starts).
        While it is away nothing is tried: only `probe` tries."""
        if not self.up:
            return default
        return self.probe(command, default)

    def probe(self, command: Callable[[], T], default: T) -> T:
        """`command()` even while Redis is away; a success ends the outage."""
        try:
            result = command()
        except REDIS_AWAY as exc:
            self.failed(exc)
            return default
        self.succeeded()
        return result

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.epoch += 1
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        if self.stats is not None:
            self.stats.inc_value("newspipe/distributed/outages")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        logger.warning("Redis at %s unreachable: %s; holding %d requests, retrying", self.address, reason, self.held())

    def succeeded(self) -> None:
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.warning("Redis at %s is back after %.0fs; sending %d held requests", self.address, time.monotonic() - since, self.held())
