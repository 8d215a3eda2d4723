"""Item pipeline: make the article's dates consistent and apply the crawl's date window.

Reads NEWSPIPE_SINCE and NEWSPIPE_UNTIL. Fills a missing publication date from the
feed or sitemap hint, makes every date timezone-aware (naive means UTC), forgets
dates after the fetch time (plus a day of clock skew) and a modified date before
publication, and drops articles published outside the window
(`newspipe/dates/out_of_window`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler.discovery.window import Window

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import Article

CLOCK_SKEW = timedelta(days=1)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=timezone.utc)


class NormaliseDatesPipeline:
    def __init__(self, window: Window, stats: StatsCollector) -> None:
        self.window = window
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseDatesPipeline:
        # The spider's window includes its since/until arguments; settings are the fallback.
        spider_window = getattr(getattr(crawler.spider, "options", None), "window", None)
        window = spider_window if isinstance(spider_window, Window) else Window.parse(
            crawler.settings.get("NEWSPIPE_SINCE"), crawler.settings.get("NEWSPIPE_UNTIL")
        )
        return cls(window, crawler.stats)

    def process_item(self, item: Article) -> Article:
        record = item.record
        assert record is not None, "NormaliseDatesPipeline runs after ExtractPipeline"
        latest_plausible = item.fetched_at + CLOCK_SKEW
        published = _aware(record.published_at)
        if published is not None and published > latest_plausible:
            self.stats.inc_value("newspipe/dates/future_date_dropped")
            published = None
        if published is None and item.hint_published_at is not None:
            hint = _aware(item.hint_published_at)
            if hint is not None and hint <= latest_plausible:
                published, record.date_source = hint, "hint"
                from pipelines.extraction.dates import precision_of  # with the first such item: its patterns compile on import

                record.published_precision = precision_of(hint)
                self.stats.inc_value("newspipe/dates/from_hint")
        if published is None:
            record.date_source = None
            record.published_precision = None
            self.stats.inc_value("newspipe/dates/missing")
        record.published_at = published
        modified = _aware(record.modified_at)
        if modified is not None and (modified > latest_plausible or (published is not None and modified < published)):
            modified = None
        record.modified_at = modified
        if not self.window.contains(published):
            self.stats.inc_value("newspipe/dates/out_of_window")
            raise DropItem(f"published {published.isoformat() if published else '?'} is outside the crawl window", log_level="DEBUG")
        return item
