"""AutoThrottle that keeps each source's own `delay`: it adapts only hosts without one.

Scrapy's AutoThrottle moves every download slot's delay between DOWNLOAD_DELAY and
AUTOTHROTTLE_MAX_DELAY after each response, so a source's `delay = 0` became 0.5 s (the
global DOWNLOAD_DELAY) after its first response, and a slow answer raised any source's delay
above what the sources file says. Here a slot with a `delay` in DOWNLOAD_SLOTS (which the
sources' `delay` fills in, see `crawler.spiders.options`) keeps that delay: after Scrapy's
adjustment, in the same signal dispatch, it is put back. Hosts without one are AutoThrottle's,
as in Scrapy (start delay capped by `crawler.spiders.options.cap_start_delay`).

Reads AUTOTHROTTLE_* (as Scrapy's extension) and DOWNLOAD_SLOTS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.throttle import AutoThrottle

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def fixed_delays(slots: dict[str, Any]) -> dict[str, float]:
    """Slot key -> its configured delay, for DOWNLOAD_SLOTS entries that have one."""
    return {
        str(key): float(value["delay"])
        for key, value in slots.items()
        if isinstance(value, dict) and value.get("delay") is not None
    }


class SourceAutoThrottle(AutoThrottle):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # raises NotConfigured when AUTOTHROTTLE_ENABLED is off
        self.fixed = fixed_delays(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        # Connected after AutoThrottle's own receiver, so it runs right after each adjustment.
        crawler.signals.connect(self.keep_source_delay, signal=signals.response_downloaded)

    def keep_source_delay(self, response: Response, request: Request, spider: Spider) -> None:
        key = request.meta.get("download_slot")
        delay = self.fixed.get(key) if key is not None else None
        if delay is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.delay = delay
