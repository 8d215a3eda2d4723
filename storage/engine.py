"""Engine and session factory: one `Database` per process (or per crawl), built once.

The URL comes from the caller (`--db`, the NEWSPIPE_DATABASE_URL setting: the application reads the
environment and hands it down), else SQLite at `./newspipe.db`. SQLite runs in WAL mode with a busy timeout so a
reader (`newspipe stats`) never blocks a crawl. The schema comes from the
Alembic migrations (`storage.migrate`), applied when the database is opened.
PostgreSQL connections get a connect timeout and TCP keepalives unless the URL sets its own
(`POSTGRES_CONNECT_DEFAULTS`): a database host that vanishes without closing its connections
(power loss, a network partition) then fails the write, which is retried and spooled, instead
of leaving a cron crawl blocked on a socket for hours. Likewise a statement waits at most
`POSTGRES_LOCK_TIMEOUT` for a lock (another session's schema change, or a transaction left
open) unless the URL's `options`, the role or the database set `lock_timeout`: a blocked crawl
would otherwise keep its run lock's heartbeat going, and every later cron run would stop at
"another run is going". Statements and foreign-key checks are planned for each execution on the
tables' current size (`plan_cache_mode`, see `_postgres_session_defaults`).
A crawl's `Database` gets a `statement_timeout` (seconds, NEWSPIPE_STATEMENT_TIMEOUT): on
PostgreSQL every transaction after the migrations starts with `SET LOCAL statement_timeout`, on
SQLite it is the busy timeout; and `bounded()` abandons database work that still has no answer
after twice that (`storage.deadline`), for a server that never answers at all.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.deadline import Deadlines

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///newspipe.db"


def resolve_database_url(explicit: str | None = None) -> str:
    """The database URL to use: the one given, else the SQLite default (no environment read here)."""
    url = explicit or DEFAULT_DATABASE_URL
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Accept the short forms people paste: `postgresql://` means psycopg 3, a bare path means SQLite."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def missing_sqlite_file(url: str) -> str | None:
    """The path of the SQLite file `url` names when no such file exists (opening it would create
    an empty database there), else None (another backend, in-memory, or the file is there)."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).is_file() else parsed.database


def not_a_newspipe_database(database: Database) -> str | None:
    """Why `database` cannot be read as newspipe's (no articles table), or None: for readers
    that must not create a schema."""
    from sqlalchemy import inspect

    if inspect(database.engine).has_table("articles"):
        return None
    return f"{database.display_url()} is not a newspipe database (no articles table; `newspipe db upgrade` creates one)"


# libpq parameters: give up connecting after 10 s; probe an idle connection after 30 s, every 10 s,
# dropping it after 3 unanswered probes; fail a send the server has not acknowledged in 60 s.
POSTGRES_CONNECT_DEFAULTS: dict[str, int] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}
POSTGRES_LOCK_TIMEOUT = "60s"


def _postgres_session_defaults(dbapi_connection: Any, _record: Any) -> None:
    """On a new connection, unless the URL, the role or the database set them: the lock timeout,
    and custom plans always (`plan_cache_mode = force_custom_plan`).

    Why custom plans: psycopg prepares a statement run five times, and PostgreSQL keeps the plans of
    the foreign-key checks of every insert; after five executions either may be given one generic
    plan, costed on the table sizes of that moment, which stays until the next ANALYZE of the
    table. newspipe's tables grow from nothing during a crawl, so a plan made after an ANALYZE of a
    few hundred rows (a sequential scan) went on scanning the table at tens of thousands: the
    near-duplicate look-up read hundreds of rows of `near_dup_bands` per stored article
    (benchmarks/scale.py, 8 workers), and the check of an article's story read all of `stories`.
    A custom plan is costed on the table's current size; planning these statements costs far less
    than running them. A statement rather than a libpq `options` parameter: PgBouncer refuses
    unknown startup parameters.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # no transaction left open by these statements
    try:
        dbapi_connection.execute(
            "SELECT set_config('lock_timeout', %s, false) WHERE current_setting('lock_timeout') = '0'", (POSTGRES_LOCK_TIMEOUT,)
        )
        dbapi_connection.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', false) WHERE current_setting('plan_cache_mode') = 'auto'"
        )
    finally:
        dbapi_connection.autocommit = autocommit


SQLITE_BUSY_TIMEOUT = 30.0


def _sqlite_pragmas(busy_timeout: float) -> Any:
    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    return pragmas


def _postgres_statement_timeout(seconds: float) -> Any:
    setting = f"{max(1, int(seconds * 1000))}ms"

    def limit(connection: Connection) -> None:
        # Inside the transaction just begun: it ends with it, and pooled connections stay as they were.
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = '{setting}'")

    return limit


def make_engine(url: str, *, echo: bool = False, busy_timeout: float = SQLITE_BUSY_TIMEOUT, connect_timeout: int | None = None) -> Engine:
    url = normalise_database_url(url)
    sa_url = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if sa_url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_timeout}
    else:
        kwargs["pool_pre_ping"] = True
        if sa_url.get_backend_name() == "postgresql":
            # connect_args would override the URL's own query parameters: add only what it leaves out.
            defaults = dict(POSTGRES_CONNECT_DEFAULTS)
            if connect_timeout is not None:
                defaults["connect_timeout"] = min(defaults["connect_timeout"], max(2, connect_timeout))  # libpq's least is 2
            kwargs["connect_args"] = {k: v for k, v in defaults.items() if k not in sa_url.query}
    engine = create_engine(sa_url, **kwargs)
    if sa_url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout))
    elif sa_url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgres_session_defaults)
    return engine


class Database:
    """An engine and its session factory, opened once and shared by the components that need it."""

    def __init__(self, url: str, *, upgrade: bool = True, echo: bool = False, statement_timeout: float | None = None) -> None:
        self.url = normalise_database_url(url)
        self.statement_timeout = statement_timeout if statement_timeout and statement_timeout > 0 else None
        busy_timeout = self.statement_timeout or SQLITE_BUSY_TIMEOUT
        # Connecting is database work too: no longer than the bound on it (below).
        connect_timeout = int(2 * self.statement_timeout) if self.statement_timeout else None
        self.engine = make_engine(self.url, echo=echo, busy_timeout=busy_timeout, connect_timeout=connect_timeout)
        self.deadlines = Deadlines(self.engine) if self.statement_timeout else None
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            from storage.migrate import upgrade_to_head

            upgrade_to_head(self.engine)  # before the statement timeout: a migration may take long
        if self.statement_timeout and self.backend == "postgresql":
            event.listen(self.engine, "begin", _postgres_statement_timeout(self.statement_timeout))

    def bounded(self, what: str = "database work") -> AbstractContextManager[None]:
        """Abandon the work in this block (cut its connection) when it has no answer after twice the
        statement timeout; `DatabaseNotAnswering` is raised then. No bound without a statement timeout."""
        if self.deadlines is None or self.statement_timeout is None:
            return nullcontext()
        return self.deadlines.bounded(2 * self.statement_timeout, what)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
