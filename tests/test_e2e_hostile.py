"""The hostile site end to end (SQLite and PostgreSQL): every good article is stored once, every
refusal and skip is counted with its reason, nothing reaches the private or the other host, and
the run still exits 0 because everything it met was an expected, counted skip."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostilesite import HostileSite
from tests.test_e2e_demo import exported, run_stats

pytestmark = pytest.mark.e2e


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    site = HostileSite()
    try:
        yield site
    finally:
        site.stop()


def crawl(site: HostileSite, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources(), encoding="utf-8")
    # Only the publisher's own address is opened; 127.0.0.2 stays a refused private network.
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", db_url, "--no-progress", "--no-lock"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )


def test_hostile_site_stores_every_good_article_once_and_counts_every_refusal(
    hostile: HostileSite, db_url: str, tmp_path: Path
) -> None:
    result = crawl(hostile, db_url, tmp_path)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-6000:]

    rows = exported(db_url)
    by_path = {row["canonical_url"].removeprefix(hostile.base): row for row in rows}
    assert sorted(by_path) == sorted(hostile.expected), "stored set differs from the good articles"
    assert len(rows) == len(hostile.expected), "an article was stored twice"
    for path, lead in hostile.expected.items():
        body = by_path[path]["body"]
        assert lead in body, f"{path}: lead paragraph lost or mis-decoded: {body[:200]!r}"
        assert "\ufffd" not in body and "Ã" not in body, f"{path}: replacement characters or mojibake"
    assert len(by_path["/news/2025/10/28/huge-author/"]["authors"]) <= 1
    assert all(len(author) < 200 for row in rows for author in row["authors"]), "an author field was stored uncapped"

    # Nothing reached the private or the other host, not even robots.txt.
    assert hostile.private.connections == 0, dict(hostile.private.hits)
    assert hostile.other.connections == 0, dict(hostile.other.hits)
    # The section page's links were capped, not all queued.
    fetched_links = sum(1 for path in hostile.site.hits if path.startswith("/news/2025/10/27/harbour-"))
    assert 0 < fetched_links <= 50

    counts = run_stats(db_url)["runs"][0]["counts"]
    assert counts.get("fetch/refused_private", 0) >= 2, counts  # feed/sitemap entries and a redirect hop
    assert counts.get("fetch/refused_offsite_redirect", 0) == 1, counts
    assert counts.get("discovery/skipped/offsite", 0) >= 1, counts
    assert counts.get("discovery/capped/page_links", 0) >= HostileSite.SECTION_LINKS - 50, counts
    assert counts.get("discovery/bad_entry/invalid_url", 0) >= 2, counts
    assert counts.get("discovery/bad_entry/bad_date", 0) >= 1, counts
    assert counts.get("extract/error", 0) == 0, counts
    assert counts["errors"] == 0, counts
    assert hostile.site.hits["/news/2025/10/28/flaky-server/"] == 3  # two 503s, then the article


@pytest.mark.postgres
def test_hostile_site_through_two_redis_workers(hostile: HostileSite, postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    """The same site, enqueued once and crawled by two workers sharing one Redis frontier."""
    import uuid

    import redis

    from crawler.distributed.keys import JobKeys

    keys = JobKeys(job=f"hostile-{uuid.uuid4().hex[:10]}")
    sources = tmp_path / "sources.toml"
    sources.write_text(hostile.sources(), encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    for name in ("NEWSPIPE_DATABASE_URL", "NEWSPIPE_REDIS_URL"):
        env.pop(name, None)

    def cli(*args: str) -> list[str]:
        return [sys.executable, "-m", "newspipe.cli", *args]

    try:
        for step in (cli("db", "upgrade", "--db", postgres_url), cli("enqueue", str(sources), "--redis", redis_url, "--job", keys.job)):
            done = subprocess.run(step, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
            assert done.returncode == 0, done.stderr[-3000:]
        logs = [tmp_path / f"worker{n}.log" for n in range(2)]
        workers = [
            subprocess.Popen(
                cli("crawl", str(sources), "--redis", redis_url, "--job", keys.job, "--idle-timeout", "5", "--db", postgres_url, "--no-progress"),
                stdout=log.open("w", encoding="utf-8"), stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
            )  # fmt: skip
            for log in logs
        ]
        for worker, log in zip(workers, logs):
            try:
                code = worker.wait(timeout=300)
            except subprocess.TimeoutExpired:
                for other in workers:
                    other.kill()
                raise AssertionError(f"worker did not finish:\n{log.read_text()[-3000:]}") from None
            assert code == 0, f"worker failed ({code}):\n{log.read_text()[-4000:]}"
            assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
    finally:
        server = redis.Redis.from_url(redis_url)
        stale = list(server.scan_iter(match=keys.pattern()))
        if stale:
            server.delete(*stale)
        server.close()

    rows = exported(postgres_url)
    assert sorted(row["canonical_url"].removeprefix(hostile.base) for row in rows) == sorted(hostile.expected)
    assert hostile.private.connections == 0 and hostile.other.connections == 0
    fetched_links = sum(1 for path in hostile.site.hits if path.startswith("/news/2025/10/27/harbour-"))
    assert 0 < fetched_links <= 50
    totals: dict[str, int] = {}
    for run in run_stats(postgres_url)["runs"]:
        for key, value in run["counts"].items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    assert totals.get("fetch/refused_private", 0) >= 2, totals
    assert totals.get("fetch/refused_offsite_redirect", 0) == 1, totals
    assert totals.get("discovery/capped/page_links", 0) >= HostileSite.SECTION_LINKS - 50, totals
    assert totals.get("discovery/bad_entry/invalid_url", 0) >= 2, totals
    assert totals.get("extract/error", 0) == 0 and totals["errors"] == 0, totals
