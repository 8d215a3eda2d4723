"""How the `newspipe` command line reports what went wrong: one line on stderr and an exit code.

`run(app)` is the one place where an exception becomes a message: a user's mistake (a `UserError`,
a bad sources file, a database URL that names no database or one that cannot be reached, a file
that is not there) is one line and exit code 2; anything else is an internal error, one line
and exit code 1. No traceback reaches the user unless the global `--debug` option (or
$NEWSPIPE_DEBUG) is given: then the full traceback is printed before that line, and the exit
code stays the same.

`open_database` opens `--db` for a command, naming the URL (password hidden) and the problem when
it cannot; a read command passes `create=False`, so a mistyped SQLite path is an error instead
of a new, empty database.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    import typer

    from storage.engine import Database

EXIT_FAILED, EXIT_USAGE = 1, 2
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

_show_tracebacks = False  # set once per process by the `--debug` option


class UserError(Exception):
    """A mistake in what the user asked for: reported as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def set_debug(enabled: bool) -> None:
    global _show_tracebacks
    _show_tracebacks = enabled


def check_log_level(value: str) -> str:
    """Typer callback for `--log-level`: a level name in any case, else a one-line error."""
    level = value.upper()
    if level not in LOG_LEVELS:
        raise UserError(f"--log-level {value!r} is not a log level; choose one of {', '.join(LOG_LEVELS)}")
    return level


def shown_url(url: str) -> str:
    """The URL with its password hidden, also when it cannot be parsed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme, _, rest = url.rpartition("://")
        if "@" not in rest:
            return url
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if scheme else f"{user}:***@{host}"


def database_problem(url: str, exc: BaseException) -> str | None:
    """Why the database at `url` cannot be opened, as one line; None when `exc` is not about that."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    where = f"database {shown_url(url)}"
    if isinstance(exc, NoSuchModuleError):
        kind = url.split("://", 1)[0]
        return f"{where}: unknown kind of database {kind!r}; give sqlite:///PATH, a file path, or postgresql://USER:PASSWORD@HOST/NAME"
    if isinstance(exc, ModuleNotFoundError):
        return f"{where}: its driver ({exc.name}) is not installed; newspipe stores into SQLite or PostgreSQL"
    if isinstance(exc, (ArgumentError, ValueError)):
        return f"{where}: not a database URL ({exc})"
    if isinstance(exc, OperationalError):
        reason = str(exc.orig or exc).strip().splitlines()[0]
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).parent.is_dir():
            reason = f"the directory {Path(parsed.database).parent} does not exist"
        return f"{where}: cannot open it: {reason}"
    return None


def open_database(db: str | None, *, create: bool, upgrade: bool = True) -> Database:
    """The database `--db` names (else $NEWSPIPE_DATABASE_URL, else ./newspipe.db), connected once.

    With `create=False` (read commands) a SQLite file that does not exist, or a database without
    newspipe's tables, is a `UserError`, and nothing is created. A URL that names no database, or
    one that cannot be reached, is a `UserError` naming it. `upgrade` brings the schema to the
    latest migration.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from storage.engine import Database, missing_sqlite_file, not_a_newspipe_database, resolve_database_url
    from storage.migrate import upgrade_to_head

    url = resolve_database_url(db)
    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise UserError(database_problem(url, exc) or str(exc)) from exc
    missing = None if create else missing_sqlite_file(url)
    if missing is not None:
        raise UserError(f"no newspipe database at {missing}")
    try:
        database = Database(url, upgrade=False)
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        raise UserError(database_problem(url, exc) or str(exc)) from exc
    try:
        problem = None if create else not_a_newspipe_database(database)
        if problem is not None:
            raise UserError(problem)
        if upgrade:
            upgrade_to_head(database.engine)
        else:
            with database.engine.connect():
                pass
    except OperationalError as exc:
        database.close()
        raise UserError(database_problem(url, exc) or str(exc)) from exc
    except BaseException:
        database.close()
        raise
    return database


def check_database(db: str | None) -> None:
    """Before a crawl: the database can be opened (and is created, or brought to the latest schema)."""
    open_database(db, create=True).close()


def describe(exc: BaseException) -> tuple[str, int]:
    """The one line and the exit code for an exception that reached the command line."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from crawler.sources import SourcesError

    if isinstance(exc, UserError):
        return str(exc), exc.code
    if isinstance(exc, SourcesError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, FileNotFoundError):
        return (f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)), EXIT_USAGE
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return f"bad database URL: {exc}", EXIT_USAGE
    if isinstance(exc, OperationalError):
        return f"database error: {str(exc.orig or exc).strip().splitlines()[0]}", EXIT_FAILED
    summary = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
    return f"internal error: {summary} (run with --debug for the traceback)", EXIT_FAILED


def report(message: str) -> None:
    Console(stderr=True).print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def run(app: typer.Typer) -> None:
    """Run the typer app; an exception out of it becomes one line on stderr and its exit code."""
    try:
        app()
    except Exception as exc:  # the command line's one boundary: every error is reported, none swallowed
        if _show_tracebacks:
            traceback.print_exc()
        message, code = describe(exc)
        report(message)
        sys.exit(code)
