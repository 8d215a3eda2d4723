"""Bulk writes for the store: many rows of several tables in as few statements as the backend allows.

Used by `ArticleRepository` for articles that are plainly new or plain copies (see
`save_batch`). SQLAlchemy Core's executemany processes every row's parameters in Python
and the ORM's unit of work far more; here rows go to the driver as they are, converted
once per value with the columns' own bind processors (so stored values are exactly what
SQLAlchemy would have written, and read back the same way):

- SQLite: one `executemany` per table, with foreign-key checks deferred to the commit
  (`PRAGMA defer_foreign_keys`, which lasts until the end of the transaction) so a story
  can name its original article before the article row exists;
- PostgreSQL: one statement for all tables, each table's rows passed as arrays and
  inserted from `unnest(...)` in data-modifying CTEs: one round trip. Foreign keys are
  checked at the end of the statement, when every row is there.

Article URLs are inserted with ON CONFLICT (url) DO NOTHING on both: a URL a concurrent
writer has just given to another article stays theirs. Nothing is committed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Dialect


class BulkInsert:
    """Rows for several tables, written together by `execute`; tables are written in the order given."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect: Dialect = connection.dialect
        self._rows: list[tuple[Table, Sequence[str], list[tuple[Any, ...]], str | None]] = []

    def add(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], *, ignore_conflict_on: str | None = None) -> None:
        """Rows (tuples in `columns` order) for `table`; `ignore_conflict_on`: a unique column whose clashes are skipped."""
        if rows:
            self._rows.append((table, columns, rows, ignore_conflict_on))

    def execute(self) -> None:
        if not self._rows:
            return
        if self.dialect.name == "postgresql":
            self._execute_postgresql()
        else:
            self._execute_each()
        self._rows = []

    # -- SQLite (and anything else with a DB-API executemany) -------------------------------------

    def _execute_each(self) -> None:
        if self.dialect.name == "sqlite":
            self.connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        for table, columns, rows, conflict in self._rows:
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            if conflict:
                sql += f" ON CONFLICT ({conflict}) DO NOTHING"
            self.connection.exec_driver_sql(sql, _converted(table, columns, rows, self.dialect))

    # -- PostgreSQL: one statement ------------------------------------------------------------------

    def _execute_postgresql(self) -> None:
        parts: list[str] = []
        params: list[Any] = []
        for table, columns, rows, conflict in self._rows:
            values = _converted(table, columns, rows, self.dialect)
            arrays = [list(column) for column in zip(*values)]
            casts = [f"%s::{_array_type(table, name, self.dialect)}" for name in columns]
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({', '.join(casts)})"
            if conflict:
                sql += f" ON CONFLICT ({conflict}) DO NOTHING"
            parts.append(sql)
            params.extend(arrays)
        *ctes, last = parts
        sql = last if not ctes else "WITH " + ", ".join(f"w{i} AS ({cte})" for i, cte in enumerate(ctes)) + " " + last
        self.connection.exec_driver_sql(sql, tuple(params))


def _converted(table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], dialect: Dialect) -> list[tuple[Any, ...]]:
    """Rows with each value as the column's bind processor makes it (datetimes, JSON)."""
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((index, processor))
    if not processors:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for index, processor in processors:
            values[index] = processor(values[index])
        out.append(tuple(values))
    return out


def _array_type(table: Table, name: str, dialect: Dialect) -> str:
    """The PostgreSQL array type for a column's values (`text[]`, `timestamptz[]`, `jsonb[]` ...)."""
    base = table.c[name].type.dialect_impl(dialect)
    impl = getattr(base, "impl", base)
    compiled = impl.compile(dialect=dialect).lower()
    if "timestamp" in compiled and "with time zone" in compiled:
        compiled = "timestamptz"
    elif compiled.startswith("varchar") or compiled == "text":
        compiled = "text"
    return f"{compiled}[]"
