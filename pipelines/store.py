"""Item pipeline: write articles to the database in batches, one transaction per batch.

Reads NEWSPIPE_DATABASE_URL (through `crawler.database`), NEWSPIPE_STORE_BATCH_SIZE,
NEWSPIPE_DUPLICATE_POLICY ("keep" or "link"), NEWSPIPE_NEAR_DUP_THRESHOLD (0 switches
near-duplicate detection off) and NEWSPIPE_NEAR_DUP_HORIZON_DAYS (how far back the
MinHash index reaches; see `pipelines.neardup`).
Transient database errors (locked, connection dropped) are retried with backoff;
a batch that still fails is logged with its error, counted under
`newspipe/store/failed` and makes the run fail: never silently dropped.
Outcomes are counted as `newspipe/store/new`, `/duplicate`, `/existing` (a stored URL,
unchanged) and `/updated` (a new version); near-identical copies also as
`newspipe/store/near_duplicate`; earlier rows found to be copies of a new article as
`newspipe/store/relinked`. The MinHash index follows the transactions: what a failed
batch added to it is taken out again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from crawler.database import database_for
from pipelines.neardup import NearDupIndex, signature_bytes
from storage.repository import DUPLICATE_POLICIES, ArticleRepository, NewArticle, SaveResult

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.items import Article

logger = logging.getLogger(__name__)


def is_transient(exc: BaseException) -> bool:
    """Errors worth another try: a locked SQLite file, a dropped or refused connection."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return any(s in text for s in ("locked", "busy", "connection", "server closed", "terminating", "timeout"))
    return False


def to_new_article(item: Article) -> NewArticle:
    record = item.record
    assert record is not None and item.canonical_url and item.content_hash
    return NewArticle(
        source=item.source,
        url=item.url,
        canonical_url=item.canonical_url,
        headline=record.headline,
        body=record.body,
        content_hash=item.content_hash,
        fetched_at=item.fetched_at,
        published_at=record.published_at,
        modified_at=record.modified_at,
        date_source=record.date_source,
        authors=list(record.authors),
        description=record.description,
        language=record.language,
        site_name=record.site_name,
        section=record.section,
        tags=list(record.tags),
        image_url=record.image_url,
        word_count=record.word_count,
        syndicated_from=record.syndicated_from,
        alias_urls=list(item.alias_urls),
        minhash=signature_bytes(record.body),
    )


class StorePipeline:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        stats: StatsCollector,
        *,
        batch_size: int = 50,
        attempts: int = 5,
        max_wait: float = 10.0,
        near_dup_threshold: float = 0.8,
        near_dup_horizon_days: float = 30.0,
        duplicate_policy: str = "keep",
    ) -> None:
        if duplicate_policy not in DUPLICATE_POLICIES:
            raise ValueError(f"NEWSPIPE_DUPLICATE_POLICY must be one of {', '.join(DUPLICATE_POLICIES)}, got {duplicate_policy!r}")
        self.sessions = sessions
        self.stats = stats
        self.batch_size = batch_size
        self.attempts = attempts
        self.max_wait = max_wait
        self.duplicate_policy = duplicate_policy
        self.near_dups = NearDupIndex(near_dup_threshold, horizon_days=near_dup_horizon_days) if near_dup_threshold > 0 else None
        self.pending: list[NewArticle] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        return cls(
            database_for(crawler).sessions,
            crawler.stats,
            batch_size=max(1, settings.getint("NEWSPIPE_STORE_BATCH_SIZE", 50)),
            near_dup_threshold=settings.getfloat("NEWSPIPE_NEAR_DUP_THRESHOLD", 0.8),
            near_dup_horizon_days=settings.getfloat("NEWSPIPE_NEAR_DUP_HORIZON_DAYS", 30.0),
            duplicate_policy=settings.get("NEWSPIPE_DUPLICATE_POLICY", "keep"),
        )

    def process_item(self, item: Article) -> Article:
        self.pending.append(to_new_article(item))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        run_id = self.stats.get_value("newspipe/run_id")
        try:
            results = self._write(batch, run_id)
        except Exception:
            logger.error("could not store a batch of %d articles", len(batch), exc_info=True)
            self.stats.inc_value("newspipe/store/failed", len(batch))
            return
        for result in results:
            self.stats.inc_value(f"newspipe/store/{result.outcome}")
            if result.method == "minhash":
                self.stats.inc_value("newspipe/store/near_duplicate")
            if result.relinked:
                self.stats.inc_value("newspipe/store/relinked", result.relinked)

    def _write(self, batch: list[NewArticle], run_id: int | None) -> list[SaveResult]:
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.2, max=self.max_wait),
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "database busy or unreachable (attempt %d), retrying: %s", state.attempt_number, state.outcome.exception() if state.outcome else "?"
            ),
        )
        for attempt in retrying:
            with attempt:
                try:
                    with self.sessions.begin() as session:
                        if self.near_dups is not None:
                            self.near_dups.sync(session)  # built on first use, then caught up
                        repository = ArticleRepository(session, near_dups=self.near_dups, duplicate_policy=self.duplicate_policy)
                        results = [repository.save(article, run_id) for article in batch]
                except BaseException:
                    if self.near_dups is not None:
                        self.near_dups.rollback()
                    raise
                if self.near_dups is not None:
                    self.near_dups.commit()
                return results
        raise AssertionError("unreachable")
