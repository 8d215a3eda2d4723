"""CLI commands for the past and for analysts: `backfill` (WARC files, a web archive's captures
through a CDX query, or a source's sitemaps and archive pages over a date window), `coverage` (stored articles per source and day) and
`report` (the HTML crawl-health report).

Registered on the main app by `newspipe.cli`; shares its helpers and exit codes.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crawler.archives.cdx import DEFAULT_CDX_SERVER, DEFAULT_REPLAY
from newspipe.cli_errors import open_database
from newspipe.cli_options import DATE_FORMS, AllowNetworkOption, DbOption, LogLevelOption

if TYPE_CHECKING:
    from crawler.discovery.window import Window  # the discovery package imports Scrapy and lxml


def backfill(
    sources_file: Annotated[Optional[Path], typer.Argument(help="TOML sources file (optional with --warc and --cdx).")] = None,
    warc: Annotated[Optional[list[str]], typer.Option("--warc", help="WARC/ARC file or glob (repeatable); CC-NEWS files too.")] = None,
    cdx: Annotated[Optional[list[str]], typer.Option("--cdx", help="URL prefix to look up in a CDX server, or a whole CDX query URL (repeatable).")] = None,
    cdx_server: Annotated[str, typer.Option("--cdx-server", help="CDX API endpoint.")] = DEFAULT_CDX_SERVER,
    replay: Annotated[str, typer.Option("--replay", help="Where the archive replays captures (<replay>/<timestamp>id_/<url>).")] = DEFAULT_REPLAY,
    delay: Annotated[float, typer.Option("--delay", help="Seconds between requests to the archive (--cdx).")] = 1.0,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(help=f"Start of the window ({DATE_FORMS}).")] = None,
    until: Annotated[Optional[str], typer.Option(help=f"End of the window, inclusive ({DATE_FORMS}).")] = None,
    missing: Annotated[bool, typer.Option("--missing", help="Only days of the window with no stored article (sitemaps and archive pages).")] = False,
    language: Annotated[Optional[list[str]], typer.Option("--language", "-l", help="Keep only this language (repeatable).")] = None,
    db: DbOption = None,
    log_level: LogLevelOption = "WARNING",
    progress: Annotated[bool, typer.Option(help="Live progress display on a terminal.")] = True,
    allow_network: AllowNetworkOption = None,
) -> None:
    """Fill in the past: import WARC files, fetch a web archive's captures listed by a CDX query, or walk a
    source's sitemaps and archive pages for a window."""
    from crawler.sources import SourcesError, load_sources
    from newspipe.cli_common import _exit_for, _run, _window, allowed_networks, fail, selection_settings

    names = source or []
    if sources_file is not None:
        try:
            load_sources(sources_file, names)
        except SourcesError as exc:
            raise fail(str(exc)) from None
    window = _window(since, until)
    overrides = {
        **selection_settings(db, sources_file, names, window, log_level),
        "NEWSPIPE_LANGUAGES": language or [],
        # WARC imports fetch nothing; CDX queries, replays and sitemap walks do.
        "NEWSPIPE_ALLOW_NETWORKS": allowed_networks(allow_network),
    }
    if warc:
        from crawler.archives.reader import expand_paths

        try:
            paths = [str(p) for p in expand_paths(warc)]
        except FileNotFoundError as exc:
            raise fail(str(exc)) from None
        # Only the warc spider's module: the loader would import every spider's (scrapy-redis too).
        overrides["SPIDER_MODULES"] = ["crawler.spiders.warc"]
        _exit_for(_run("warc", overrides, progress, paths=paths))
        return
    if cdx:
        if delay < 0:
            raise fail("--delay cannot be negative")
        overrides["NEWSPIPE_CDX_DELAY"] = delay
        _exit_for(_run("cdx", overrides, progress, queries=cdx, cdx_server=cdx_server, replay=replay))
        return
    if sources_file is None or not names or window.since is None:
        raise fail("a backfill needs --warc FILE, --cdx URL_PREFIX, or a sources file with --source NAME and --since DATE")
    days: list[str] = []
    if missing:
        from storage.coverage import coverage_by_day
        last = (window.until.date() if window.until else date.today())
        with open_database(db, create=True) as database, database.sessions() as session:
            counts = coverage_by_day(session, names, window.since.date(), last)
        days = [day.isoformat() for day, per_source in counts.items() if not any(per_source.values())]
        if not days:
            typer.echo("no missing days in the window: nothing to backfill", err=True)
            return
    _exit_for(_run("backfill", overrides, progress, days=",".join(days) or None))


def coverage(
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(help=f"First day (default: the first day with a stored article; {DATE_FORMS}).")] = None,
    until: Annotated[Optional[str], typer.Option(help=f"Last day (default: the last day with a stored article; {DATE_FORMS}).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    db: DbOption = None,
) -> None:
    """Stored articles per source and publication day (UTC), so that gaps show (0 = a day to backfill).

    Without --since/--until: the days from the first to the last stored article (the last 30 days
    when nothing is stored)."""
    from rich.table import Table

    from newspipe.cli_common import _window, out
    from newspipe.report import print_tables
    from storage.coverage import coverage_by_day, stored_days

    window = _window(since, until)
    with open_database(db, create=False) as database, database.sessions() as session:
        first, last = coverage_days(window, stored_days(session, source or []))
        counts = coverage_by_day(session, source or [], first, last)
    sources = sorted({name for per_source in counts.values() for name in per_source})
    if as_json:
        data = {"days": [{"day": d.isoformat(), **per_source} for d, per_source in counts.items()], "sources": sources}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    table = Table(title=f"articles per day (UTC), {first} to {last} (red: none stored)")
    table.add_column("day (UTC)")
    for name in sources:
        table.add_column(name, justify="right")
    for day, per_source in counts.items():
        table.add_row(day.isoformat(), *(f"[red]0[/]" if not per_source.get(n) else str(per_source[n]) for n in sources))
    print_tables(out, [table])


def coverage_days(window: Window, stored: tuple[date, date] | None) -> tuple[date, date]:
    """The days `coverage` shows: the window's bounds, else those of the stored articles (else the last 30 days)."""
    if stored is None:
        last = window.until.date() if window.until else datetime.now(timezone.utc).date()
        return (window.since.date() if window.since else last - timedelta(days=29)), last
    first_stored, last_stored = stored
    first = window.since.date() if window.since else None
    if window.until:
        last = window.until.date()
    else:
        last = last_stored if first is None or first <= last_stored else datetime.now(timezone.utc).date()
    return (first or min(first_stored, last)), last


def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("newspipe-report.html"),
    days: Annotated[int, typer.Option(help="How many days to show (changes are looked for in the last 35).", min=14)] = 60,
    db: DbOption = None,
) -> None:
    """Write a self-contained HTML crawl-health report: the sources that broke, a sources x days heatmap, run history."""
    from newspipe.health_report import render
    from newspipe.health_stats import MIN_BODY_WORDS
    from storage.health import collect

    with open_database(db, create=False) as database, database.sessions() as session:
        health = collect(session, days=days, min_body_words=MIN_BODY_WORDS)
    output.write_text(render(health), encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(backfill)
    app.command()(coverage)
    app.command()(report)
