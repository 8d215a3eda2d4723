"""What the `newspipe` command modules share: the consoles, exit codes, `fail`, the crawl runner.

`newspipe.cli` and the command modules it registers (`cli_archive`, `cli_workers`, `cli_sources`,
`cli_config`) import from here, never from each other, so the command line has no import loop.
Scrapy, Twisted and SQLAlchemy are imported inside the functions that use them (`--help` stays fast).
Settings: NEWSPIPE_ALLOW_NETWORKS (through `newspipe.config.current`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console

from newspipe import cli_errors
from newspipe.cli_errors import EXIT_FAILED, EXIT_USAGE
from newspipe.config import current

if TYPE_CHECKING:
    from crawler.discovery.window import Window
    from crawler.runner import CrawlOutcome

err = Console(stderr=True)
out = Console()

EXIT_NOT_ARTICLE = 3
EXIT_LOCKED = 4  # another run of the same crawl job holds its lock

WarcDirOption = Annotated[
    Optional[Path], typer.Option("--warc-dir", help="Also write every download to a WARC file in this directory (replay with `backfill --warc`).")
]


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    cli_errors.report(message)
    return typer.Exit(code)


def allowed_networks(cli_values: list[str] | None, *own: str) -> list[str]:
    """NEWSPIPE_ALLOW_NETWORKS for a run: `--allow-network` values, $NEWSPIPE_ALLOW_NETWORKS and `own` (checked)."""
    from crawler.addresses import parse_networks

    configured = current().get("NEWSPIPE_ALLOW_NETWORKS") or []  # newspipe.toml, environment or --set
    cidrs = [*(cli_values or []), *configured, *own]
    try:
        return [str(network) for network in parse_networks(cidrs)]
    except ValueError as exc:
        raise fail(f"--allow-network / NEWSPIPE_ALLOW_NETWORKS: {exc}") from None


def _window(since: str | None, until: str | None) -> Window:
    from crawler.discovery.window import Window

    try:
        return Window.parse(since, until)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _run(
    spider: str, overrides: dict[str, Any], progress: bool, *, lock_name: str | None = None, **spider_kwargs: Any
) -> CrawlOutcome:
    from crawler import startupgc

    startupgc.pause()  # the garbage collector, until the crawl's engine starts (see crawler.startupgc)
    try:
        from newspipe.report import summary_table
        from crawler.runner import build_settings, run_spider
        from storage.locks import LockHeld

        overrides = {**overrides, "NEWSPIPE_PROGRESS": progress and err.is_terminal}
        cli_errors.check_database(overrides.get("NEWSPIPE_DATABASE_URL"))  # a wrong --db: one line, before Scrapy starts
        try:
            outcome = run_spider(spider, build_settings(current().settings(overrides)), lock_name=lock_name, **spider_kwargs)
        except LockHeld as exc:
            raise fail(str(exc), EXIT_LOCKED) from None
    finally:
        startupgc.finish()
    out.print(summary_table(outcome))
    return outcome


def selection_settings(db: str | None, sources_file: Path | None, names: list[str], window: Window, log_level: str) -> dict[str, Any]:
    """The settings every crawling command sets: database, sources, window, log level."""
    return {
        "NEWSPIPE_DATABASE_URL": db,
        "NEWSPIPE_SOURCES_FILE": str(sources_file) if sources_file else "",
        "NEWSPIPE_SOURCE_NAMES": names or None,  # None: NEWSPIPE_SOURCE_NAMES from newspipe.toml or the environment, else all
        "NEWSPIPE_SINCE": window.since.isoformat() if window.since else None,
        "NEWSPIPE_UNTIL": window.until.isoformat() if window.until else None,
        "LOG_LEVEL": log_level,
    }


def _exit_for(outcome: CrawlOutcome) -> None:
    """Exit 1, with one line saying why, unless the run finished cleanly (`crawler.outcome`)."""
    failures = int(outcome.stats.get("newspipe/fetch/connect_failed", 0))
    if failures and not outcome.stats.get("response_received_count"):
        raise fail(f"no host could be reached ({failures:,} connection failures): check the network", EXIT_FAILED)
    if outcome.ok:
        return
    what = f"the run was interrupted ({outcome.reason})" if outcome.status == "interrupted" else "the run failed"
    spooled = int(outcome.stats.get("newspipe/store/spooled", 0))
    if spooled:
        path = outcome.stats.get("newspipe/store/spool_path")
        raise fail(
            f"{what}: the database refused {spooled} articles, kept in {path}; "
            "they are loaded back by the next run or `newspipe db replay`",
            EXIT_FAILED,
        )
    if outcome.status == "interrupted":
        raise fail(f"{what}; see `newspipe stats`", EXIT_FAILED)
    raise fail(f"{what}: {outcome.verdict.describe()}; see the log above and `newspipe stats`", EXIT_FAILED)
