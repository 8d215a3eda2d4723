"""Command-line options shared by the command modules (`newspipe.cli`, `newspipe.cli_archive`), kept
apart so they import it without importing each other."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from newspipe.cli_errors import check_log_level

# How a date may be written wherever the CLI takes one (parsed by crawler.discovery.window.parse_bound).
DATE_FORMS = "ISO date or datetime, or relative: 7d, 12h, 30m, 2w, today, yesterday"

AllowNetworkOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--allow-network",
        metavar="CIDR",
        help="Also fetch from this private or loopback network, e.g. 10.0.0.0/8 (repeatable; adds to $NEWSPIPE_ALLOW_NETWORKS, comma-separated).",
    ),
]


def _configured_database(value: str | None) -> str | None:
    """--db, else NEWSPIPE_DATABASE_URL from the environment or newspipe.toml (None: the SQLite default)."""
    from newspipe.config import current

    return value if value is not None else current().get("NEWSPIPE_DATABASE_URL")


DbOption = Annotated[
    Optional[str],
    typer.Option(
        "--db",
        callback=_configured_database,
        help="SQLAlchemy URL or SQLite path. Default: NEWSPIPE_DATABASE_URL (environment or newspipe.toml), else sqlite:///newspipe.db.",
    ),
]

LogLevelOption = Annotated[
    str, typer.Option("--log-level", help="Scrapy log level on stderr: CRITICAL, ERROR, WARNING, INFO or DEBUG.", callback=check_log_level)
]
