"""Revisits told truthfully: a repeat run whose re-checks come back 304 says so, and the revisit cap
is counted (`newspipe/discovery/revisits_capped`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawlutil import run_crawl

from newspipe.demo import DemoSite

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


def newspipe(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=180, env=env)


def crawl(demo: DemoSite, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    result = newspipe("crawl", str(sources), "--db", db_url, "--no-progress")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-4000:]}"
    return result


def summary_value(output: str, label: str) -> int:
    line = next(line for line in output.splitlines() if label in line)
    return int(line.rsplit(label, 1)[1].strip(" │|").replace(",", ""))


def test_a_repeat_run_reports_its_304_revisits(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    crawl(demo, db_url, tmp_path)
    stored = len(demo.expected()["articles"])

    second = crawl(demo, db_url, tmp_path)  # every stored article is re-checked and answers 304
    assert summary_value(second.stdout, "stored articles revisited") == stored
    # Before: "revisited, unchanged 0", the 304s only in "not modified (304)" with the feeds'.
    assert summary_value(second.stdout, "revisited, unchanged (incl. 304)") == stored

    stats = newspipe("stats", "--json", "--db", db_url)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)["runs"][0]["counts"]
    assert counts["articles_revisited"] == stored
    assert counts["fetch/not_modified/revisit"] == stored
    assert counts["revisits_unchanged"] == stored
    assert counts["not_modified"] >= stored


def test_revisits_over_the_cap_are_counted(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    crawl(demo, db_url, tmp_path)
    stored = len(demo.expected()["articles"])
    assert stored > 2
    settings = {
        "NEWSPIPE_SOURCES_FILE": str(demo.write_sources(tmp_path / "demo-sources.toml")),
        "NEWSPIPE_DATABASE_URL": db_url,
        "NEWSPIPE_REVISIT_MAX": 2,
    }
    result = run_crawl("news", settings, timeout=120)
    assert result.error is None, result.error
    assert result.stat("newspipe/discovery/revisits") == 2
    assert result.stat("newspipe/discovery/revisits_capped") == stored - 2
