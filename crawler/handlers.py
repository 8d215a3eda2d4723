"""Download handler: Scrapy's HTTP/1.1 handler, keeping enough connections alive for each source's concurrency.

Scrapy's handler keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host, but
newspipe gives each source its own concurrency (the sources file's `concurrency`, a
DOWNLOAD_SLOTS entry). A source allowed more requests at once than that had the extra
connections closed after every response and opened again for the next one: a TCP handshake
(and on https a TLS one) per page, on both ends. Here the pool keeps up to the largest
concurrency of any download slot. How many requests run at once is unchanged (the slots decide
that), so is politeness; a host never has more idle connections than it had requests running.
Reads CONCURRENT_REQUESTS_PER_DOMAIN and DOWNLOAD_SLOTS.

Scrapy has no public way to size this pool: HTTP11DownloadHandler builds its Twisted
HTTPConnectionPool in __init__ and keeps it in the private `_pool` (sized from
CONCURRENT_REQUESTS_PER_DOMAIN, which we cannot raise without raising every host's
concurrency). So this one module reads a private attribute, checked: if a Scrapy release
renames it, the handler logs a warning and keeps Scrapy's pool size, and
tests/test_handlers.py fails, instead of the change going unnoticed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def kept_alive_per_host(settings: BaseSettings) -> int:
    """Idle connections to keep per host: enough for the most concurrent download slot."""
    slots = settings.getdict("DOWNLOAD_SLOTS")
    largest = max((int(slot.get("concurrency") or 0) for slot in slots.values() if isinstance(slot, dict)), default=0)
    return max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), largest)


class PooledHTTPDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        pool = getattr(self, "_pool", None)  # private, no public equivalent (see the module docstring)
        if pool is None or not hasattr(pool, "maxPersistentPerHost"):
            logger.warning("Scrapy's HTTP/1.1 handler has no connection pool where newspipe expects it; keeping Scrapy's pool size")
            return
        pool.maxPersistentPerHost = kept_alive_per_host(crawler.settings)
