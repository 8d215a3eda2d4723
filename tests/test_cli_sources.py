"""`sources list`, `sources check` and `crawl --dry-run`: what a sources file holds and what a crawl would fetch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newspipe.cli import app
from tests.httpsite import Site

runner = CliRunner()

SOURCES = """
[[source]]
name = "the-carrowmere-evening-chronicle"
feeds = ["https://chronicle.example/feed/", "https://chronicle.example/world/feed/"]
sitemaps = ["https://chronicle.example/news-sitemap.xml"]
delay = 1.5
concurrency = 2

[[source]]
name = "herald"
domains = ["herald.example", "www.herald.example"]
sections = ["https://herald.example/politics/"]
robots_sitemaps = false
language = "en"
"""


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


def test_sources_list(sources_file: Path) -> None:
    result = runner.invoke(app, ["sources", "list", str(sources_file)])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in result.stdout.splitlines() if line.startswith("│")}
    assert rows["the-carrowmere-evening-chronicle"] == ["chronicle.example", "2", "1", "0", "0", "1.5", "2", "-"]
    assert rows["herald"] == ["herald.example, www.herald.example", "0", "0", "1", "0", "-", "-", "en"]


def test_sources_check_lists_what_each_source_fetches(sources_file: Path) -> None:
    result = runner.invoke(app, ["sources", "check", str(sources_file)])
    assert result.exit_code == 0, result.output
    rows = [tuple(c.strip() for c in line.split("│")[1:-1]) for line in result.stdout.splitlines() if line.startswith("│")]
    chronicle = "the-carrowmere-evening-chronicle"
    assert rows == [
        (chronicle, "feed", "https://chronicle.example/feed/"),
        (chronicle, "feed", "https://chronicle.example/world/feed/"),
        (chronicle, "robots", "https://chronicle.example/robots.txt"),
        (chronicle, "sitemap", "https://chronicle.example/news-sitemap.xml"),
        ("herald", "section", "https://herald.example/politics/"),
    ]
    assert "2 sources, valid" in result.stderr


def test_sources_check_invalid_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nfeeds = ["https://x.example/f"]\nconcurrency = 0\n', encoding="utf-8")
    result = runner.invoke(app, ["sources", "check", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "bad.toml: source 'x', field 'concurrency'" in result.stderr
    assert runner.invoke(app, ["sources", "list", str(tmp_path / "missing.toml")]).exit_code == 2


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>{base}/2025/10/one</link></item>
<item><title>Two</title><link>{base}/2025/10/two</link></item>
</channel></rss>"""


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    site.pages["/feed/"] = ("application/rss+xml", FEED.format(base=site.base))
    site.pages["/robots.txt"] = ("text/plain", "User-agent: *\nAllow: /\n")
    yield site
    site.stop()


def test_crawl_dry_run_prints_article_urls_fetches_and_stores_nothing(site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nname = "local"\nfeeds = ["{site.base}/feed/"]\nrobots_sitemaps = false\n', encoding="utf-8")
    database = tmp_path / "n.db"
    result = subprocess.run(
        [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", f"sqlite:///{database}", "--no-progress", "--dry-run"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"local\t{site.base}/2025/10/one", f"local\t{site.base}/2025/10/two"]
    assert "2 article URLs would be fetched" in result.stderr
    assert site.hits["/feed/"] == 1
    assert site.hits["/2025/10/one"] == 0 and site.hits["/2025/10/two"] == 0
    assert not database.exists()


def test_log_format_json_is_one_object_per_line(site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nname = "local"\nfeeds = ["{site.base}/feed/"]\nrobots_sitemaps = false\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newspipe.cli", "--log-format", "json", "crawl", str(sources), "--db", f"sqlite:///{tmp_path / 'n.db'}",
         "--no-progress", "--log-level", "INFO"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"},
    )  # fmt: skip
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) > 10, result.stderr
    records = [json.loads(line) for line in lines if not line.startswith("error:")]
    assert all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    assert all(r["time"].endswith("+00:00") for r in records)
    assert any(r["logger"].startswith("scrapy.") and "Spider opened" in r["message"] for r in records)
    assert any("Scrapy" in r["message"] and "started" in r["message"] for r in records)  # the very first line too
