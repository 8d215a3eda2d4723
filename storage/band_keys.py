"""Queries on `near_dup_bands`, the near-duplicate index every writer shares (see `dedup.index`).

Plain data access, no policy: which articles hold some band keys, their stored signatures,
claiming keys for an article (in the caller's transaction), giving up an article's keys, and
deleting keys older than a date. A key is held by one article (the primary key decides between
concurrent writers); a key claimed before `expired_before` may be taken over by a new article.
Reads no settings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, false, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Article, NearDupBand

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_CHUNK = 500  # keys or rows per statement: well under SQLite's and PostgreSQL's parameter limits
_HOLDERS = select(NearDupBand.band_key, NearDupBand.article_id).where(NearDupBand.band_key.in_(bindparam("keys", expanding=True)))
_SIGNATURES = select(Article.id, Article.minhash).where(Article.id.in_(bindparam("ids", expanding=True)))


class KeyTaken(Exception):
    """A band key this transaction meant to claim was claimed by a concurrent writer after this
    transaction looked: what the transaction decided may be wrong, so it is to be retried."""


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def holders(connection: Connection, keys: Iterable[int], *, since: datetime | None) -> dict[int, int]:
    """Which article holds each of `keys` (those claimed at or after `since`; all when None)."""
    wanted = sorted(set(keys))
    found: dict[int, int] = {}
    statement = _HOLDERS if since is None else _HOLDERS.where(NearDupBand.created_at >= since)
    for chunk in _chunks(wanted):
        found.update((k, a) for k, a in connection.execute(statement, {"keys": list(chunk)}))
    return found


def signatures(connection: Connection, article_ids: Iterable[int]) -> dict[int, bytes]:
    """The stored MinHash signatures of these articles (those that have one)."""
    found: dict[int, bytes] = {}
    for chunk in _chunks(sorted(set(article_ids))):
        found.update((i, m) for i, m in connection.execute(_SIGNATURES, {"ids": list(chunk)}) if m is not None)
    return found


def claim(
    connection: Connection,
    rows: Sequence[tuple[int, int]],
    *,
    now: datetime,
    expired_before: datetime | None,
    required: set[int] = frozenset(),  # type: ignore[assignment]
) -> set[int]:
    """Claim band keys, `rows` being (band_key, article_id): a key nobody holds, or one claimed
    before `expired_before`, becomes the article's. Returns the keys claimed; raises `KeyTaken`
    when one of `required` was not (a live holder has it). Keys go in ascending order, so two
    writers claiming overlapping keys wait for each other rather than deadlock."""
    ordered = sorted(dict(rows).items())  # one row per key: the first article given wins
    if not ordered:
        return set()
    claimed: set[int] = set()
    for chunk in _chunks(ordered):
        # One statement whatever the count (SQLAlchemy batches the rows into multi-row INSERTs).
        result = connection.execute(
            _claim_statement(connection.dialect.name, expired_before is not None),
            [{"band_key": k, "article_id": a, "created_at": now, "expired_before": expired_before} for k, a in chunk],
        )
        claimed.update(result.scalars())
    missing = required - claimed
    if missing:
        raise KeyTaken(f"{len(missing)} band key(s) claimed by a concurrent writer since this batch looked them up")
    return claimed


@functools.cache
def _claim_statement(dialect: str, expires: bool) -> Any:
    """INSERT ... ON CONFLICT (band_key) DO UPDATE (a take-over) WHERE the held key expired ... RETURNING band_key."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(NearDupBand)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[NearDupBand.band_key],
        set_={"article_id": excluded.article_id, "created_at": excluded.created_at},
        where=NearDupBand.created_at < bindparam("expired_before", type_=NearDupBand.created_at.type) if expires else false(),
    ).returning(NearDupBand.band_key)


def release(connection: Connection, article_id: int) -> None:
    """Give up every key an article holds (its text changed: its keys are claimed again)."""
    connection.execute(delete(NearDupBand).where(NearDupBand.article_id == article_id))


def prune(connection: Connection, before: datetime, *, limit: int | None = None) -> int:
    """Delete keys claimed before `before` (look-ups ignore them already), at most `limit` of them
    (the oldest by the `created_at` index); the number deleted."""
    old = select(NearDupBand.band_key).where(NearDupBand.created_at < before)
    if limit is not None:
        old = old.order_by(NearDupBand.created_at).limit(limit)
    return connection.execute(delete(NearDupBand).where(NearDupBand.band_key.in_(old.scalar_subquery()))).rowcount or 0
