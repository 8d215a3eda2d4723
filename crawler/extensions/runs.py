"""Extension: record each crawl as a `crawl_runs` row, with its counts by outcome.

Reads NEWSPIPE_DATABASE_URL (through `crawler.database`). The run id goes into the
stats as `newspipe/run_id` so the store pipeline can tag articles with it. A run
fails when the spider closed for another reason than "finished", when articles
could not be stored, or when no seed page (feed, sitemap, section) could be fetched.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError

from crawler.database import database_for
from storage.repository import ArticleRepository

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from storage.engine import Database

logger = logging.getLogger(__name__)


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The outcome counts worth keeping with a run, from the crawl's stats."""
    not_modified = int(stats.get("newspipe/fetch/not_modified", 0))
    counts: dict[str, int] = {
        # Responses with a body; answers "304 Not Modified" are counted apart.
        "pages_fetched": int(stats.get("response_received_count", 0)) - not_modified,
        "not_modified": not_modified,
        "requests": int(stats.get("downloader/request_count", 0)),
        "errors": int(stats.get("log_count/ERROR", 0)),
        "articles_new": int(stats.get("newspipe/store/new", 0)),
        "articles_updated": int(stats.get("newspipe/store/updated", 0)),
        "articles_duplicate": int(stats.get("newspipe/store/duplicate", 0)),
        "articles_near_duplicate": int(stats.get("newspipe/store/near_duplicate", 0)),
        "articles_relinked": int(stats.get("newspipe/store/relinked", 0)),
        "articles_existing": int(stats.get("newspipe/store/existing", 0)),
        "articles_failed": int(stats.get("newspipe/store/failed", 0)),
        "articles_spooled": int(stats.get("newspipe/store/spooled", 0)),
        "articles_replayed": int(stats.get("newspipe/store/replayed", 0)),
        "articles_revisited": int(stats.get("newspipe/discovery/revisits", 0)),
        # Revisits that found the stored article as it was: stored again unchanged, or answered 304.
        "revisits_unchanged": int(stats.get("newspipe/store/existing", 0))
        + int(stats.get("newspipe/fetch/not_modified/revisit", 0)),
        "revisits_capped": int(stats.get("newspipe/discovery/revisits_capped", 0)),
        "known_not_requested": int(stats.get("newspipe/discovery/skipped/known", 0)),
        "skipped": int(stats.get("newspipe/extract/skipped", 0)),
    }
    for key, value in stats.items():
        if key.startswith(("newspipe/extract/skipped/", "newspipe/discovery/skipped/", "newspipe/discovery/capped/", "newspipe/fetch/")):
            counts[key.removeprefix("newspipe/")] = int(value)
        elif key.startswith("downloader/response_status_count/"):
            counts["http_" + key.rsplit("/", 1)[1]] = int(value)
    return counts


def run_failed(reason: str, stats: dict[str, Any]) -> bool:
    if reason != "finished" or stats.get("newspipe/store/failed") or stats.get("newspipe/store/spooled"):
        return True
    if stats.get("newspipe/run/not_recorded"):
        return True
    seeds = stats.get("newspipe/discovery/seeds", 0)
    seeds_fetched = stats.get("newspipe/discovery/seeds_fetched", 0)
    return bool(seeds) and not seeds_fetched


class CrawlRunRecorder:
    def __init__(self, database: Database, stats: StatsCollector, arguments: dict[str, Any]) -> None:
        self.database = database
        self.stats = stats
        self.arguments = arguments
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        settings = crawler.settings
        arguments = {
            "sources_file": settings.get("NEWSPIPE_SOURCES_FILE"),
            "sources": settings.getlist("NEWSPIPE_SOURCE_NAMES"),
            "since": str(settings.get("NEWSPIPE_SINCE")) if settings.get("NEWSPIPE_SINCE") else None,
            "until": str(settings.get("NEWSPIPE_UNTIL")) if settings.get("NEWSPIPE_UNTIL") else None,
        }
        extension = cls(database_for(crawler), crawler.stats, arguments)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        arguments = dict(self.arguments)
        for key in ("since", "until", "sources", "source"):
            value = getattr(spider, f"{key}_argument", None)
            if value:
                arguments[key] = value
        try:
            with self.database.sessions.begin() as session:
                self.run_id = ArticleRepository(session).start_run(spider.name, arguments)
        except SQLAlchemyError:
            # The crawl goes on: articles the database refuses are spooled, and the run fails.
            logger.error("could not record the start of this run in the database", exc_info=True)
            self.stats.inc_value("newspipe/run/not_recorded")
            return
        self.stats.set_value("newspipe/run_id", self.run_id)
        logger.info("crawl run %d started", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.stats.get_stats()
        failed = run_failed(reason, stats)
        status = "failed" if failed else "finished"
        self.stats.set_value("newspipe/run_status", status)
        if self.run_id is None:
            return
        counts = run_counts(stats)
        try:
            with self.database.sessions.begin() as session:
                ArticleRepository(session).finish_run(
                    self.run_id,
                    status=status,
                    reason=reason,
                    counts=counts,
                    error_count=counts["errors"] + counts["articles_failed"] + counts["articles_spooled"],
                )
        except SQLAlchemyError:
            logger.error("could not record the end of run %d in the database", self.run_id, exc_info=True)
            self.stats.set_value("newspipe/run_status", "failed")
            return
        logger.info("crawl run %d %s (%s)", self.run_id, status, reason)
