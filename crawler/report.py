"""Rich tables for the terminal: the end-of-crawl summary and `newspipe stats`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from crawler.runner import CrawlOutcome

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
    return table


def stats_tables(stats: dict[str, Any]) -> list[Table]:
    by_source = Table(title=f"{stats['articles']:,} articles, {stats['duplicates']:,} duplicates")
    by_source.add_column("source")
    by_source.add_column("day")
    by_source.add_column("articles", justify="right")
    for row in stats["by_source_day"]:
        by_source.add_row(row["source"], row["day"] or "(undated)", f"{row['articles']:,}")
    runs = Table(title="recent runs")
    for column in ("run", "spider", "status", "started", "fetched", "304", "new", "updated", "dup", "unchanged", "skipped", "errors"):
        runs.add_column(column, justify="right" if column not in ("spider", "status", "started") else "left")
    for run in stats["runs"]:
        c = run["counts"]
        runs.add_row(
            str(run["id"]), run["spider"], run["status"], (run["started_at"] or "")[:19],
            *(str(c.get(k, 0)) for k in ("pages_fetched", "not_modified", "articles_new", "articles_updated", "articles_duplicate")),
            str(c.get("revisits_unchanged", c.get("articles_existing", 0))),  # runs recorded before 304s counted
            str(c.get("skipped", 0)),
            str(run["error_count"]),
        )  # fmt: skip
    return [by_source, runs]


def print_tables(console: Console, tables: list[Table]) -> None:
    for table in tables:
        console.print(table)
