"""The CLI basics: --version, relative dates wherever a date is taken, export --until."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newspipe.cli import app
from newspipe.cli_archive import coverage_days
from crawler.discovery.window import Window, WindowError, parse_bound
from storage.engine import Database
from storage.repository import ArticleRepository
from tests.test_export import article, store

UTC = timezone.utc
NOW = datetime(2025, 10, 15, 13, 45, tzinfo=UTC)
runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"newspipe {version('newspipe')}"


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("7d", False, NOW - timedelta(days=7)),
        ("12h", False, NOW - timedelta(hours=12)),
        ("30m", True, NOW - timedelta(minutes=30)),
        ("2w", False, NOW - timedelta(weeks=2)),
        ("today", False, datetime(2025, 10, 15, tzinfo=UTC)),
        ("Yesterday", False, datetime(2025, 10, 14, tzinfo=UTC)),
        ("yesterday", True, datetime(2025, 10, 14, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2025-10-01", False, datetime(2025, 10, 1, tzinfo=UTC)),
    ],
)
def test_relative_dates(text: str, end: bool, expected: datetime) -> None:
    assert parse_bound(text, end=end, now=NOW) == expected


def test_relative_window_and_bad_values() -> None:
    window = Window.parse("yesterday", "today", now=NOW)
    assert window.since == datetime(2025, 10, 14, tzinfo=UTC) and window.until.date() == NOW.date()
    for bad in ("7 days ago", "7x", "d7", "tomorrowish"):
        with pytest.raises(WindowError, match="relative date such as 7d"):
            parse_bound(bad, name="since")


def test_crawl_takes_relative_dates(tmp_path: Path) -> None:
    # A window that ends before it starts, both relative: refused before any fetch.
    result = runner.invoke(app, ["crawl", "examples/sources.toml", "--since", "today", "--until", "3d"])
    assert result.exit_code == 2 and "is after until" in result.output


def test_export_since_and_until(sqlite_url: str) -> None:
    # article(i) is published on 2025-10-(1+i).
    store(sqlite_url, [article(i) for i in range(6)])
    result = runner.invoke(app, ["export", "--db", sqlite_url, "--since", "2025-10-02", "--until", "2025-10-04"])
    assert result.exit_code == 0, result.output
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines() if line.startswith("{")]
    assert urls == ["https://n.example/1", "https://n.example/2", "https://n.example/3"]
    recent = runner.invoke(app, ["export", "--db", sqlite_url, "--since", "2d"])
    assert recent.exit_code == 0 and not [line for line in recent.stdout.splitlines() if line.startswith("{")]


LONG = ["the-carrowmere-evening-chronicle", "harbour-herald-weekend-edition", "metro-wire-business-desk"]


def store_long_named(db_url: str) -> None:
    items = []
    for i in range(6):
        item = article(i)
        item.source = LONG[i % 3]
        items.append(item)
    store(db_url, items)
    with Database(db_url) as database, database.sessions.begin() as session:
        ArticleRepository(session).start_run("news", {})


def test_stats_piped_is_not_cut_at_80_columns_and_times_have_a_zone(sqlite_url: str) -> None:
    store_long_named(sqlite_url)
    result = runner.invoke(app, ["stats", "--db", sqlite_url], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    for name in LONG:
        assert name in result.stdout
    assert " UTC" in result.stdout and "started (UTC)" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 80


def test_coverage_defaults_to_the_stored_days_and_is_not_cut(sqlite_url: str) -> None:
    store_long_named(sqlite_url)  # published 2025-10-01 .. 2025-10-06
    result = runner.invoke(app, ["coverage", "--db", sqlite_url], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "2025-10-01 to 2025-10-06" in result.stdout
    assert "…" not in result.stdout and all(name in result.stdout for name in LONG)
    data = json.loads(runner.invoke(app, ["coverage", "--db", sqlite_url, "--json"]).stdout)
    assert [d["day"] for d in data["days"]] == [f"2025-10-0{i}" for i in range(1, 7)]
    assert sum(d[LONG[0]] for d in data["days"]) == 2
    one = json.loads(runner.invoke(app, ["coverage", "--db", sqlite_url, "--json", "--since", "2025-10-05"]).stdout)
    assert [d["day"] for d in one["days"]] == ["2025-10-05", "2025-10-06"]


@pytest.mark.parametrize(
    ("since", "until", "stored", "expected"),
    [
        (None, None, None, None),  # nothing stored: the last 30 days
        (None, None, (date(2025, 10, 1), date(2025, 10, 6)), (date(2025, 10, 1), date(2025, 10, 6))),
        ("2025-10-03", None, (date(2025, 10, 1), date(2025, 10, 6)), (date(2025, 10, 3), date(2025, 10, 6))),
        (None, "2025-10-04", (date(2025, 10, 1), date(2025, 10, 6)), (date(2025, 10, 1), date(2025, 10, 4))),
        ("2025-09-01", "2025-09-02", (date(2025, 10, 1), date(2025, 10, 6)), (date(2025, 9, 1), date(2025, 9, 2))),
    ],
)
def test_coverage_days(since: str | None, until: str | None, stored: tuple[date, date] | None, expected: tuple[date, date] | None) -> None:
    first, last = coverage_days(Window.parse(since, until), stored)
    if expected is None:
        assert (last - first).days == 29 and last == datetime.now(UTC).date()
    else:
        assert (first, last) == expected
