"""Command-line options shared by the command modules (`crawler.cli`, `crawler.cli_archive`), kept
apart so they import it without importing each other."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from crawler.cli_errors import check_log_level

AllowNetworkOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--allow-network",
        metavar="CIDR",
        help="Also fetch from this private or loopback network, e.g. 10.0.0.0/8 (repeatable; adds to $NEWSPIPE_ALLOW_NETWORKS, comma-separated).",
    ),
]

LogLevelOption = Annotated[
    str, typer.Option("--log-level", help="Scrapy log level on stderr: CRITICAL, ERROR, WARNING, INFO or DEBUG.", callback=check_log_level)
]
