"""What a scheduled crawl remembers between runs: per-URL fetch state and which article URLs are known.

`FetchStateRepository(session)` reads and writes `fetch_state` rows (validators for
conditional requests, last status, and for article URLs that were not stored, why) and
answers the incremental questions: which of these discovered URLs need no request, and
which stored articles are due for a revisit. robots.txt rows (kind "robots") also keep the
body, read back with `documents`. Like the article repository it never commits. New rows are
inserted with ON CONFLICT (url) DO NOTHING: several workers closing at once keep the same
robots.txt, and the row a concurrent writer inserted after this one looked stays theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.bulk import chunks, index_probes, select_keyed
from storage.models import Article, ArticleUrl, FetchState, Source


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Source names per `IN` list on SQLite: under its default limit of 32,766 parameters a statement.
_SQLITE_NAMES = 30_000


def _named(session: Session, sources: Sequence[str]) -> list[Any]:
    """Conditions on Source rows, one per query to run, that together name these sources. A job
    of many thousand sources named them all in one `IN` list: psycopg takes at most 65,535
    parameters a statement, SQLite 32,766 by default, and past that the revisit look-up failed
    (and the run went on without revisits). PostgreSQL gets one array parameter, whatever the count."""
    names = sorted(set(sources))
    if session.get_bind().dialect.name == "postgresql":
        return [Source.name == any_(bindparam(None, names, type_=ARRAY(String)))]
    return [Source.name.in_(chunk) for chunk in chunks(names, _SQLITE_NAMES)]


def _recent(window: timedelta) -> Any:
    """Articles first stored within `window`."""
    return Article.created_at >= utcnow() - window


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class StateUpdate:
    url: str
    kind: str
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    outcome: str | None = None
    body: bytes | None = None  # kept for robots.txt only


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document kept in full (robots.txt): what it said, and when it was last checked."""

    url: str
    status: int | None
    body: bytes | None
    validators: Validators
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class Revisit:
    article_id: int
    url: str
    source: str
    validators: Validators


class FetchStateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _keyed(self, entity: Any, key: str, values: Sequence[str]) -> tuple[Any, Any]:
        # Rows by URL probed one by one on PostgreSQL: these look-ups run for every batch of
        # discovered or fetched URLs, and an IN list was planned as a sequential scan of the
        # whole table (rows read per stored article grew with the crawl; storage.bulk.select_keyed).
        return select_keyed(entity, key, values, self.session.get_bind().dialect.name)

    def _probe(self, statement: Any) -> list[Any]:
        """The rows of a `_keyed` statement, planned as index probes even while the table looks small."""
        with index_probes(self.session.connection()):
            return list(self.session.execute(statement))

    def validators(self, urls: Iterable[str]) -> dict[str, Validators]:
        """Stored validators for those of `urls` that have any."""
        wanted = list(dict.fromkeys(u for u in urls if u))
        found: dict[str, Validators] = {}
        for chunk in chunks(wanted, 500):
            stmt, row = self._keyed(FetchState, "url", chunk)
            rows = self._probe(stmt.with_only_columns(row.url, row.etag, row.last_modified))
            for url, etag, last_modified in rows:
                if etag or last_modified:
                    found[url] = Validators(etag, last_modified)
        return found

    def documents(self, urls: Iterable[str], kind: str) -> dict[str, StoredDocument]:
        """The stored rows of `kind` (e.g. "robots") for those of `urls` that have one, with their body."""
        wanted = list(dict.fromkeys(u for u in urls if u))
        found: dict[str, StoredDocument] = {}
        for chunk in chunks(wanted, 500):
            stmt, row = self._keyed(FetchState, "url", chunk)
            rows = self._probe(
                stmt.with_only_columns(row.url, row.last_status, row.body, row.etag, row.last_modified, row.checked_at)
                .where(row.kind == kind)
            )  # fmt: skip
            for url, status, body, etag, last_modified, checked_at in rows:
                found[url] = StoredDocument(url, status, body, Validators(etag, last_modified), checked_at)
        return found

    def known(self, urls: Iterable[str], *, recheck_after: timedelta | None = None) -> set[str]:
        """Those of `urls` that need no request: stored as an article (any of its URLs), or found
        not to be an article / gone, less than `recheck_after` ago (None: ever)."""
        wanted = list(dict.fromkeys(u for u in urls if u))
        known: set[str] = set()
        for chunk in chunks(wanted, 500):
            stored, url = self._keyed(ArticleUrl, "url", chunk)
            known.update(r[0] for r in self._probe(stored.with_only_columns(url.url)))
            stmt, row = self._keyed(FetchState, "url", chunk)
            stmt = stmt.with_only_columns(row.url).where(row.outcome.is_not(None))
            if recheck_after is not None:
                stmt = stmt.where(row.checked_at >= utcnow() - recheck_after)
            known.update(r[0] for r in self._probe(stmt))
        return known

    def revisits(self, sources: Sequence[str], window: timedelta, *, limit: int = 10_000) -> list[Revisit]:
        """Stored articles of these sources first stored within `window`, newest first, at most
        `limit` (0: all): to re-check for new versions."""
        if window <= timedelta(0) or not sources:
            return []
        newest = (Article.created_at.desc(), Article.id.desc())
        query = (
            select(Article.id, Article.url, Source.name, FetchState.etag, FetchState.last_modified, Article.created_at)
            .join(Source, Article.source_id == Source.id)
            .outerjoin(FetchState, FetchState.url == Article.url)
            .where(_recent(window))
            .order_by(*newest)
        )
        rows = []
        for named in _named(self.session, sources):  # one query, but for thousands of sources on SQLite
            part = query.where(named)
            rows.extend(self.session.execute(part.limit(limit) if limit > 0 else part))
        rows.sort(key=lambda row: (row.created_at, row.id), reverse=True)
        return [Revisit(a, url, name, Validators(etag, lm)) for a, url, name, etag, lm, _ in rows[: limit or None]]

    def revisits_due(self, sources: Sequence[str], window: timedelta) -> int:
        """How many stored articles `revisits` would give without a limit."""
        if window <= timedelta(0) or not sources:
            return 0
        query = select(func.count(Article.id)).join(Source, Article.source_id == Source.id).where(_recent(window))
        return sum(int(self.session.scalar(query.where(named)) or 0) for named in _named(self.session, sources))

    def record(self, updates: Iterable[StateUpdate]) -> int:
        """Insert or update one row per URL (the last update of a URL wins)."""
        latest: dict[str, StateUpdate] = {}
        for update in updates:
            latest[update.url] = update
        if not latest:
            return 0
        now = utcnow()
        existing = {
            row.url: row for chunk in chunks(list(latest), 500) for (row,) in self._probe(self._keyed(FetchState, "url", chunk)[0])
        }
        new: list[dict[str, Any]] = []  # inserted in one executemany, not one INSERT per URL
        for url, update in latest.items():
            row = existing.get(url)
            if row is None:
                fresh = update.status != 304  # a 304 carries nothing to keep
                new.append({
                    "url": url, "kind": update.kind, "last_status": update.status, "checked_at": now,
                    "etag": update.etag if fresh else None, "last_modified": update.last_modified if fresh else None,
                    "outcome": update.outcome if fresh else None, "body": update.body if fresh else None,
                })  # fmt: skip
                continue
            row.kind = update.kind
            row.last_status = update.status
            row.checked_at = now
            if update.status == 304:
                continue  # still valid: keep the validators, outcome and body as they were
            row.etag, row.last_modified, row.outcome = update.etag, update.last_modified, update.outcome
            row.body = update.body
        self.session.flush()
        if new:
            self.session.execute(_insert_new(self.session.get_bind().dialect.name), new)
        return len(latest)


def _insert_new(dialect: str) -> Any:
    """INSERT of fetch_state rows that leaves a URL a concurrent writer has just inserted alone."""
    if dialect == "postgresql":
        return postgresql.insert(FetchState).on_conflict_do_nothing(index_elements=[FetchState.url])
    if dialect == "sqlite":
        return sqlite.insert(FetchState).on_conflict_do_nothing(index_elements=[FetchState.url])
    return insert(FetchState)


