"""How many sources start at once: a window of sources whose seeds (feeds, sitemaps, sections) are in flight.

Scrapy takes start requests as fast as `start()` gives them, and its scheduler
(DownloaderAwarePriorityQueue) serves download slots round-robin, one request per slot per turn.
With every source's seeds queued at once, an article found by the first feed waits for a turn
behind the seeds of all the other sources: 32 s at 1,000 sources, 78 s at 10,000. Starting the
next source only when a place in the window is free (a seed of an earlier one answered, or failed,
or was dropped), or when the downloader has room to spare, keeps the turn short whatever the
number of sources, so articles flow as soon as their feed is read; each host's own delay and
concurrency still hold (download slots).

Reads NEWSPIPE_START_WINDOW (0: CONCURRENT_REQUESTS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

# Seconds between looks at the downloader while the window is full (a seed may also end unseen).
RECHECK_SECONDS = 0.25
WINDOW_META = "newspipe_start_window"


class StartWindow:
    def __init__(self, size: int, needs_backout: Any = None) -> None:
        self.size = max(1, size)
        self.pending = 0
        self._needs_backout = needs_backout  # the engine's: no room in the downloader
        self._wake: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StartWindow:
        size = crawler.settings.getint("NEWSPIPE_START_WINDOW") or crawler.settings.getint("CONCURRENT_REQUESTS")
        window = cls(size, needs_backout=lambda: crawler.engine.needs_backout())
        crawler.signals.connect(window.request_dropped, signal=signals.request_dropped)
        return window

    def opened(self, request: Request) -> Request:
        """Count a seed request as in flight (until `closed` is called for it)."""
        self.pending += 1
        request.meta[WINDOW_META] = True
        return request

    def closed(self, request: Request | None) -> None:
        """A seed came back (answered or failed): its place is free. Once per request."""
        if request is None or not request.meta.pop(WINDOW_META, False):
            return
        self.pending = max(0, self.pending - 1)
        self._wake_up()

    def request_dropped(self, request: Request, **_: Any) -> None:
        self.closed(request)  # e.g. a seed URL shared by two sources: the duplicate filter drops one

    async def wait_for_room(self) -> None:
        """Return when another source may start."""
        from twisted.internet import reactor  # the running one (installed by Scrapy before start())

        while self.pending >= self.size:
            if self._needs_backout is not None and not self._needs_backout():
                return  # the downloader is idle enough: use it
            self._wake = Deferred()
            timer = reactor.callLater(RECHECK_SECONDS, self._wake_up)  # type: ignore[attr-defined]
            await maybe_deferred_to_future(self._wake)
            if timer.active():
                timer.cancel()

    def _wake_up(self) -> None:
        wake, self._wake = self._wake, None
        if wake is not None:
            wake.callback(None)
