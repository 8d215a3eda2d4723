"""Item pipeline: settle each article's canonical URL and fingerprint, drop repeats early.

Reads NEWSPIPE_DATABASE_URL (through `crawler.database`). The canonical URL is the
page's own rel=canonical when it stays on the site; a canonical on another domain
is syndication evidence (`syndicated_from`), and the copy keeps its own URL.
Repeats of a URL within the run (`newspipe/dedup/same_url_in_run`) are dropped here.
URLs already in the database go on (counted as `newspipe/dedup/revisit`): the store
compares them with the stored version and keeps a new version when they changed. Copies
of a stored story under another URL go on too; the store puts them in its story.
"""

from __future__ import annotations

import logging

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem
from sqlalchemy.exc import SQLAlchemyError

from crawler.database import database_for
from pipelines.extraction import canonicalize_url
from pipelines.extraction.urls import same_site
from pipelines.fingerprint import content_hash
from storage.repository import ArticleRepository

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.items import Article


logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, sessions: sessionmaker[Session], stats: StatsCollector) -> None:
        self.sessions = sessions
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(database_for(crawler).sessions, crawler.stats)

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
        item.canonical_url = canonical
        item.alias_urls = sorted({u for u in (own_url, item.url, item.response_url) if u != canonical})
        item.content_hash = content_hash(record.body)

        urls = [canonical, item.url, item.response_url, *item.alias_urls]
        if any(u in self.seen for u in urls):
            self.stats.inc_value("newspipe/dedup/same_url_in_run")
            raise DropItem(f"already seen in this run as {canonical}", log_level="DEBUG")
        self.seen.update(urls)
        try:
            with self.sessions() as session:
                stored = ArticleRepository(session).known_urls(urls)
        except SQLAlchemyError as exc:
            # Only a statistic depends on it: the store decides (or spools) either way.
            self.stats.inc_value("newspipe/dedup/db_unavailable")
            logger.warning("database unavailable while checking %s: %s", canonical, exc)
            stored = set()
        if stored:
            # A revisit: the store decides whether the content changed.
            self.stats.inc_value("newspipe/dedup/revisit")
        return item
