"""Queries on `near_dup_bands`, the near-duplicate index every writer shares (see `dedup.index`).

Plain data access, no policy: which articles hold some band keys, their stored signatures,
claiming keys for an article (in the caller's transaction), giving up an article's keys, and
deleting keys older than a date. A key is held by one article (the primary key decides between
concurrent writers); a key claimed before `expired_before` may be taken over by a new article.
Reads no settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select

from storage.bulk import chunks, index_probes
from storage.models import Article, NearDupBand

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_CHUNK = 500  # keys or rows per statement: well under SQLite's and PostgreSQL's parameter limits
_HOLDERS = select(NearDupBand.band_key, NearDupBand.article_id).where(NearDupBand.band_key.in_(bindparam("keys", expanding=True)))
_SIGNATURES = select(Article.id, Article.minhash).where(Article.id.in_(bindparam("ids", expanding=True)))


class KeyTaken(Exception):
    """A band key this transaction meant to claim was claimed by a concurrent writer after this
    transaction looked: what the transaction decided may be wrong, so it is to be retried."""


def holders(connection: Connection, keys: Iterable[int], *, since: datetime | None) -> dict[int, int]:
    """Which article holds each of `keys` (those claimed at or after `since`; all when None)."""
    wanted = sorted(set(keys))
    found: dict[int, int] = {}
    if connection.dialect.name == "postgresql":
        # One array parameter probed key by key on the primary key (as `storage.bulk.stored_values`:
        # `= ANY(array)` or `IN (...)` with hundreds of values cost more to send, parse and plan than to run).
        # LIMIT 1 keeps the subquery from being pulled up into a join: without it the planner hashes
        # every recent key (through the created_at index) for each look-up, so the rows read per
        # article grew with the table (benchmarks/scale.py: 450 rows per article at 8 workers).
        sql = (
            "SELECT b.band_key, b.article_id FROM unnest(%s::bigint[]) AS q(k) CROSS JOIN LATERAL "
            "(SELECT band_key, article_id, created_at FROM near_dup_bands WHERE band_key = q.k LIMIT 1) AS b"
        )
        params: tuple[Any, ...] = (wanted,)
        if since is not None:
            sql += " WHERE b.created_at >= %s"
            params += (_to_db(connection, since),)
        with index_probes(connection):  # a probe per key even while the table looks small
            found.update((k, a) for k, a in connection.exec_driver_sql(sql, params))
        return found
    statement = _HOLDERS if since is None else _HOLDERS.where(NearDupBand.created_at >= since)
    for chunk in chunks(wanted, _CHUNK):
        found.update((k, a) for k, a in connection.execute(statement, {"keys": list(chunk)}))
    return found


def signatures(connection: Connection, article_ids: Iterable[int]) -> dict[int, bytes]:
    """The stored MinHash signatures of these articles (those that have one)."""
    wanted = sorted(set(article_ids))
    found: dict[int, bytes] = {}
    if not wanted:
        return found
    if connection.dialect.name == "postgresql":
        sql = (
            "SELECT a.id, a.minhash FROM unnest(%s::bigint[]) AS q(i) CROSS JOIN LATERAL "
            "(SELECT id, minhash FROM articles WHERE id = q.i LIMIT 1) AS a"  # LIMIT 1: a probe each, as above
        )
        with index_probes(connection):
            found.update((i, bytes(m)) for i, m in connection.exec_driver_sql(sql, (wanted,)) if m is not None)
        return found
    for chunk in chunks(wanted, _CHUNK):
        found.update((i, m) for i, m in connection.execute(_SIGNATURES, {"ids": list(chunk)}) if m is not None)
    return found


def _to_db(connection: Connection, value: datetime) -> Any:
    """A datetime as `created_at`'s column type sends it to this driver."""
    dialect = connection.dialect
    processor = NearDupBand.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None else value


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
    for chunk in chunks(ordered, _CHUNK):
        claimed.update(_insert_claims(connection, chunk, now, expired_before))
    missing = required - claimed
    if missing:
        raise KeyTaken(f"{len(missing)} band key(s) claimed by a concurrent writer since this batch looked them up")
    return claimed


def _insert_claims(connection: Connection, rows: Sequence[tuple[int, int]], now: datetime, expired_before: datetime | None) -> list[int]:
    """One INSERT ... ON CONFLICT (band_key) for the rows, straight to the driver (the ORM's or Core's
    per-row parameter processing cost more than the statement): the keys inserted or taken over."""
    dialect = connection.dialect
    on_conflict = "DO NOTHING"
    params: list[Any] = []
    if expired_before is not None:
        on_conflict = "DO UPDATE SET article_id = excluded.article_id, created_at = excluded.created_at WHERE near_dup_bands.created_at < {mark}"
    if dialect.name == "postgresql":
        mark = "%s"
        # Arrays in the given (ascending) order: rows are inserted, and wait for other writers, in it.
        source = f"SELECT k, a, {mark} FROM unnest({mark}::bigint[], {mark}::bigint[]) AS t(k, a)"
        params = [_to_db(connection, now), [k for k, _ in rows], [a for _, a in rows]]
    else:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        # One JSON array parameter, read in order by json_each: the same SQL text whatever the count
        # (the driver keeps prepared statements by text). WHERE true: SQLite's upsert after a SELECT.
        source = f"SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), {mark} FROM json_each({mark}) WHERE true"
        params = [_to_db(connection, now), json.dumps(rows)]
    if expired_before is not None:
        params.append(_to_db(connection, expired_before))
    sql = f"INSERT INTO near_dup_bands (band_key, article_id, created_at) {source} ON CONFLICT (band_key) {on_conflict.format(mark=mark)} RETURNING band_key"
    return [key for (key,) in connection.exec_driver_sql(sql, tuple(params))]


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
