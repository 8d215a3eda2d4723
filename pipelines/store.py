"""Item pipeline: write articles to the database in batches, one transaction per batch.

Reads NEWSPIPE_DATABASE_URL (through `crawler.database`), NEWSPIPE_STORE_BATCH_SIZE,
NEWSPIPE_STORE_HOLD_ITEMS and NEWSPIPE_STORE_BATCH_SECONDS (see below),
NEWSPIPE_DUPLICATE_POLICY ("keep" or "link"), NEWSPIPE_NEAR_DUP_THRESHOLD (0 switches
near-duplicate detection off), NEWSPIPE_NEAR_DUP_HORIZON_DAYS (how far back the MinHash
index reaches; see `dedup.index`) and NEWSPIPE_SPOOL_DIR.
Writing is `pipelines.writer.ArticleWriter`: transient errors are retried with backoff. A
batch the database still refuses is appended to the spool (`storage.spool`), counted under
`newspipe/store/spooled`, and fails the run; the next run (or `newspipe db replay`) loads
the spool back first. Nothing is dropped silently.
The writing itself (retries and back-off included) runs on the crawl's database thread
(`crawler.database`), never on the reactor thread, and each attempt is bounded
(NEWSPIPE_STATEMENT_TIMEOUT, `storage.engine`): a database that stops answering costs bounded
waits, then the batch is spooled as for a refused connection, while downloads go on; once a
batch was abandoned that way, the run's later batches go to the spool without trying. More than
MAX_BATCHES_WAITING batches waiting for the database make the crawl wait for it.
With NEWSPIPE_STORE_HOLD_ITEMS (set for distributed workers) an item is done, for Scrapy, only
once its batch is committed or spooled: its request stays in the engine's requests in progress
until then, so a worker acknowledges it in Redis only after that (see
`crawler.distributed.scheduler`) and a killed worker loses no article waiting in a batch; a
part-filled batch is written after NEWSPIPE_STORE_BATCH_SECONDS. Otherwise items go on at once
and the last batch is written when the spider closes.
Outcomes are counted as `newspipe/store/new`, `/duplicate`, `/existing` (a stored URL,
unchanged) and `/updated` (a new version); near-identical copies also as
`newspipe/store/near_duplicate`; stored URLs seen again (existing + updated) also as
`newspipe/store/revisit`; earlier rows found to be copies of a new article as
`newspipe/store/relinked`; spooled articles loaded back as `newspipe/store/replayed`. Each
batch write adds one to `newspipe/store/batches` and its duration to `newspipe/store/seconds`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredList, maybeDeferred, succeed
from twisted.python.failure import Failure

from crawler import settings as defaults
from crawler.database import database_for, database_thread_for
from pipelines.writer import ArticleWriter
from storage.deadline import DatabaseNotAnswering
from storage.repository import NewArticle, SaveResult
from storage.spool import Spool, spool_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from crawler.items import Article

logger = logging.getLogger(__name__)

# Outcomes of a URL that was already stored: unchanged, or kept as a new version.
REVISIT_OUTCOMES = frozenset({"existing", "updated"})
# Batches handed to the database thread and not yet stored or spooled, beyond which the next item
# waits for its batch: memory stays bounded while the database is slow or not answering.
MAX_BATCHES_WAITING = 4


def to_new_article(item: Article) -> NewArticle:
    """The item's record as extracted (and settled by `pipelines.dedup`), with what storage adds."""
    # Imported with the first item: the signatures bring numpy, 0.07 CPU-s of the crawl's start-up.
    from dedup.signatures import signature_bytes

    record = item.record
    assert record is not None and item.content_hash
    return NewArticle(
        record=record,
        source=item.source,
        content_hash=item.content_hash,
        fetched_at=item.fetched_at,
        requested_url=item.url,
        alias_urls=list(item.alias_urls),
        minhash=signature_bytes(record.body),
        archive_file=item.archive_file,
        archive_offset=item.archive_offset,
    )


class StorePipeline:
    """Batches articles. With `call_later` (the reactor's, in a crawl) each item waits for its
    batch's commit, and a part-filled batch is written after `hold_seconds`; without it items are
    handed on at once and the last batch waits for `close_spider`. `in_thread` runs the database
work (default: at once, in the caller's thread; in a crawl: the crawl's database thread)."""

    def __init__(
        self,
        writer: ArticleWriter,
        stats: StatsCollector,
        *,
        batch_size: int = 50,
        spool: Spool | None = None,
        hold_seconds: float = 1.0,
        call_later: Callable[[float, Callable[[], None]], Any] | None = None,
        in_thread: Callable[..., Deferred[Any]] = maybeDeferred,
    ) -> None:
        self.writer = writer
        self.stats = stats
        self.batch_size = batch_size
        self.spool = spool
        self.hold_seconds = hold_seconds
        self.call_later = call_later
        self._in_thread = in_thread  # where the database work runs: the crawl's database thread
        self._writing: set[Deferred[Any]] = set()  # batches handed to it and not yet done
        self._not_answering = False  # a batch was abandoned: the database accepts and never answers
        self.pending: list[NewArticle] = []
        self._waiting: list[Deferred[None]] = []  # one per pending article, fired once it is stored or spooled
        self._timer: Any = None  # the delayed call that writes a part-filled batch

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        database = database_for(crawler)
        writer = ArticleWriter(
            database.sessions,
            near_dup_threshold=settings.getfloat("NEWSPIPE_NEAR_DUP_THRESHOLD", defaults.NEWSPIPE_NEAR_DUP_THRESHOLD),
            near_dup_horizon_days=settings.getfloat("NEWSPIPE_NEAR_DUP_HORIZON_DAYS", defaults.NEWSPIPE_NEAR_DUP_HORIZON_DAYS),
            duplicate_policy=settings.get("NEWSPIPE_DUPLICATE_POLICY", defaults.NEWSPIPE_DUPLICATE_POLICY),
            bounded=database.bounded,
        )
        spool_dir = settings.get("NEWSPIPE_SPOOL_DIR")
        spool = spool_for(spool_dir, database.url) if spool_dir else None
        call_later = None
        if settings.getbool("NEWSPIPE_STORE_HOLD_ITEMS"):
            from twisted.internet import reactor  # installed by now: Scrapy builds pipelines in a running crawl

            call_later = reactor.callLater  # type: ignore[attr-defined]
        return cls(
            writer,
            crawler.stats,
            batch_size=max(1, settings.getint("NEWSPIPE_STORE_BATCH_SIZE", defaults.NEWSPIPE_STORE_BATCH_SIZE)),
            spool=spool,
            hold_seconds=max(0.01, settings.getfloat("NEWSPIPE_STORE_BATCH_SECONDS", defaults.NEWSPIPE_STORE_BATCH_SECONDS)),
            call_later=call_later,
            in_thread=database_thread_for(crawler).run,
        )

    async def open_spider(self) -> None:
        await maybe_deferred_to_future(self.replay_spool())

    async def close_spider(self) -> None:
        await maybe_deferred_to_future(self.finish())

    def replay_spool(self) -> Deferred[None]:
        """Articles an earlier run had to spool go in first."""
        if self.spool is None:
            return succeed(None)
        return self._in_thread(self._replay).addCallback(self._count_replayed)

    def _replay(self) -> list[list[SaveResult]]:
        assert self.spool is not None
        if not len(self.spool):
            return []
        logger.warning("loading %d spooled articles from %s", len(self.spool), self.spool.path)
        stored: list[list[SaveResult]] = []
        self.spool.replay(lambda batch, run_id: stored.append(self.writer.write(batch, run_id)))
        return stored

    def _count_replayed(self, stored: list[list[SaveResult]]) -> None:
        for results in stored:
            self._count(results)
            self.stats.inc_value("newspipe/store/replayed", len(results))

    def process_item(self, item: Article) -> Any:
        self.pending.append(to_new_article(item))
        if self.call_later is None:
            if len(self.pending) >= self.batch_size:
                writing = self.flush()
                if len(self._writing) > MAX_BATCHES_WAITING:  # the database is slow: the crawl waits for it
                    return self._after(writing, item)
            return item
        stored: Deferred[None] = Deferred()
        self._waiting.append(stored)
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = self.call_later(self.hold_seconds, self._flush_due)
        return self._after(stored, item)

    @staticmethod
    async def _after(stored: Deferred[None], item: Article) -> Article:
        await maybe_deferred_to_future(stored)
        return item

    def _flush_due(self) -> None:
        self._timer = None
        self.flush()

    def finish(self) -> Deferred[Any]:
        """Writes the last batch; done when every batch handed to the database thread is."""
        self.flush()
        return DeferredList(list(self._writing), consumeErrors=True)

    def flush(self) -> Deferred[None]:
        """Hand the pending batch to the database thread; the items waiting for it are done when it
        is stored, spooled or counted as failed (they fail only when the spool itself failed)."""
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        batch, self.pending = self.pending, []
        if not batch:
            for stored in waiting:
                stored.callback(None)
            return succeed(None)
        run_id = self.stats.get_value("newspipe/run_id")
        writing = self._in_thread(self._timed_store, batch, run_id)
        self._writing.add(writing)

        def done(timed: Any) -> None:
            self._writing.discard(writing)
            if isinstance(timed, Failure):
                outcome = timed
            else:
                outcome, seconds = timed
                # Time in the database, retries included: Prometheus' newspipe_store_seconds.
                self.stats.inc_value("newspipe/store/batches")
                self.stats.inc_value("newspipe/store/seconds", seconds)
            if isinstance(outcome, Failure):  # neither stored nor spooled: the spool itself failed
                logger.error("could not store or spool a batch of %d articles", len(batch), exc_info=outcome.value)
                self.stats.inc_value("newspipe/store/failed", len(batch))
                for stored in waiting:
                    stored.errback(outcome)
                return
            self._count_batch(len(batch), outcome)
            for stored in waiting:
                stored.callback(None)

        return writing.addBoth(done)

    def _timed_store(self, batch: list[NewArticle], run_id: int | None) -> tuple[list[SaveResult] | str, float]:
        started = time.perf_counter()
        return self._store(batch, run_id), time.perf_counter() - started

    def _store(self, batch: list[NewArticle], run_id: int | None) -> list[SaveResult] | str:
        """In the database thread: the batch's results, or where it went ("spooled", "failed")."""
        try:
            if self._not_answering and self.spool is not None:
                raise DatabaseNotAnswering("the database stopped answering earlier in this run: spooled without trying")
            return self.writer.write(batch, run_id)
        except Exception as exc:
            if isinstance(exc, DatabaseNotAnswering):
                self._not_answering = True  # each later batch would wait as long again: they go to the spool
            if self.spool is None:
                logger.error("could not store a batch of %d articles (no spool configured)", len(batch), exc_info=True)
                return "failed"
            self.spool.append(batch, run_id)
            logger.error(
                "could not store a batch of %d articles: spooled to %s (`newspipe db replay` loads them)",
                len(batch), self.spool.path, exc_info=True,
            )  # fmt: skip
            return "spooled"

    def _count_batch(self, size: int, outcome: list[SaveResult] | str) -> None:
        if outcome == "failed":
            self.stats.inc_value("newspipe/store/failed", size)
        elif outcome == "spooled":
            assert self.spool is not None
            self.stats.inc_value("newspipe/store/spooled", size)
            self.stats.set_value("newspipe/store/spool_path", str(self.spool.path))
        else:
            assert not isinstance(outcome, str)
            self._count(outcome)

    def _count(self, results: list[SaveResult]) -> None:
        for result in results:
            self.stats.inc_value(f"newspipe/store/{result.outcome}")
            if result.outcome in REVISIT_OUTCOMES:
                self.stats.inc_value("newspipe/store/revisit")
            if result.method == "minhash":
                self.stats.inc_value("newspipe/store/near_duplicate")
            if result.relinked:
                self.stats.inc_value("newspipe/store/relinked", result.relinked)
