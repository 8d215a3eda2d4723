"""Distributed end to end: three `newspipe crawl --redis` workers (CLI subprocesses) crawl the
demo site into one PostgreSQL database after `newspipe enqueue`; every expected article is
stored exactly once, also when one worker is SIGKILLed half-way and restarted. Real Redis
and PostgreSQL; each test has its own job (keys `newspipe:<job>:*`, deleted afterwards)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from newspipe.demo import DemoSite
from crawler.distributed.keys import JobKeys
from storage.engine import Database
from storage.repository import ArticleRepository

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

IDLE_TIMEOUT = "5"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture
def job(redis_url: str) -> Iterator[JobKeys]:
    keys = JobKeys(job=f"test-{uuid.uuid4().hex[:10]}")
    yield keys
    server = redis.Redis.from_url(redis_url)
    stale = list(server.scan_iter(match=keys.pattern()))
    if stale:
        server.delete(*stale)
    server.close()


def env() -> dict[str, str]:
    environment = {**os.environ, "COLUMNS": "200"}
    for name in ("NEWSPIPE_DATABASE_URL", "NEWSPIPE_REDIS_URL"):
        environment.pop(name, None)
    return environment


def newspipe(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=timeout, env=env())


def start_worker(sources: Path, db_url: str, redis_url: str, job: JobKeys, log: Path, worker_id: str | None = None) -> subprocess.Popen[str]:
    args = ["crawl", str(sources), "--redis", redis_url, "--job", job.job, "--idle-timeout", IDLE_TIMEOUT, "--db", db_url]
    args += ["--no-progress", "--log-level", "INFO"]
    if worker_id:
        args += ["--worker-id", worker_id]
    handle = log.open("w", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "newspipe.cli", *args], stdout=handle, stderr=subprocess.STDOUT, text=True, env=env())


def wait_all(workers: list[subprocess.Popen[str]], logs: list[Path], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    for worker, log in zip(workers, logs):
        try:
            code = worker.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in workers:
                if other.poll() is None:
                    other.kill()
            raise AssertionError(f"worker did not finish:\n{log.read_text()[-3000:]}") from None
        assert code == 0, f"worker failed ({code}):\n{log.read_text()[-4000:]}"


def prepare(demo: DemoSite, db_url: str, redis_url: str, job: JobKeys, tmp_path: Path, *, delay: float = 0) -> Path:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    if delay:
        sources.write_text(sources.read_text(encoding="utf-8").replace("delay = 0", f"delay = {delay}"), encoding="utf-8")
    # Once, before the workers: three processes must not race to create the schema.
    upgraded = newspipe("db", "upgrade", "--db", db_url)
    assert upgraded.returncode == 0, upgraded.stderr
    queued = newspipe("enqueue", str(sources), "--redis", redis_url, "--job", job.job)
    assert queued.returncode == 0, queued.stderr
    assert "queued 11 seeds" in queued.stderr, queued.stderr
    return sources


def stored(db_url: str) -> list[dict[str, Any]]:
    with Database(db_url) as database, database.sessions() as session:
        return list(ArticleRepository(session).iter_export())


def assert_every_article_once(demo: DemoSite, db_url: str) -> None:
    truth = demo.expected()
    rows = stored(db_url)
    urls = [r["canonical_url"] for r in rows]
    expected = {a["url"]: a for a in truth["articles"]}
    assert sorted(urls) == sorted(expected), "stored set differs from expected.json (or an article is there twice)"
    for row in rows:
        want = expected[row["canonical_url"]]
        assert row["source"] == want["publisher"]
        assert row["headline"] == want["headline"]
        want_dup = want["duplicate_of"]["url"] if want["duplicate_of"] else None
        assert row["duplicate_of"] == want_dup, row["canonical_url"]


def assert_job_drained(redis_url: str, job: JobKeys) -> None:
    server = redis.Redis.from_url(redis_url)
    try:
        assert server.llen(job.start) == 0
        assert server.zcard(job.requests) == 0
        assert not list(server.scan_iter(match=job.processing("*"))), "requests left in flight"
        assert server.scard(job.workers) == 0, "workers still registered after a clean stop"
    finally:
        server.close()


def test_three_workers_store_every_article_exactly_once(
    demo: DemoSite, postgres_url: str, redis_url: str, job: JobKeys, tmp_path: Path
) -> None:
    sources = prepare(demo, postgres_url, redis_url, job, tmp_path)
    demo.request_log.clear()
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [start_worker(sources, postgres_url, redis_url, job, log) for log in logs]
    wait_all(workers, logs)

    assert_every_article_once(demo, postgres_url)
    assert_job_drained(redis_url, job)
    # The shared duplicate filter: no article page was fetched by two workers.
    for article in demo.expected()["articles"]:
        assert demo.requests_for(article["publisher"], article["path"]) == 1, article["path"]


def test_a_worker_killed_half_way_loses_nothing(
    demo: DemoSite, postgres_url: str, redis_url: str, job: JobKeys, tmp_path: Path
) -> None:
    # A politeness delay (held across workers by the Redis throttle) makes the crawl long enough to kill it half-way.
    sources = prepare(demo, postgres_url, redis_url, job, tmp_path, delay=0.15)
    demo.request_log.clear()
    article_paths = {(a["publisher"], a["path"]) for a in demo.expected()["articles"]}
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    ids = [f"w{n}" for n in range(3)]
    workers = [start_worker(sources, postgres_url, redis_url, job, log, worker_id) for log, worker_id in zip(logs, ids)]

    server = redis.Redis.from_url(redis_url)
    victim, in_flight = None, 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim is None:
        fetched = sum(1 for entry in list(demo.request_log) if entry in article_paths)
        if fetched >= len(article_paths) // 2:
            for n, worker_id in enumerate(ids):
                in_flight = int(server.zcard(job.processing(worker_id)))
                if in_flight:
                    victim = n
                    break
        time.sleep(0.02)
    assert victim is not None, "no worker had requests in flight half-way through the crawl"
    workers[victim].send_signal(signal.SIGKILL)
    workers[victim].wait(timeout=10)
    left = int(server.zcard(job.processing(ids[victim])))
    assert left > 0, "the killed worker had acknowledged everything: nothing to recover"
    fetched_at_kill = sum(1 for entry in list(demo.request_log) if entry in article_paths)
    assert fetched_at_kill < len(article_paths), "the crawl was over before the kill"

    # Restarted under the same id (as systemd restarts newspipe-worker@N), it takes back what it had in flight.
    restarted_log = tmp_path / "restarted.log"
    restarted = start_worker(sources, postgres_url, redis_url, job, restarted_log, ids[victim])
    survivors = [w for n, w in enumerate(workers) if n != victim] + [restarted]
    wait_all(survivors, [log for n, log in enumerate(logs) if n != victim] + [restarted_log])
    server.close()

    assert f"put back {left} requests" in restarted_log.read_text(), restarted_log.read_text()[-3000:]
    assert_every_article_once(demo, postgres_url)
    assert_job_drained(redis_url, job)


def start_held_worker(sources: Path, db_url: str, redis_url: str, job: JobKeys, log: Path, worker_id: str) -> subprocess.Popen[str]:
    """A worker whose store writes nothing until 1,000 articles or 10 minutes: every article it
    extracts waits in its batch (settings the CLI does not take, so through `run_spider`)."""
    overrides = {
        "NEWSPIPE_DATABASE_URL": db_url, "NEWSPIPE_SOURCES_FILE": str(sources), "NEWSPIPE_REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_JOB": job.job, "NEWSPIPE_REDIS_WORKER_ID": worker_id, "NEWSPIPE_STORE_BATCH_SIZE": 1000,
        "NEWSPIPE_STORE_BATCH_SECONDS": 600, "LOG_LEVEL": "INFO", "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],
    }  # fmt: skip
    code = f"from crawler.runner import build_settings, run_spider; run_spider('worker', build_settings({overrides!r}))"
    handle = log.open("w", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-c", code], stdout=handle, stderr=subprocess.STDOUT, text=True, env=env())


def test_a_worker_killed_with_articles_waiting_in_its_batch_loses_none(
    demo: DemoSite, postgres_url: str, redis_url: str, job: JobKeys, tmp_path: Path
) -> None:
    # Workers write in batches; a request is acknowledged only once its article's batch is committed.
    sources = prepare(demo, postgres_url, redis_url, job, tmp_path)
    demo.request_log.clear()
    article_paths = {(a["publisher"], a["path"]) for a in demo.expected()["articles"]}
    held_log = tmp_path / "held.log"
    held = start_held_worker(sources, postgres_url, redis_url, job, held_log, "held")
    server = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not article_paths <= set(demo.request_log):
            assert held.poll() is None, held_log.read_text()[-3000:]
            time.sleep(0.05)
        assert article_paths <= set(demo.request_log), "the worker did not fetch every article page"
        time.sleep(2)  # extracted and waiting in the batch
        assert len(stored(postgres_url)) == 0, "the held batch was written"
        in_flight = int(server.zcard(job.processing("held")))
        assert in_flight >= len(article_paths), f"only {in_flight} requests in flight: articles waiting in the batch were acknowledged"
    finally:
        held.send_signal(signal.SIGKILL)
        held.wait(timeout=10)
        server.close()

    # Restarted under the same id, a normal worker takes back and stores everything.
    restarted_log = tmp_path / "restarted.log"
    restarted = start_worker(sources, postgres_url, redis_url, job, restarted_log, "held")
    wait_all([restarted], [restarted_log])
    assert "put back" in restarted_log.read_text()
    assert_every_article_once(demo, postgres_url)
    assert_job_drained(redis_url, job)
