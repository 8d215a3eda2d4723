"""End to end, scheduled crawls of the demo site (SQLite and PostgreSQL): a second run fetches only
discovery documents, a changed article becomes a new version, the syndicated copy shares its
original's story, an overlapping run refuses to start, and a run killed with SIGKILL is completed
by the next one with every article stored once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from newspipe.demo import DemoSite
from crawler.runner import job_lock_name
from storage.engine import Database
from storage.locks import RunLock
from storage.models import Article
from storage.repository import ArticleRepository

pytestmark = pytest.mark.e2e

DISCOVERY_KINDS = {"section", "rss2", "atom", "rss1", "robots", "news-sitemap", "sitemap", "sitemap-index"}


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture(autouse=True)
def fresh_pages(demo: DemoSite) -> Iterator[None]:
    demo.reset_pages()
    yield
    demo.reset_pages()


def newspipe_cmd(*args: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return [sys.executable, "-m", "newspipe.cli", *args], env


def newspipe(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    cmd, env = newspipe_cmd(*args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def crawl_args(demo: DemoSite, db_url: str, tmp_path: Path, *extra: str) -> tuple[str, ...]:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    return ("crawl", str(sources), "--db", db_url, "--no-progress", "--log-level", "INFO", *extra)


def crawl(demo: DemoSite, db_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = newspipe(*crawl_args(demo, db_url, tmp_path, *extra))
    assert result.returncode == 0, f"crawl failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}"
    return result


def exported(db_url: str, **kw: Any) -> list[dict[str, Any]]:
    with Database(db_url) as database, database.sessions() as session:
        return list(ArticleRepository(session).iter_export(**kw))


def latest_run(db_url: str) -> dict[str, Any]:
    with Database(db_url) as database, database.sessions() as session:
        return ArticleRepository(session).stats()["runs"][0]


def discovery_paths(demo: DemoSite) -> set[tuple[str, str]]:
    return {(d["publisher"], d["path"]) for d in demo.expected()["discovery"]} | {(p, "/robots.txt") for p in demo.publishers}


def test_second_run_fetches_only_discovery_documents_and_stores_nothing(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    truth = demo.expected()
    crawl(demo, db_url, tmp_path, "--revisit-days", "0")
    first = exported(db_url)
    assert len(first) == len(truth["articles"])

    # The syndicated copy is in its original's story; every other article is a story of its own.
    by_url = {r["canonical_url"]: r for r in first}
    copies = [a for a in truth["articles"] if a["duplicate_of"]]
    assert copies
    for copy in copies:
        assert by_url[copy["url"]]["story_id"] == by_url[copy["duplicate_of"]["url"]]["story_id"]
    assert len({r["story_id"] for r in first}) == len(first) - len(copies)
    unique = exported(db_url, unique_stories=True)
    assert {r["canonical_url"] for r in unique} == {a["url"] for a in truth["articles"] if not a["duplicate_of"]}

    demo.request_log.clear()
    crawl(demo, db_url, tmp_path, "--revisit-days", "0")
    requested = set(demo.request_log)
    allowed = discovery_paths(demo)
    assert requested, "the second run requested nothing at all"
    assert requested <= allowed, f"the second run requested more than feeds, sitemaps and sections: {sorted(requested - allowed)}"
    for article in truth["articles"]:
        assert demo.requests_for(article["publisher"], article["path"]) == 0, article["path"]
    assert exported(db_url) == first
    counts = latest_run(db_url)["counts"]
    assert counts["articles_new"] == 0 and counts["articles_updated"] == 0 and counts["articles_duplicate"] == 0
    assert counts["not_modified"] > 0  # feeds, sitemaps and sections answered 304

    stats = newspipe("stats", "--json", "--db", db_url)
    assert stats.returncode == 0, stats.stderr
    run = json.loads(stats.stdout)["runs"][0]
    assert {"pages_fetched", "not_modified", "articles_new", "articles_updated", "articles_duplicate", "skipped", "errors"} <= run["counts"].keys()


def test_a_changed_article_is_stored_as_a_new_version(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    truth = demo.expected()
    target = next(a for a in truth["articles"] if not a["duplicate_of"] and a["publisher"] == "valley-times")
    crawl(demo, db_url, tmp_path)
    before = {r["canonical_url"]: r for r in exported(db_url)}[target["url"]]

    file = demo.root / target["publisher"] / target["path"].lstrip("/")
    page = (file / "index.html" if target["path"].endswith("/") else file).read_text(encoding="utf-8")
    marker = "Correction: an earlier version of this story misstated the figures."
    first_paragraph = page.index("<p>", page.index("<article") if "<article" in page else 0)
    demo.set_page(target["publisher"], target["path"], page[:first_paragraph] + f"<p>{marker}</p>" + page[first_paragraph:])

    crawl(demo, db_url, tmp_path)
    counts = latest_run(db_url)["counts"]
    assert counts["articles_updated"] == 1 and counts["articles_new"] == 0
    assert counts["not_modified"] >= len(truth["articles"]) - 1  # the unchanged revisits cost a 304 each
    latest = {r["canonical_url"]: r for r in exported(db_url)}
    assert latest[target["url"]]["version"] == 2 and marker in latest[target["url"]]["body"]
    assert len(latest) == len(truth["articles"])

    result = newspipe("export", "--all-versions", "--db", db_url)
    assert result.returncode == 0, result.stderr
    versions = [json.loads(line) for line in result.stdout.splitlines()]
    mine = [v for v in versions if v["canonical_url"] == target["url"]]
    assert [v["version"] for v in mine] == [1, 2]
    assert mine[0]["body"] == before["body"] and marker not in mine[0]["body"]
    assert len(versions) == len(truth["articles"]) + 1

    crawl(demo, db_url, tmp_path)  # unchanged since: nothing more
    assert latest_run(db_url)["counts"]["articles_updated"] == 0


def test_a_second_run_of_the_same_job_refuses_to_start(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    args = crawl_args(demo, db_url, tmp_path)
    with Database(db_url) as database:
        # A live holder: this test process, as a crawl still going would be.
        with RunLock(database.sessions, job_lock_name("crawl", tmp_path / "demo-sources.toml"), heartbeat_every=1):
            demo.request_log.clear()
            result = newspipe(*args)
            assert result.returncode == 4, result.stderr
            assert "another run of this job is going" in result.stderr
            assert demo.request_log == []
    assert exported(db_url) == []


def test_a_run_killed_mid_way_is_completed_by_the_next(demo: DemoSite, db_url: str, tmp_path: Path) -> None:
    truth = demo.expected()
    cmd, env = newspipe_cmd(*crawl_args(demo, db_url, tmp_path))
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        with Database(db_url) as database:
            while time.monotonic() < deadline and process.poll() is None:
                with database.sessions() as session:
                    stored = session.scalar(select(func.count(Article.id))) or 0
                if stored:
                    break
                time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert 0 < len(exported(db_url)) < len(truth["articles"]) + 1

    crawl(demo, db_url, tmp_path)  # takes over the dead run's lock and finishes the work
    rows = exported(db_url)
    urls = [r["canonical_url"] for r in rows]
    assert sorted(urls) == sorted(a["url"] for a in truth["articles"])
    assert len(urls) == len(set(urls)), "an article was stored twice"
