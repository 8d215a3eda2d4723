"""Exit codes tell the truth: a run where something went wrong ends with 1 and says what, a run
that met only the open web's expected skips ends with 0 (`crawler.outcome`, README's table)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.outcome import verdict
from tests.crawlutil import run_crawl
from tests.httpsite import Site
from tests.test_e2e_demo import run_stats

STORY = "".join(
    f"<p>Paragraph {i}: the harbour board voted on Tuesday to rebuild the north quay, and the fishermen's "
    f"association welcomed the decision after years of delays and rising repair costs.</p>"
    for i in range(5)
)
ARTICLE = f"<html lang='en'><head><title>Quay rebuild approved</title></head><body><article><h1>Quay rebuild approved</h1>{STORY}</article></body></html>"
HTML = "text/html; charset=utf-8"

CLEAN = {"finish_reason": "finished", "newspipe/discovery/seeds": 2, "newspipe/discovery/seeds_fetched": 2, "newspipe/store/new": 3}

# Counted skips that a clean run on the open web meets: the run still succeeds.
EXPECTED_SKIPS = (
    "newspipe/fetch/http_404", "newspipe/fetch/http_503", "newspipe/fetch/error/TimeoutError", "newspipe/fetch/ignored",
    "newspipe/extract/skipped/too_short", "newspipe/extract/skipped/not_html", "newspipe/store/duplicate",
    "newspipe/dedup/same_url_in_run", "newspipe/discovery/skipped/duplicate", "newspipe/discovery/skipped/out_of_window",
    "newspipe/fetch/refused_private", "newspipe/fetch/refused_offsite_redirect", "newspipe/discovery/skipped/offsite",
    "newspipe/discovery/capped/page_links", "newspipe/discovery/capped/source_requests",
    "newspipe/discovery/bad_entry/invalid_url", "newspipe/discovery/bad_entry/bad_date", "newspipe/extract/timeout",
    "newspipe/redis/refused_member", "robotstxt/forbidden",
)  # fmt: skip

# Errors: each one alone fails a run that is otherwise clean.
ERRORS = (
    "newspipe/store/spooled", "newspipe/store/failed", "newspipe/item/error", "spider_exceptions/count",
    "newspipe/discovery/skipped/malformed_feed", "newspipe/discovery/skipped/malformed_sitemap",
    "newspipe/extract/error", "newspipe/dropped/anything", "newspipe/run/not_recorded",
    "newspipe/distributed/lost",
)  # fmt: skip


@pytest.mark.parametrize("key", EXPECTED_SKIPS)
def test_an_expected_skip_keeps_the_run_ok(key: str) -> None:
    result = verdict("finished", {**CLEAN, key: 3})
    assert result.status == "finished" and result.ok and not result.errors


@pytest.mark.parametrize("key", ERRORS)
def test_an_error_fails_the_run_and_is_counted(key: str) -> None:
    result = verdict("finished", {**CLEAN, key: 2})
    assert result.status == "failed" and not result.ok
    assert list(result.errors.values()) == [2] and result.describe().startswith("2 ")


def test_stops_interrupted_or_for_other_reasons() -> None:
    assert verdict("shutdown", CLEAN).status == "interrupted"  # SIGINT / SIGTERM
    assert verdict("shutdown", {**CLEAN, "newspipe/store/spooled": 4}).errors  # the counts still say what went wrong
    assert verdict("closespider_errorcount", CLEAN).status == "failed"
    assert verdict("finished", {**CLEAN, "newspipe/discovery/seeds_fetched": 0}).status == "failed"  # nothing could be read


class RaisingPipeline:
    """A pipeline with a bug: it raises on every item."""

    def process_item(self, item: Any) -> Any:
        raise ValueError("a bug in a pipeline")


def test_a_raising_item_pipeline_fails_the_run(fixture_site: Site, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    result = run_crawl(
        "news",
        {
            "NEWSPIPE_SOURCES_FILE": write_sources(tmp_path, fixture_site, feeds=["/feed.xml"]),
            "NEWSPIPE_DATABASE_URL": db,
            "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],
            "ITEM_PIPELINES": {"tests.test_exit_codes.RaisingPipeline": 100},
            "EXTENSIONS": {"crawler.extensions.ItemErrorCounter": 50, "crawler.extensions.CrawlRunRecorder": 100},
        },
        timeout=120,
    )
    assert result.error is None, result.error
    assert result.stat("newspipe/item/error") == 2 and result.stat("newspipe/item/error/ValueError") == 2
    outcome = verdict(result.stats["finish_reason"], result.stats)
    assert outcome.status == "failed" and outcome.errors == {"item pipeline errors": 2}
    assert run_stats(db)["runs"][0]["status"] == "failed"  # and the run record says so


def test_a_feed_that_is_not_xml_fails_the_run_with_the_count(fixture_site: Site, tmp_path: Path) -> None:
    fixture_site.pages["/not-a-feed.xml"] = ("application/rss+xml", "<html><body>Gateway error</body></html>")
    sources = write_sources(tmp_path, fixture_site, feeds=["/feed.xml", "/not-a-feed.xml"])
    result = cli("crawl", sources, "--db", f"sqlite:///{tmp_path / 'n.db'}", "--no-progress")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: the run failed: 1 feeds that could not be parsed; see the log above and `newspipe stats`"]
    assert "feeds that could not be parsed" in result.stdout  # in the summary too


def test_a_clean_run_with_expected_skips_exits_0(fixture_site: Site, tmp_path: Path) -> None:
    sources = write_sources(tmp_path, fixture_site, feeds=["/feed.xml"])
    db = f"sqlite:///{tmp_path / 'n.db'}"
    result = cli("crawl", sources, "--db", db, "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    counts = run_stats(db)["runs"][0]["counts"]
    assert counts["fetch/http_404"] == 1 and counts["extract/skipped/too_short"] == 1 and counts["discovery/skipped/duplicate"] == 1


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def fixture_site() -> Any:
    """A feed with an article, the same article again, a page that is not an article and a 404."""
    site = Site()
    site.pages["/news/quay/"] = (HTML, ARTICLE)
    site.pages["/news/short/"] = (HTML, "<html><body><h1>Short</h1><p>Too short to be an article.</p></body></html>")
    links = ["/news/quay/", "/news/quay/?utm_source=rss", "/news/short/", "/news/gone/"]
    items = "".join(f"<item><title>Item {i}</title><link>{site.base}{link}</link></item>" for i, link in enumerate(links))
    site.pages["/feed.xml"] = ("application/rss+xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>{items}</channel></rss>')
    yield site
    site.stop()


def write_sources(tmp_path: Path, site: Site, *, feeds: list[str]) -> str:
    path = tmp_path / "sources.toml"
    listed = ", ".join(f'"{site.base}{feed}"' for feed in feeds)
    path.write_text(f'[[source]]\nname = "quay"\nfeeds = [{listed}]\nrobots_sitemaps = false\ndelay = 0\n', encoding="utf-8")
    return str(path)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=180, env=env)
