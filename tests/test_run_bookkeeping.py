"""Run bookkeeping: no run is left "running". A run stopped by SIGINT or SIGTERM is recorded as
"interrupted", one found dead by a takeover of its lock as "killed"."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
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


class HeldDemoSite(DemoSite):
    """The demo site whose article pages do not answer until released: a graceful stop waits
    for them (Scrapy lets downloads in progress finish), so a second Ctrl-C always finds the
    crawl still stopping. Without the hold, a quick graceful stop could end the process before
    the second signal arrived, and the test would race the machine's load."""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()  # an article request is waiting
        self.release = threading.Event()

    def _respond(self, handler: BaseHTTPRequestHandler, send_body: bool) -> None:
        if "/2025/" in handler.path:
            self.held.set()
            self.release.wait(60)
        super()._respond(handler, send_body)


def crawl_stopped_by(signals: list[int], tmp_path: Path, demo: DemoSite, started: Callable[[], bool]) -> tuple[subprocess.Popen[str], str, str]:
    url = f"sqlite:///{tmp_path / 'newspipe.db'}"
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", url, "--no-progress", "--log-level", "INFO"],
        cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not started() and time.monotonic() < deadline and crawl.poll() is None:
        time.sleep(0.05)
    for number, signum in enumerate(signals):
        if number:
            time.sleep(0.5)
            assert crawl.poll() is None, "the crawl ended before its second signal"
        crawl.send_signal(signum)
    out, errors = crawl.communicate(timeout=120)
    return crawl, out, errors


def assert_recorded_as_interrupted(crawl: subprocess.Popen[str], out: str, errors: str, url: str) -> None:
    assert crawl.returncode == 1, out + errors[-3000:]
    assert [line for line in errors.splitlines() if line.startswith("error:")] == [
        "error: the run was interrupted (shutdown); see `newspipe stats`"
    ], errors[-3000:]
    with Database(url) as database, database.sessions() as session:
        runs = session.scalars(select(CrawlRun)).all()
    assert [run.status for run in runs] == ["interrupted"] and runs[0].finished_at is not None


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_crawl_stopped_by_a_signal_is_recorded_as_interrupted(signum: int, tmp_path: Path) -> None:
    """Once: Scrapy stops gracefully, and the run's end is recorded by the crawl itself."""
    url = f"sqlite:///{tmp_path / 'newspipe.db'}"
    Database(url).close()
    with DemoSite() as demo:
        crawl, out, errors = crawl_stopped_by([signum], tmp_path, demo, lambda: run_recorded(url))
    assert_recorded_as_interrupted(crawl, out, errors, url)


@pytest.mark.e2e
def test_a_second_ctrl_c_stops_a_crawl_whose_graceful_stop_waits_and_the_run_is_closed(tmp_path: Path) -> None:
    """Twice: the reactor stops at once, with a download still hanging, and the runner closes the run."""
    url = f"sqlite:///{tmp_path / 'newspipe.db'}"
    Database(url).close()
    with HeldDemoSite() as demo:
        try:
            crawl, out, errors = crawl_stopped_by([signal.SIGINT, signal.SIGINT], tmp_path, demo, demo.held.is_set)
        finally:
            demo.release.set()
    assert "Received SIGINT twice, forcing unclean shutdown" in errors, errors[-3000:]
    assert_recorded_as_interrupted(crawl, out, errors, url)
