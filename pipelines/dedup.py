"""Item pipeline: settle each article's canonical URL and fingerprint, drop repeats early.

The Scrapy side of dedup (the rules and the shared index are in `dedup/`). Reads
NEWSPIPE_DEDUP_RECENT_URLS. The canonical URL is the page's own rel=canonical when it stays on
the site; a canonical on another domain is syndication evidence (`syndicated_from`), and
the copy keeps its own URL. Repeats of a URL within the run
(`newspipe/dedup/same_url_in_run`) are dropped here, as long as the URL is among the
NEWSPIPE_DEDUP_RECENT_URLS most recently seen: a run of any length then holds a bounded set
(a 100,000-record WARC import held every URL of the run). A repeat seen longer ago is not lost:
the store finds its URL stored and counts it as `newspipe/store/existing` (and `/revisit`),
without a second row. Everything else goes on to the store,
which looks the batch's URLs and hashes up in one query: a stored URL is a revisit (kept as
a new version when it changed, counted as `newspipe/store/revisit`), a copy of a stored
story under another URL joins that story (`dedup.stories`). No database query here: one per article cost a
tenth of a worker's time and only fed a statistic.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler import settings as defaults
from pipelines.extraction import canonicalize_url
from pipelines.extraction.domains import same_site
from dedup.fingerprint import content_hash

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import Article


class RecentUrls:
    """The `capacity` most recently seen URLs: membership like a set's, and the least recently
    seen forgotten first once it is full."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._urls: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, url: object) -> bool:
        return url in self._urls

    def __len__(self) -> int:
        return len(self._urls)

    def update(self, urls: Iterable[str]) -> None:
        for url in urls:
            self._urls[url] = None
            self._urls.move_to_end(url)
        while len(self._urls) > self.capacity:
            self._urls.popitem(last=False)


class DedupPipeline:
    def __init__(self, stats: StatsCollector, recent_urls: int = defaults.NEWSPIPE_DEDUP_RECENT_URLS) -> None:
        self.stats = stats
        self.seen = RecentUrls(recent_urls)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler.stats, crawler.settings.getint("NEWSPIPE_DEDUP_RECENT_URLS", defaults.NEWSPIPE_DEDUP_RECENT_URLS))

    def process_item(self, item: Article) -> Article:
        record = item.record
        assert record is not None, "DedupPipeline runs after ExtractPipeline"
        own_url = canonicalize_url(item.response_url)
        canonical = record.canonical_url or own_url
        if not same_site(canonical, own_url):
            record.syndicated_from = record.syndicated_from or canonical
            canonical = own_url
        if record.syndicated_from:
            record.syndicated_from = canonicalize_url(record.syndicated_from)
        record.canonical_url = canonical  # settled: storage writes the record as it is
        item.alias_urls = sorted({u for u in (own_url, item.url, item.response_url) if u != canonical})
        item.content_hash = content_hash(record.body)

        urls = [canonical, item.url, item.response_url, *item.alias_urls]
        if any(u in self.seen for u in urls):
            self.stats.inc_value("newspipe/dedup/same_url_in_run")
            raise DropItem(f"already seen in this run as {canonical}", log_level="DEBUG")
        self.seen.update(urls)
        return item
