"""Redis outage end to end: three `newspipe crawl --redis` workers (CLI subprocesses) crawl the
demo site; half-way their Redis goes away for 20 s (frozen with SIGSTOP, or killed with SIGKILL
and restarted from its append-only file) and comes back. Every expected article is stored
exactly once, the workers exit 0, nobody was reaped for a heartbeat the outage cut, and each
worker logs the outage in a line or two, not a traceback every few seconds.

The Redis server is a private one on a free port of 127.0.0.1 (the shared one is never
stopped), with every write fsynced to its append-only file, so a kill loses nothing."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from newspipe.demo import DemoSite
from crawler.distributed.keys import JobKeys
from tests.test_distributed_e2e import assert_every_article_once, assert_job_drained, demo, prepare, start_worker, wait_all  # noqa: F401

pytestmark = [pytest.mark.e2e]

OUTAGE_SECONDS = 20


class PrivateRedis:
    """redis-server on 127.0.0.1 and a free port, its append-only file in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
        args += ["--appendfsync", "always", "--dir", str(self.directory)]
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"redis-server did not start: {(self.directory / 'redis.log').read_text()[-2000:]}") from None
                time.sleep(0.05)
        client.close()

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def outage_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Redis at 127.0.0.1:" in line]


@pytest.mark.parametrize("outage", ["frozen", "restarted"])
def test_three_workers_ride_out_a_redis_outage(
    outage: str, demo: DemoSite, db_url: str, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    job = JobKeys(job=f"test-{uuid.uuid4().hex[:10]}")
    # A politeness delay (held across workers through Redis) keeps the crawl going long enough.
    sources = prepare(demo, db_url, private_redis.url, job, tmp_path, delay=0.4)
    demo.request_log.clear()
    article_paths = {(a["publisher"], a["path"]) for a in demo.expected()["articles"]}
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [start_worker(sources, db_url, private_redis.url, job, log, f"w{n}") for n, log in enumerate(logs)]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(1 for entry in list(demo.request_log) if entry in article_paths) < len(article_paths) // 3:
        assert all(w.poll() is None for w in workers), "a worker stopped before the outage"
        time.sleep(0.02)
    fetched = sum(1 for entry in list(demo.request_log) if entry in article_paths)
    assert fetched < len(article_paths), "the crawl was over before the outage"

    if outage == "frozen":
        private_redis.signal(signal.SIGSTOP)
        time.sleep(OUTAGE_SECONDS)
        assert all(w.poll() is None for w in workers), "a worker stopped while Redis was away"
        private_redis.signal(signal.SIGCONT)
    else:
        private_redis.kill()
        time.sleep(OUTAGE_SECONDS)
        assert all(w.poll() is None for w in workers), "a worker stopped while Redis was away"
        private_redis.start()

    wait_all(workers, logs, timeout=300)
    assert_every_article_once(demo, db_url)
    assert_job_drained(private_redis.url, job)
    texts = [log.read_text(encoding="utf-8") for log in logs]
    for text in texts:
        lines = outage_lines(text)
        # One line when the outage starts, one when it ends (a stale connection may add a short second one).
        assert 1 <= sum("unreachable" in line for line in lines) <= 2, "\n".join(lines) or text[-3000:]
        assert sum("is back" in line for line in lines) == sum("unreachable" in line for line in lines), "\n".join(lines)
        assert "Traceback" not in text, text[-4000:]
        # Every heartbeat lapsed during the outage; each worker got a TTL to beat again, so none was reaped.
        assert "is gone" not in text, text[-3000:]
