"""End to end: crawl the bundled demo site with the CLI into a fresh database (SQLite and
PostgreSQL) and compare what was stored with the site's truth file, exactly; run `newspipe demo`
twice in one folder, and on both databases."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from newspipe.demo import DemoSite
from storage.engine import Database
from storage.repository import ArticleRepository

pytestmark = pytest.mark.e2e

GENERIC_ACCOUNTS = {"admin"}  # CMS accounts the extractor must drop from authors


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


def newspipe(*args: str, timeout: float = 180, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh process (Scrapy's reactor cannot restart within one); it may fetch from 127.0.0.1 only."""
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd
    )


def crawl(demo: DemoSite, db_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    result = newspipe("crawl", str(sources), "--db", db_url, "--no-progress", "--log-level", "INFO", *extra)
    assert result.returncode == 0, f"crawl failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}"
    return result


def exported(db_url: str) -> list[dict[str, Any]]:
    with Database(db_url) as database, database.sessions() as session:
        return list(ArticleRepository(session).iter_export())


def run_stats(db_url: str) -> dict[str, Any]:
    with Database(db_url) as database, database.sessions() as session:
        return ArticleRepository(session).stats()


def test_demo_crawl_stores_exactly_the_expected_articles(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    truth = demo.expected()
    demo.request_log.clear()
    crawl(demo, db_url, tmp_path)
    rows = exported(db_url)
    by_url = {r["canonical_url"]: r for r in rows}

    expected = {a["url"]: a for a in truth["articles"]}
    assert sorted(by_url) == sorted(expected), "the stored set differs from examples/demo-site/expected.json"
    assert len(rows) == len(expected), "an article was stored twice"
    for url, want in expected.items():
        got = by_url[url]
        assert got["source"] == want["publisher"], url
        assert got["headline"] == want["headline"], url
        assert datetime.fromisoformat(got["published_at"]) == datetime.fromisoformat(want["published_at"]), url
        assert got["published_at"] == want["published_at"], f"{url}: the page's own UTC offset must be kept"
        assert got["authors"] == [a for a in want["authors"] if a.lower() not in GENERIC_ACCOUNTS], url
        want_dup = want["duplicate_of"]["url"] if want["duplicate_of"] else None
        assert got["duplicate_of"] == want_dup, url
        for noise in ("Unlock the", "LEAVE A REPLY", "Please enter your comment", "Most Popular", "Source link", "Recent Comments"):
            assert noise not in got["body"], f"{url}: boilerplate {noise!r} in the body"
        lines = {line.strip() for line in got["body"].splitlines()}
        assert not lines & set(want["forbidden_lines"]), f"{url}: page furniture in the body"

    stored_urls = {u for r in rows for u in (r["url"], r["canonical_url"])}
    for page in truth["not_stored"]:
        assert page["url"] not in stored_urls, f"{page['url']} ({page['why']}) must not be stored"
    for page in (p for p in truth["not_stored"] if p["why"] == "robots"):
        assert demo.requests_for(page["publisher"], page["path"]) == 0, "robots.txt Disallow was not obeyed"


def test_second_run_adds_nothing_and_runs_are_recorded(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    crawl(demo, db_url, tmp_path)
    first = exported(db_url)
    crawl(demo, db_url, tmp_path)
    assert exported(db_url) == first
    runs = run_stats(db_url)["runs"]
    assert [r["status"] for r in runs] == ["finished", "finished"]
    latest, earliest = runs
    assert earliest["counts"]["articles_new"] + earliest["counts"]["articles_duplicate"] == len(first)
    # The demo's syndicated copy is a duplicate either way round: found as one, or relinked later.
    assert earliest["counts"]["articles_duplicate"] + earliest["counts"]["articles_relinked"] == 1
    assert latest["counts"]["articles_new"] == 0 and latest["counts"]["articles_duplicate"] == 0
    assert earliest["counts"]["skipped"] > 0  # the non-article pages, counted with their reasons
    assert any(key.startswith("extract/skipped/") for key in earliest["counts"])
    # Incremental: feeds, sitemaps and sections answer 304, so no article or non-article page is fetched again.
    assert latest["counts"]["skipped"] == 0 and latest["counts"]["not_modified"] > 0


def test_since_until_window_backfills_only_that_window(demo: DemoSite, sqlite_url: str, tmp_path: Path) -> None:
    truth = demo.expected()
    crawl(demo, sqlite_url, tmp_path, "--since", "2025-10-20", "--until", "2025-10-31")
    got = {r["canonical_url"] for r in exported(sqlite_url)}
    want = {a["url"] for a in truth["articles"] if "2025-10-20" <= a["published_at"][:10] <= "2025-10-31"}
    assert want and got == want


def test_export_and_stats_commands(demo: DemoSite, sqlite_url: str, tmp_path: Path) -> None:
    crawl(demo, sqlite_url, tmp_path)
    jsonl = newspipe("export", "--format", "jsonl", "--db", sqlite_url)
    assert jsonl.returncode == 0, jsonl.stderr
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == len(demo.expected()["articles"])
    required = {"url", "canonical_url", "source", "headline", "published_at", "modified_at", "authors", "body",
                "language", "site_name", "fetched_at", "duplicate_of"}  # fmt: skip
    assert all(required <= r.keys() for r in records)

    out_csv = tmp_path / "metro.csv"
    csv_run = newspipe("export", "--format", "csv", "--source", "metro-wire", "--output", str(out_csv), "--db", sqlite_url)
    assert csv_run.returncode == 0, csv_run.stderr
    import csv

    with out_csv.open(encoding="utf-8") as handle:
        metro = list(csv.DictReader(handle))
    assert metro and {r["source"] for r in metro} == {"metro-wire"}

    stats = newspipe("stats", "--json", "--db", sqlite_url)
    data = json.loads(stats.stdout)
    assert data["articles"] == len(records) and data["duplicates"] == 1
    assert set(data["by_source"]) == {"harbour-herald", "valley-times", "metro-wire"}


# -- `newspipe demo` as a new user runs it ------------------------------------------------------

# What differs between two runs of the same crawl: row ids, fetch times and story ids (compared as groups).
RUN_SPECIFIC = ("id", "fetched_at", "story_id")


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without their run-specific fields, in URL order, each with the URLs of its story."""
    stories: dict[Any, list[str]] = {}
    for row in rows:
        stories.setdefault(row["story_id"], []).append(row["canonical_url"])
    return sorted(
        ({**{k: v for k, v in row.items() if k not in RUN_SPECIFIC}, "story": sorted(stories[row["story_id"]])} for row in rows),
        key=lambda r: r["canonical_url"],
    )


@pytest.fixture(scope="module")
def demo_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[subprocess.CompletedProcess[str]], str]:
    """`newspipe demo` run twice in the same folder (its default database, ./newspipe.db)."""
    folder = tmp_path_factory.mktemp("demo-folder")
    runs = [newspipe("demo", "--no-progress", cwd=folder) for _ in range(2)]
    return runs, f"sqlite:///{folder / 'newspipe.db'}"


def test_demo_run_twice_in_one_folder_stores_each_article_once(demo_twice: tuple[list[subprocess.CompletedProcess[str]], str]) -> None:
    runs, db_url = demo_twice
    for run in runs:
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-4000:]
        assert "Traceback" not in output
    assert all("http://harbour-herald.example/" in run.stderr for run in runs)  # says where the site is
    truth = DemoSite().expected()  # fixed URLs: known without a server
    rows = exported(db_url)
    assert sorted(r["canonical_url"] for r in rows) == sorted(a["url"] for a in truth["articles"])
    latest, earliest = run_stats(db_url)["runs"]
    assert earliest["counts"]["articles_new"] + earliest["counts"]["articles_duplicate"] == len(truth["articles"])
    assert latest["counts"]["articles_new"] == latest["counts"]["articles_duplicate"] == 0
    assert latest["error_count"] == 0 and latest["counts"].get("errors", 0) == 0


@pytest.mark.postgres
def test_demo_on_postgresql_stores_the_same_rows_as_on_sqlite(
    demo_twice: tuple[list[subprocess.CompletedProcess[str]], str], postgres_url: str, tmp_path: Path
) -> None:
    result = newspipe("demo", "--no-progress", "--db", postgres_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    _, sqlite_db = demo_twice
    on_sqlite, on_postgres = comparable(exported(sqlite_db)), comparable(exported(postgres_url))
    assert len(on_postgres) == len(DemoSite().expected()["articles"])
    assert on_postgres == on_sqlite


def test_serve_only_says_how_to_reach_the_site_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    server = subprocess.Popen([sys.executable, "-m", "newspipe.cli", "demo", "--serve-only"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        stderr = server.stderr
        assert stderr is not None
        lines: list[str] = []  # read aside, so that a server that prints nothing fails instead of hanging
        reader = threading.Thread(target=lambda: lines.extend(stderr.readline() for _ in range(2)), daemon=True)
        reader.start()
        reader.join(timeout=60)
        assert len(lines) == 2, f"no address printed: {lines}"
        (proxy,) = re.findall(r"curl -x (http://127\.0\.0\.1:\d+) http://harbour-herald\.example/", lines[1])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
        with opener.open("http://metro-wire.example/robots.txt", timeout=10) as response:
            assert b"Disallow: /private/" in response.read()
    finally:
        server.send_signal(signal.SIGINT)
        _, rest = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in rest
