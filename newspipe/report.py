"""Rich tables for the terminal: the end-of-crawl summary and `newspipe stats`.

Times carry their time zone (UTC); tables printed to a pipe or a log file (cron) are printed at
their natural width instead of being squeezed or cut to 80 columns.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table

if TYPE_CHECKING:
    from crawler.runner import CrawlOutcome  # imports Scrapy: `newspipe stats` prints tables without it

SUMMARY_ROWS = (
    ("pages fetched", "pages_fetched"),
    ("not modified (304)", "not_modified"),
    ("new articles", "articles_new"),
    ("new versions of stored articles", "articles_updated"),
    ("duplicates (joined their story)", "articles_duplicate"),
    ("  of which near-duplicates", "articles_near_duplicate"),
    ("earlier copies relinked to a new original", "articles_relinked"),
    ("stored articles revisited", "articles_revisited"),
    ("revisited, unchanged (incl. 304)", "revisits_unchanged"),
    ("  not revisited: over NEWSPIPE_REVISIT_MAX", "revisits_capped"),
    ("already stored, not requested", "known_not_requested"),
    ("not articles (skipped)", "skipped"),
    ("could not be stored", "articles_failed"),
    ("spooled: the database refused them", "articles_spooled"),
    ("loaded back from the spool", "articles_replayed"),
    ("errors", "errors"),
    ("refused: private network address", "fetch/refused_private"),
)


def summary_table(outcome: CrawlOutcome) -> Table:
    colour = "green" if outcome.ok else "red"
    title = f"[{colour}]crawl {outcome.status}[/] ({outcome.spider}, run {outcome.run_id}, {outcome.reason})"
    table = Table(title=title, show_header=False)
    table.add_column()
    table.add_column(justify="right")
    for label, key in SUMMARY_ROWS:
        table.add_row(label, f"{outcome.counts.get(key, 0):,}")
    shown = {key for _, key in SUMMARY_ROWS}
    details = sorted((k, v) for k, v in outcome.counts.items() if ("/" in k or k.startswith("http_")) and k not in shown)
    for key, value in details:
        table.add_row(f"  {key}", f"{value:,}", style="dim")
    for label, count in outcome.verdict.errors.items():  # what failed the run (crawler.outcome)
        table.add_row(f"error: {label}", f"{count:,}", style="red")
    return table


def stats_tables(stats: dict[str, Any]) -> list[Table]:
    by_source = Table(title=f"{stats['articles']:,} articles, {stats['duplicates']:,} duplicates")
    by_source.add_column("source")
    by_source.add_column("day (UTC)")
    by_source.add_column("articles", justify="right")
    for row in stats["by_source_day"]:
        by_source.add_row(row["source"], row["day"] or "(undated)", f"{row['articles']:,}")
    runs = Table(title="recent runs")
    for column in ("run", "spider", "status", "started (UTC)", "fetched", "304", "new", "updated", "dup", "unchanged", "skipped", "errors"):
        runs.add_column(column, justify="right" if column not in ("spider", "status", "started (UTC)") else "left")
    for run in stats["runs"]:
        c = run["counts"]
        runs.add_row(
            str(run["id"]), run["spider"], run["status"], utc_time(run["started_at"]),
            *(str(c.get(k, 0)) for k in ("pages_fetched", "not_modified", "articles_new", "articles_updated", "articles_duplicate")),
            str(c.get("revisits_unchanged", c.get("articles_existing", 0))),  # runs recorded before 304s counted
            str(c.get("skipped", 0)),
            str(run["error_count"]),
        )  # fmt: skip
    return [by_source, runs]


def utc_time(iso: str | None) -> str:
    """An ISO timestamp as `2025-10-01 12:00:00 UTC` (naive values are UTC); '' for None."""
    if not iso:
        return ""
    when = datetime.fromisoformat(iso)
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def print_tables(console: Console, tables: list[RenderableType]) -> None:
    """Print to a terminal at its width; to a pipe or file at each table's natural width (no 80-column cut)."""
    for table in tables:
        if console.is_terminal:
            console.print(table)
            continue
        wide = console.options.update_width(1_000_000)
        width = Measurement.get(console, wide, table).maximum
        # Console.print caps `width` at the console's own (80 off a terminal): print through one as wide as the table.
        Console(file=console.file, width=max(width, 20), highlight=False).print(table, crop=False)
