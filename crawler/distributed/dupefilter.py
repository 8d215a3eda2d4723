"""A Redis duplicate filter whose memory is one enqueue cycle, shared by all workers.

Reads REDIS_URL (through scrapy-redis), NEWSPIPE_REDIS_PREFIX, NEWSPIPE_REDIS_JOB,
NEWSPIPE_REDIS_CYCLE_TTL (seconds a cycle's fingerprints are kept; default 7 days) and
DUPEFILTER_DEBUG.

Every `newspipe enqueue` starts a cycle (an id in each seed, carried to every request
derived from it in `meta["newspipe_cycle"]`). Within a cycle no URL is requested twice by
any worker; the next cycle may request the feeds, sitemaps and sections again, as the next
run of a single-process crawl would. Fingerprints are scrapy-redis's (method, canonical
URL, body) in the set `<dupefilter key>:<cycle>`, which expires; requests without a cycle
use the job's permanent set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler import settings as defaults
from crawler.distributed.keys import JobKeys

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider
    from scrapy.http import Request

CYCLE_META = "newspipe_cycle"
DEFAULT_CYCLE_TTL = defaults.NEWSPIPE_REDIS_CYCLE_TTL


class CycleDupeFilter(RFPDupeFilter):
    def __init__(self, server: Redis, key: str, debug: bool = False, cycle_ttl: int = DEFAULT_CYCLE_TTL) -> None:
        super().__init__(server, key, debug)
        self.cycle_ttl = cycle_ttl

    @classmethod
    def from_spider(cls, spider: Spider) -> CycleDupeFilter:
        settings = spider.settings
        return cls(
            get_redis_from_settings(settings),
            key=JobKeys.from_settings(settings).dupefilter,
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            cycle_ttl=settings.getint("NEWSPIPE_REDIS_CYCLE_TTL", defaults.NEWSPIPE_REDIS_CYCLE_TTL),
        )

    def key_for(self, request: Request) -> str:
        cycle = request.meta.get(CYCLE_META)
        return f"{self.key}:{cycle}" if cycle else self.key

    def request_seen(self, request: Request) -> bool:
        key = self.key_for(request)
        with self.server.pipeline() as pipe:
            pipe.sadd(key, self.request_fingerprint(request))
            if key != self.key:
                pipe.expire(key, self.cycle_ttl)
            added = pipe.execute()[0]
        return added == 0

    def clear(self) -> None:
        keys = [self.key, *self.server.scan_iter(match=f"{self.key}:*")]
        self.server.delete(*keys)
