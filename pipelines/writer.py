"""`ArticleWriter`: stores batches of articles, one transaction each, retrying transient errors.

Shared by the store pipeline and `newspipe db replay`, so a replayed article meets exactly
the same dedup, story and revision logic as a crawled one. Transient errors: a locked or
busy SQLite file, a dropped or refused connection, and a unique-key collision with a
concurrent writer (the retry sees the other writer's row and records an alias instead), a band
key of the shared near-duplicate index claimed by a concurrent writer (`storage.band_keys.KeyTaken`:
the retry sees the other writer's article and joins its story) and a deadlock between two writers.
A batch is written with `dedup.stories.Stories.save_batch`: plainly new articles in bulk, the
rest one by one, with the same outcomes as saving each in turn. Band keys past the
near-duplicate horizon are deleted with the first batch and then once per PRUNE_SECONDS (at most
PRUNE_LIMIT per batch, so a first prune of a large backlog is spread over several batches).
Each attempt runs inside `bounded()` (a crawl's `Database.bounded`): a database that accepts the
connection and never answers costs one bounded wait per attempt, then the batch fails as for a
refused connection. Call `write` off the reactor thread: it blocks (see `pipelines.store`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from dedup.index import NearDupIndex
from dedup.stories import Stories
from storage.band_keys import KeyTaken
from storage.deadline import DatabaseNotAnswering
from storage.repository import DUPLICATE_POLICIES, NewArticle, SaveResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

_TRANSIENT_TEXT = ("locked", "busy", "connection", "server closed", "terminating", "timeout", "could not connect", "deadlock")
PRUNE_SECONDS = 3600.0  # how often a writer deletes band keys past the horizon (look-ups ignore them anyway)
PRUNE_LIMIT = 5_000  # keys deleted at most per batch: the batch's transaction stays short
_UNIQUE_TEXT = ("unique constraint", "duplicate key", "unique violation")


def is_transient(exc: BaseException) -> bool:
    """Errors worth another try with a fresh transaction."""
    if isinstance(exc, (DatabaseNotAnswering, KeyTaken)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    text = str(exc).lower()
    if isinstance(exc, IntegrityError):
        return any(s in text for s in _UNIQUE_TEXT)
    if isinstance(exc, OperationalError):
        return any(s in text for s in _TRANSIENT_TEXT)
    return False


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, KeyTaken):  # expected now and then with several writers: not a database problem
        logger.info("a concurrent writer stored a near-identical text first (attempt %d), retrying the batch", state.attempt_number)
        return
    if isinstance(error, IntegrityError):  # another writer inserted the same row (a source, a URL) first: not an outage
        logger.info("a concurrent writer stored the same row first (attempt %d), retrying the batch: %s", state.attempt_number, error.orig)
        return
    logger.warning("database busy or unreachable (attempt %d), retrying: %s", state.attempt_number, error or "?")


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
        self._next_prune = 0.0  # monotonic time of the next pruning of old band keys

    def write(self, batch: Sequence[NewArticle], run_id: int | None) -> list[SaveResult]:
        """Store a batch in one transaction (retried); raises when the database keeps refusing."""
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.2, max=self.max_wait),
            reraise=True,
            before_sleep=_log_retry,
        )
        for attempt in retrying:
            with attempt:
                return self._write_once(batch, run_id)
        raise AssertionError("unreachable")

    def _write_once(self, batch: Sequence[NewArticle], run_id: int | None) -> list[SaveResult]:
        prune = self.near_dups is not None and time.monotonic() >= self._next_prune
        with self.bounded(f"storing a batch of {len(batch)} articles"), self.sessions.begin() as session:
            stories = Stories(session, near_dups=self.near_dups, duplicate_policy=self.duplicate_policy, source_ids=self._source_ids)
            results = stories.save_batch(batch, run_id)
            if prune:  # after the batch's look-ups: they never wait for it
                assert self.near_dups is not None
                pruned = self.near_dups.prune(session.connection(), limit=PRUNE_LIMIT)
        self._source_ids = stories.source_ids
        if prune:
            # More past the horizon than one go deletes: again with the next batch.
            self._next_prune = time.monotonic() + (0.0 if pruned >= PRUNE_LIMIT else PRUNE_SECONDS)
            if pruned:
                logger.info("deleted %d near-duplicate band keys past the horizon", pruned)
        return results
