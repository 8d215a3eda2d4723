"""Extension: count item pipeline errors, which Scrapy only logs, so that they fail the run.

An item pipeline that raises (anything but DropItem) is counted as `newspipe/item/error` and
`newspipe/item/error/<exception>`; `crawler.outcome` turns the count into exit code 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure


class ItemErrorCounter:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemErrorCounter:
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        return extension

    def item_error(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        self.stats.inc_value("newspipe/item/error")
        self.stats.inc_value(f"newspipe/item/error/{type(failure.value).__name__}")
