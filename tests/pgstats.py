"""Rows PostgreSQL has read from some tables in the current transaction (sequential scans and
index fetches): what the look-up tests count to show a query probes an index instead of
reading a table once per key. Counted per transaction, so a test reads it before and after the
statement it measures, in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, text

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

_ROWS_READ = text(
    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) FROM pg_stat_xact_user_tables "
    "WHERE relname IN :tables AND schemaname = current_schema()"
).bindparams(bindparam("tables", expanding=True))


def rows_read(connection: Connection | Session, *tables: str) -> int:
    """Rows read so far in this transaction from `tables` (of the connection's search_path schema)."""
    return int(connection.execute(_ROWS_READ, {"tables": list(tables)}).scalar_one())
