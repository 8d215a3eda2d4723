"""CLI for sources files: `sources list FILE`, `sources check FILE`, and `crawl --dry-run`.

`check` validates the file (exit code 2 with the usual one-line error) and lists every URL each
source would start from: feeds, sitemaps, section pages and robots.txt (read for Sitemap: lines).
`crawl --dry-run` (`dry_run`) runs the discovery with `newspipe.dryrun.DryRunMiddleware`: feeds,
sitemaps and sections are fetched, article URLs are printed instead of fetched, nothing is stored.

Registered on the main app by `newspipe.cli`; shares its helpers and exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

if TYPE_CHECKING:
    from crawler.sources import Source


sources_app = typer.Typer(help="Check and list sources files.", no_args_is_help=True, rich_markup_mode=None)
FileArgument = Annotated[Path, typer.Argument(help="TOML sources file.")]


def _load(path: Path) -> list[Source]:
    from crawler.sources import SourcesError, load_sources
    from newspipe.cli_common import fail

    try:
        return load_sources(path)
    except SourcesError as exc:
        raise fail(str(exc)) from None


def _number(value: float | int | None) -> str:
    return "-" if value is None else f"{value:g}"


@sources_app.command("list")
def list_sources(sources_file: FileArgument) -> None:
    """A table of the sources: domains, how many feeds, sitemaps, sections and archives, delay and concurrency."""
    from newspipe.cli_common import out
    from newspipe.report import print_tables

    table = Table(title=f"{sources_file}: sources")
    for column in ("name", "domains", "feeds", "sitemaps", "sections", "archives", "delay (s)", "concurrency", "language"):
        table.add_column(column, justify="left" if column in ("name", "domains", "language") else "right")
    for source in _load(sources_file):
        table.add_row(
            source.name, ", ".join(source.domains), str(len(source.feeds)), str(len(source.sitemaps)), str(len(source.sections)),
            str(len(source.archives)), _number(source.delay), _number(source.concurrency), source.language or "-",
        )  # fmt: skip
    print_tables(out, [table])


def start_urls(source: Source) -> list[tuple[str, str]]:
    """(kind, URL) of every request a crawl starts a source with, in the spider's order."""
    from crawler.spiders.base import robots_urls

    urls = [("feed", url) for url in source.feeds]
    if source.robots_sitemaps:
        urls += [("robots", url) for url in robots_urls(source)]
    urls += [("sitemap", url) for url in source.sitemaps]
    urls += [("section", url) for url in source.sections]
    return urls


@sources_app.command("check")
def check_sources(sources_file: FileArgument) -> None:
    """Validate a sources file and list what each source would fetch first (exit code 2 when invalid)."""
    from newspipe.cli_common import err, out
    from newspipe.report import print_tables

    sources = _load(sources_file)
    table = Table(title=f"{sources_file}: what a crawl starts with")
    for column in ("source", "kind", "url"):
        table.add_column(column)
    for source in sources:
        for kind, url in start_urls(source):
            table.add_row(source.name, kind, url)
    print_tables(out, [table])
    err.print(f"{sources_file}: {len(sources)} sources, valid", highlight=False, soft_wrap=True)


def dry_run(overrides: dict[str, Any]) -> int:
    """Run the news spider's discovery without fetching articles or storing anything; print the
    article URLs (tab-separated source and URL) on stdout. Returns the crawl's exit code."""
    import tempfile

    from crawler.runner import build_settings, run_spider
    from newspipe.cli_common import EXIT_FAILED, err
    from newspipe.config import current

    with tempfile.TemporaryDirectory(prefix="newspipe-dry-run-") as tmp:
        found = Path(tmp) / "would-fetch.jsonl"
        settings = build_settings(current().settings(overrides))
        switched_off: dict[str, Any] = {
            "NEWSPIPE_DRY_RUN_FILE": str(found),
            "NEWSPIPE_INCREMENTAL": False,  # reads and writes the database
            "NEWSPIPE_PROGRESS": False,
            "JOBDIR": None,
            "NEWSPIPE_WARC_DIR": None,
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.extensions.CrawlRunRecorder": None},
            "SPIDER_MIDDLEWARES": {**settings.getdict("SPIDER_MIDDLEWARES"), "newspipe.dryrun.DryRunMiddleware": 900},
        }
        for name, value in switched_off.items():  # None too: a value from newspipe.toml is switched off
            settings.set(name, value, priority="cmdline")
        outcome = run_spider("news", settings)
        records = [json.loads(line) for line in found.read_text(encoding="utf-8").splitlines()] if found.exists() else []
    for record in records:
        typer.echo(f"{record['source']}\t{record['url']}")
    seeds = int(outcome.stats.get("newspipe/discovery/seeds", 0))
    fetched = int(outcome.stats.get("newspipe/discovery/seeds_fetched", 0))
    err.print(
        f"dry run: {len(records):,} article URLs would be fetched ({fetched} of {seeds} feeds, sitemaps and sections read); nothing stored",
        highlight=False, soft_wrap=True,
    )  # fmt: skip
    return 0 if outcome.reason == "finished" and (fetched or not seeds) else EXIT_FAILED


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
