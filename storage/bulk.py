"""Bulk writes for the store: many rows of several tables in as few statements as the backend allows.

Used by the articles repository (`storage.repository`) for articles that are plainly new or plain
copies (see `dedup.stories.Stories.save_batch`). SQLAlchemy Core's executemany processes every
row's parameters in Python and the ORM's unit of work far more; here rows go to the driver as they are, converted
with the columns' own bind processors, each distinct value once per batch (so stored
values are exactly what SQLAlchemy would have written, and read back the same way):

- SQLite: one `executemany` per table, with foreign-key checks deferred to the commit
  (`PRAGMA defer_foreign_keys`, which lasts until the end of the transaction) so a story
  can name its original article before the article row exists;
- PostgreSQL: one statement for all tables, each table's rows passed as arrays (in
  psycopg's binary format) and inserted from `unnest(...)` in data-modifying CTEs: one
  round trip. Foreign keys are checked at the end of the statement, when every row is there.

Article URLs are inserted with ON CONFLICT (url) DO NOTHING on both: a URL a concurrent
writer has just given to another article stays theirs. Nothing is committed here.

`stored_values` and `allocate_ids` are the batch's other statements (which of its URLs and
hashes are stored; new primary keys), one query each, also straight to the driver. `select_keyed`
is the ORM's form of the same look-up: rows by a unique column, probed value by value on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

if TYPE_CHECKING:
    from sqlalchemy import Select, Table
    from sqlalchemy.engine import Connection, Dialect


T = TypeVar("T")
_IN_CHUNK = 500  # SQLite: values per IN (...), well under its parameter limit


@contextmanager
def index_probes(connection: Connection) -> Iterator[None]:
    """Plan the statements of this block with sequential scans disabled (PostgreSQL; nothing elsewhere),
    for look-ups written as one index probe per value (a LATERAL subquery with LIMIT 1, as below).

    While a table's statistics say it is small (an ANALYZE when it held a few hundred rows), the
    planner finds a sequential scan cheaper than an index probe and runs one per value: a look-up of
    the thousands of URLs a sitemap lists, or of a batch's band keys, then read the table thousands of
    times. `SET LOCAL` (this transaction only; SQLAlchemy has begun one), set back to what it was
    when the block ends (not after an error: the transaction is then rolled back, and the setting with it)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    before, _ = connection.exec_driver_sql("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)").one()
    yield
    connection.exec_driver_sql("SELECT set_config('enable_seqscan', %s, true)", (before,))


def chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`: statements under a driver's parameter limit, batches."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_values(connection: Connection, wanted: Sequence[tuple[str, str, Iterable[str]]]) -> list[set[str]]:
    """For each (table, column, values): which of the values the column holds. One query for all."""
    parts: list[str] = []
    params: list[Any] = []
    postgres = connection.dialect.name == "postgresql"
    for index, (table, column, values) in enumerate(wanted):
        ordered = sorted(set(values))
        if not ordered:
            continue
        if postgres:
            # One array parameter, whatever the count, probed value by value: LIMIT 1 keeps the
            # planner on the column's index even before the table has statistics (a fresh or a
            # small database), where `= ANY(array)` is planned as a sequential scan.
            parts.append(
                f"SELECT {index}, t.v FROM unnest({_array_mark(connection.dialect)}::text[]) AS q(v) "
                f"CROSS JOIN LATERAL (SELECT {column} AS v FROM {table} WHERE {column} = q.v LIMIT 1) AS t"
            )
            params.append(ordered)
            continue
        for chunk in chunks(ordered, _IN_CHUNK):
            parts.append(f"SELECT {index}, {column} FROM {table} WHERE {column} IN ({', '.join('?' * len(chunk))})")
            params.extend(chunk)
    found: list[set[str]] = [set() for _ in wanted]
    if parts:
        with index_probes(connection):
            for index, value in connection.exec_driver_sql(" UNION ALL ".join(parts), tuple(params)):
                found[index].add(value)
    return found


def select_keyed(entity: Any, key: str, values: Sequence[Any], dialect_name: str) -> tuple[Select[Any], Any]:
    """A SELECT of `entity`'s rows whose unique column `key` holds one of `values`, and the entity
    to name its columns and conditions by: `stmt.with_only_columns(row.a).where(row.b == x)`.

    On PostgreSQL the values are one array parameter (the same SQL text whatever their count),
    each probed on the column's index (`LIMIT 1` in a LATERAL subquery; run it inside
    `index_probes`). `key IN (...)` there is planned as one sequential scan of the table up to a
    few thousand rows, which for a look-up per batch on a table that grows with the crawl
    (fetch_state, article_urls) made the rows read per stored article grow with the crawl.
    Elsewhere `key IN (values)`: the caller keeps the count under SQLite's parameter limit."""
    column = getattr(entity, key)
    if dialect_name != "postgresql":
        return select(entity).where(column.in_(list(values))), entity
    wanted = func.unnest(bindparam(None, list(values), type_=ARRAY(column.type))).table_valued("v").render_derived().alias("q")
    probe = select(entity).where(column == wanted.c.v).limit(1).lateral("p")
    row = aliased(entity, probe)
    return select(row).select_from(wanted).join(probe, true()), row


def allocate_ids(connection: Connection, counts: Sequence[tuple[str, int]]) -> list[list[int]]:
    """`count` new primary keys for each table, ascending, in one query: from the tables' sequences
    on PostgreSQL; on SQLite the ids it would pick itself (max + 1 ...). A concurrent writer
    taking the same ids makes the insert fail on the primary key (the writer retries the batch)."""
    if connection.dialect.name == "postgresql":
        columns = ", ".join(
            f"(SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) FROM generate_series(1, %s))" for table, _ in counts
        )
        row = connection.exec_driver_sql(f"SELECT {columns}", tuple(count for _, count in counts)).one()
        return [sorted(ids or []) for ids in row]
    columns = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {table})" for table, _ in counts)
    tops = connection.exec_driver_sql(f"SELECT {columns}").one()
    return [list(range(top + 1, top + 1 + count)) for top, (_, count) in zip(tops, counts)]


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
            mark = _array_mark(self.dialect)
            casts = [f"{mark}::{_array_type(table, name, self.dialect)}" for name in columns]
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({', '.join(casts)})"
            if conflict:
                sql += f" ON CONFLICT ({conflict}) DO NOTHING"
            parts.append(sql)
            params.extend(arrays)
        *ctes, last = parts
        sql = last if not ctes else "WITH " + ", ".join(f"w{i} AS ({cte})" for i, cte in enumerate(ctes)) + " " + last
        self.connection.exec_driver_sql(sql, tuple(params))


def _converted(table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], dialect: Dialect) -> list[tuple[Any, ...]]:
    """Rows with each value as the column's bind processor makes it (datetimes, JSON).

    Each distinct value is converted once per call: a batch repeats many (the batch's own
    timestamp is in every row of every table), and the processors are plain Python."""
    processors: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((index, processor, {}))
    if not processors:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for index, processor, done in processors:
            value = values[index]
            # A JSON list is remembered by its items (lists of strings here: authors, tags).
            key = (list, *value) if type(value) is list else value
            try:
                values[index] = done[key]
            except KeyError:
                values[index] = done[key] = processor(value)
            except TypeError:  # unhashable items: converted every time
                values[index] = processor(value)
        out.append(tuple(values))
    return out


def _array_mark(dialect: Dialect) -> str:
    """The placeholder for an array parameter: psycopg 3's `%b` sends it in binary, so neither side
    quotes and parses the text of the values (the bodies); other drivers get the plain `%s`."""
    return "%b" if dialect.driver == "psycopg" else "%s"


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
