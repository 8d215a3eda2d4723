"""Extension: record each crawl as a `crawl_runs` row, with its counts by outcome.

Reads NEWSPIPE_DATABASE_URL (through `crawler.database`) and NEWSPIPE_RUN_LOCK_TOKEN (set
by the runner: the run lock held, so a takeover can close this run as "killed"). The run id
goes into the stats as `newspipe/run_id` so the store pipeline can tag articles with it.
The status recorded is `crawler.outcome.verdict`'s: "finished", "failed" or "interrupted"
(SIGINT/SIGTERM); the status goes into the stats as `newspipe/run_status`. A run whose end
could not be recorded counts `newspipe/run/not_recorded` and fails.
The records are written on the crawl's database thread, bounded (`crawler.database`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, maybeDeferred, succeed

from crawler.database import database_for, database_thread_for
from crawler.outcome import verdict
from storage.repository import ArticleRepository

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from storage.engine import Database

logger = logging.getLogger(__name__)


# Per-reason counts kept with a run (as "extract/skipped/not_html", ...): every counted skip,
# refusal and cap, and every kind of error or dropped work, so `stats --json` says why.
KEPT_PREFIXES = (
    "newspipe/extract/skipped/", "newspipe/extract/error", "newspipe/extract/timeout",
    "newspipe/discovery/skipped/", "newspipe/discovery/capped/", "newspipe/discovery/bad_entry/",
    "newspipe/fetch/", "newspipe/item/error", "newspipe/dropped/", "newspipe/redis/", "newspipe/jobdir/",
)  # fmt: skip


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
        if key.startswith(KEPT_PREFIXES):
            counts[key.removeprefix("newspipe/")] = int(value)
        elif key.startswith("downloader/response_status_count/"):
            counts["http_" + key.rsplit("/", 1)[1]] = int(value)
    return counts


class CrawlRunRecorder:
    def __init__(
        self,
        database: Database,
        stats: StatsCollector,
        arguments: dict[str, Any],
        *,
        lock_token: str | None = None,
        in_thread: Callable[..., Deferred[Any]] = maybeDeferred,
    ) -> None:
        self.database = database
        self.stats = stats
        self.arguments = arguments
        self.lock_token = lock_token
        self.in_thread = in_thread
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
        extension = cls(
            database_for(crawler), crawler.stats, arguments,
            lock_token=settings.get("NEWSPIPE_RUN_LOCK_TOKEN"), in_thread=database_thread_for(crawler).run,
        )  # fmt: skip
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_opened(self, spider: Spider) -> None:
        await maybe_deferred_to_future(self.record_start(spider))

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        await maybe_deferred_to_future(self.record_end(reason))

    def record_start(self, spider: Spider) -> Deferred[None]:
        arguments = dict(self.arguments)
        for key in ("since", "until", "sources", "source"):
            value = getattr(spider, f"{key}_argument", None)
            if value:
                arguments[key] = value
        return self.in_thread(self._start, spider.name, arguments).addCallbacks(self._started, self._not_started)

    def _start(self, spider: str, arguments: dict[str, Any]) -> int:
        with self.database.bounded("recording the start of this run"), self.database.sessions.begin() as session:
            return ArticleRepository(session).start_run(spider, arguments, lock_token=self.lock_token)

    def _started(self, run_id: int) -> None:
        self.run_id = run_id
        self.stats.set_value("newspipe/run_id", run_id)
        logger.info("crawl run %d started", run_id)

    def _not_started(self, failure: Any) -> None:
        failure.trap(SQLAlchemyError)
        # The crawl goes on: articles the database refuses are spooled, and the run fails.
        logger.error("could not record the start of this run in the database: %s", failure.value)
        self.stats.inc_value("newspipe/run/not_recorded")

    def record_end(self, reason: str) -> Deferred[None]:
        stats = self.stats.get_stats()
        status = verdict(reason, stats).status
        self.stats.set_value("newspipe/run_status", status)
        if self.run_id is None:
            return succeed(None)
        run_id = self.run_id
        return self.in_thread(self._finish, run_id, status, reason, run_counts(stats)).addCallbacks(
            lambda _: logger.info("crawl run %d %s (%s)", run_id, status, reason), lambda failure: self._not_finished(failure, run_id)
        )

    def _finish(self, run_id: int, status: str, reason: str, counts: dict[str, int]) -> None:
        finish_run(self.database, run_id, status, reason, counts)

    def _not_finished(self, failure: Any, run_id: int) -> None:
        failure.trap(SQLAlchemyError)
        logger.error("could not record the end of run %d in the database: %s", run_id, failure.value)
        self.stats.inc_value("newspipe/run/not_recorded")  # fails the run (crawler.outcome)


def record_interrupted(database: Database, run_id: int, stats: dict[str, Any]) -> None:
    """Close a run the crawl could not close itself (the reactor was stopped at once) as "interrupted"."""
    try:
        finish_run(database, run_id, "interrupted", "stopped before the end", run_counts(stats))
    except SQLAlchemyError as exc:
        logger.error("could not record the end of run %d in the database: %s", run_id, exc)
        return
    logger.info("crawl run %d interrupted", run_id)


def finish_run(database: Database, run_id: int, status: str, reason: str, counts: dict[str, int]) -> None:
    with database.bounded(f"recording the end of run {run_id}"), database.sessions.begin() as session:
        ArticleRepository(session).finish_run(
            run_id, status=status, reason=reason, counts=counts,
            error_count=counts["errors"] + counts["articles_failed"] + counts["articles_spooled"],
        )  # fmt: skip
