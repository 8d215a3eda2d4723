"""Run bookkeeping: no run is left "running". A run stopped by SIGINT or SIGTERM is recorded as
"interrupted", one found dead by a takeover of its lock as "killed"."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from newspipe.demo import DemoSite
from storage.engine import Database
from storage.locks import RunLock
from storage.models import CrawlLock, CrawlRun
from storage.repository import ArticleRepository
from tests.test_e2e_frozen_db import environment, run_recorded


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_takeover_closes_the_dead_holders_runs_as_killed(db_url: str) -> None:
    db = Database(db_url)
    try:
        now = datetime.now(timezone.utc)
        with db.sessions.begin() as session:
            session.add(CrawlLock(name="crawl:job", token="dead-token", hostname=RunLock(db.sessions, "x").hostname, pid=dead_pid(), acquired_at=now, heartbeat_at=now))
            repository = ArticleRepository(session)
            dead_run = repository.start_run("news", {}, lock_token="dead-token")
            other_run = repository.start_run("news", {}, lock_token="live-token")  # another job's, still going
            done_run = repository.start_run("news", {}, lock_token="dead-token")
            repository.finish_run(done_run, status="finished", reason="finished", counts={}, error_count=0)
        RunLock(db.sessions, "crawl:job", heartbeat_every=60).acquire().release()
        with db.sessions() as session:
            runs = {run.id: run for run in session.scalars(select(CrawlRun))}
        assert runs[dead_run].status == "killed" and runs[dead_run].finished_at is not None
        assert runs[other_run].status == "running" and runs[done_run].status == "finished"
    finally:
        db.close()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "signals", [[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT, signal.SIGINT]], ids=["sigint", "sigterm", "sigint-twice"]
)
def test_a_crawl_stopped_by_a_signal_is_recorded_as_interrupted(signals: list[int], tmp_path: Path) -> None:
    """Once: Scrapy stops gracefully. Twice: the reactor stops at once, and the runner closes the run."""
    url = f"sqlite:///{tmp_path / 'newspipe.db'}"
    Database(url).close()
    with DemoSite() as demo:
        sources = demo.write_sources(tmp_path / "demo-sources.toml")
        crawl = subprocess.Popen(
            [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", url, "--no-progress"],
            cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not run_recorded(url) and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.05)
        for signum in signals:
            crawl.send_signal(signum)
            time.sleep(0.05)
        out, errors = crawl.communicate(timeout=120)
    assert crawl.returncode == 1, out + errors[-3000:]
    assert [line for line in errors.splitlines() if line.startswith("error:")] == [
        "error: the run was interrupted (shutdown); see `newspipe stats`"
    ], errors[-3000:]
    with Database(url) as database, database.sessions() as session:
        runs = session.scalars(select(CrawlRun)).all()
    assert [run.status for run in runs] == ["interrupted"] and runs[0].finished_at is not None
