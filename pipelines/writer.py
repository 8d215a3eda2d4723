"""`ArticleWriter`: stores batches of articles, one transaction each, retrying transient errors.

Shared by the store pipeline and `newspipe db replay`, so a replayed article meets exactly
the same dedup, story and revision logic as a crawled one. Transient errors: a locked or
busy SQLite file, a dropped or refused connection, and a unique-key collision with a
concurrent writer (the retry sees the other writer's row and records an alias instead).
The MinHash index follows the transactions: what a failed batch added is taken out again.
A batch is written with `ArticleRepository.save_batch`: plainly new articles in bulk, the
rest one by one, with the same outcomes as saving each in turn.
Each attempt runs inside `bounded()` (a crawl's `Database.bounded`): a database that accepts the
connection and never answers costs one bounded wait per attempt, then the batch fails as for a
refused connection. Call `write` off the reactor thread: it blocks (see `pipelines.store`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from pipelines.neardup import NearDupIndex
from storage.deadline import DatabaseNotAnswering
from storage.repository import DUPLICATE_POLICIES, ArticleRepository, NewArticle, SaveResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

_TRANSIENT_TEXT = ("locked", "busy", "connection", "server closed", "terminating", "timeout", "could not connect")
_UNIQUE_TEXT = ("unique constraint", "duplicate key", "unique violation")


def is_transient(exc: BaseException) -> bool:
    """Errors worth another try with a fresh transaction."""
    if isinstance(exc, DatabaseNotAnswering):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    text = str(exc).lower()
    if isinstance(exc, IntegrityError):
        return any(s in text for s in _UNIQUE_TEXT)
    if isinstance(exc, OperationalError):
        return any(s in text for s in _TRANSIENT_TEXT)
    return False


class ArticleWriter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        attempts: int = 5,
        max_wait: float = 10.0,
        near_dup_threshold: float = 0.8,
        near_dup_horizon_days: float = 30.0,
        duplicate_policy: str = "keep",
        bounded: Callable[[str], AbstractContextManager[None]] = lambda _what: nullcontext(),
    ) -> None:
        if duplicate_policy not in DUPLICATE_POLICIES:
            raise ValueError(f"NEWSPIPE_DUPLICATE_POLICY must be one of {', '.join(DUPLICATE_POLICIES)}, got {duplicate_policy!r}")
        self.sessions = sessions
        self.attempts = attempts
        self.max_wait = max_wait
        self.duplicate_policy = duplicate_policy
        self.bounded = bounded
        self._source_ids: dict[str, int] = {}  # committed sources by name: no look-up per batch
        self.near_dups = NearDupIndex(near_dup_threshold, horizon_days=near_dup_horizon_days) if near_dup_threshold > 0 else None

    def write(self, batch: Sequence[NewArticle], run_id: int | None) -> list[SaveResult]:
        """Store a batch in one transaction (retried); raises when the database keeps refusing."""
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.2, max=self.max_wait),
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "database busy or unreachable (attempt %d), retrying: %s",
                state.attempt_number,
                state.outcome.exception() if state.outcome else "?",
            ),
        )
        for attempt in retrying:
            with attempt:
                return self._write_once(batch, run_id)
        raise AssertionError("unreachable")

    def _write_once(self, batch: Sequence[NewArticle], run_id: int | None) -> list[SaveResult]:
        try:
            with self.bounded(f"storing a batch of {len(batch)} articles"), self.sessions.begin() as session:
                if self.near_dups is not None:
                    self.near_dups.sync(session)  # built on first use, then caught up
                repository = ArticleRepository(
                    session, near_dups=self.near_dups, duplicate_policy=self.duplicate_policy, source_ids=self._source_ids
                )
                results = repository.save_batch(batch, run_id)
        except BaseException:
            if self.near_dups is not None:
                self.near_dups.rollback()
            raise
        if self.near_dups is not None:
            self.near_dups.commit()
        self._source_ids = repository.source_ids
        return results
