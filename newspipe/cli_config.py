"""CLI for the settings layers (`newspipe.config`): the main options `--config FILE`,
`--set NAME=VALUE` and `--log-format`, and `newspipe config` (the effective settings and where
each came from).

Registered on the main app by `newspipe.cli`; shares its helpers and exit codes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from newspipe.config import Config, ConfigError, load

LOG_FORMATS = ("text", "json")

ConfigOption = Annotated[
    Optional[Path],
    typer.Option("--config", metavar="FILE", help="Settings file (TOML). Default: newspipe.toml in the working directory, if any."),
]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", metavar="NAME=VALUE", help="Set a NEWSPIPE_* setting (repeatable; wins over newspipe.toml and the environment)."),
]
LogFormatOption = Annotated[
    Optional[str], typer.Option("--log-format", metavar="text|json", help="Log lines as 'text' or 'json' (one object per line: time, level, logger, message).")
]


def load_config(config_file: Path | None, assignments: list[str] | None, log_format: str | None) -> Config:
    """The layered config for this command; a one-line error and exit code 2 when it cannot be used."""
    from newspipe.cli_common import fail

    try:
        config = load(config_file, os.environ, assignments or [])
    except ConfigError as exc:
        raise fail(str(exc)) from None
    config = config.with_command_line({"NEWSPIPE_LOG_FORMAT": log_format})
    if config.get("NEWSPIPE_LOG_FORMAT") not in LOG_FORMATS:
        where = config.origins["NEWSPIPE_LOG_FORMAT"]
        raise fail(f"log format {config.get('NEWSPIPE_LOG_FORMAT')!r} ({where}): choose one of {', '.join(LOG_FORMATS)}")
    return config


def show_config(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False) -> None:
    """Print the effective NEWSPIPE_* settings and where each came from (default, newspipe.toml, environment, command line)."""
    from rich.table import Table

    from newspipe.cli_common import out
    from newspipe.config import current
    from newspipe.report import print_tables

    config = current()
    rows = [{"name": name, "value": config.values[name], "from": config.origins[name]} for name in sorted(config.values)]
    if as_json:
        sys.stdout.write(json.dumps({"file": str(config.file) if config.file else None, "settings": rows}, indent=2, default=str) + "\n")
        return
    table = Table(title=f"settings (file: {config.file or 'none'})")
    for column in ("name", "value", "from"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["name"], json.dumps(row["value"], default=str), row["from"], style=None if row["from"] == "default" else "bold")
    print_tables(out, [table])


def register(app: typer.Typer) -> None:
    app.command("config")(show_config)
