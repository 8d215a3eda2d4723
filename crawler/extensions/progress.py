"""Extension: a live progress display on the terminal while a crawl runs.

Reads NEWSPIPE_PROGRESS (off unless the CLI switches it on: `NotConfigured` otherwise).
Draws on stderr, so exports and JSON on stdout stay clean.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

ROWS = (
    ("pages fetched", "response_received_count"),
    ("archive records read", "newspipe/warc/records"),
    ("articles queued", "newspipe/discovery/articles"),
    ("new", "newspipe/store/new"),
    ("new versions", "newspipe/store/updated"),
    ("duplicates", "newspipe/store/duplicate"),
    ("not articles", "newspipe/extract/skipped"),
    ("spooled", "newspipe/store/spooled"),
    ("errors", "log_count/ERROR"),
)
RATE_KEYS = {"response_received_count", "newspipe/warc/records"}  # shown with a per-second rate


class ProgressDisplay:
    def __init__(self, stats: StatsCollector, interval: float = 0.5, console: Console | None = None) -> None:
        self.stats = stats
        self.interval = interval
        self.console = console or Console(stderr=True)
        self.live: Live | None = None
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressDisplay:
        if not crawler.settings.getbool("NEWSPIPE_PROGRESS"):
            # Off by default; no message, or Scrapy warns on every run (NEWSPIPE_PROGRESS is off).
            raise NotConfigured
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def render(self) -> Table:
        stats: dict[str, Any] = self.stats.get_stats()
        elapsed = time.monotonic() - self.started
        table = Table(title=f"newspipe crawling… {elapsed:,.0f}s", show_header=False, expand=False)
        table.add_column(justify="left")
        table.add_column(justify="right")
        table.add_column(justify="right", style="dim")
        for label, key in ROWS:
            value = int(stats.get(key, 0))
            if not value and key not in ("response_received_count", "newspipe/store/new", "log_count/ERROR"):
                continue  # rows that do not apply to this kind of run stay out of the way
            rate = f"{value / elapsed:,.1f}/s" if key in RATE_KEYS and elapsed > 0 else ""
            table.add_row(label, f"{value:,}", rate)
        return table

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.live = Live(self.render(), console=self.console, refresh_per_second=4, transient=True)
        self.live.start()
        self.loop = task.LoopingCall(self._refresh)
        self.loop.start(self.interval, now=False)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self.render())

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None
