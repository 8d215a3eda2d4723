"""The `backfill` spider: a source's past, for a date window, from its sitemaps and archive pages.

Sitemaps (declared, and from robots.txt) are walked with the window applied to
lastmod and news dates. Archive pages come from the source's `archives` URL templates
(`{year}`, `{month}`, `{day}`, zero-padded), one per day of the window, and are read
like section pages (article links and pagination). Spider arguments: the common
`sources`, `source`, `since` (required), `until` (default: today), and `days`
(comma-separated ISO dates: only these days' archive pages, for gap filling).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scrapy.http import Request

from crawler.sources import Source
from crawler.spiders.base import BaseNewsSpider
from crawler.spiders.options import split_list

logger = logging.getLogger(__name__)

MAX_DAYS = 3660  # ten years of daily archive pages per source is plenty for one run


def archive_urls(template: str, days: list[date]) -> list[str]:
    """The archive page URLs of a template for the given days, without repeats (monthly
    templates give one URL per month), in order."""
    urls: dict[str, None] = {}
    for day in days:
        urls.setdefault(template.format(year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}"), None)
    return list(urls)


class BackfillSpider(BaseNewsSpider):
    name = "backfill"
    kinds = ("sitemap",)

    def __init__(self, *args: Any, days: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.options.window.since is None:
            raise ValueError("a backfill needs a start date: -a since=YYYY-MM-DD")
        chosen = [date.fromisoformat(d) for d in split_list(days)]
        self.days = chosen or self._window_days()

    def _window_days(self) -> list[date]:
        first = self.options.window.since.date()  # type: ignore[union-attr]
        until = self.options.window.until or datetime.now(timezone.utc)
        last = until.date()
        count = (last - first).days + 1
        if count > MAX_DAYS:
            raise ValueError(f"the window spans {count} days; backfill at most {MAX_DAYS} per run")
        return [first + timedelta(days=i) for i in range(max(count, 0))]

    async def start(self) -> AsyncIterator[Any]:
        for source in self.options.sources:
            for request in self.discovery_requests(source):
                yield request
            for request in self.archive_requests(source):
                yield request

    def archive_requests(self, source: Source) -> Iterator[Request]:
        for template in source.archives:
            for url in archive_urls(template, self.days):
                self._section_pages[url] = 1
                yield self._discovery_request(url, "section", source, root=url, seed=True)
