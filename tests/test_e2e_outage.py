"""The database goes away in the middle of a crawl: nothing is lost. The articles the database
refuses are spooled, the run fails saying so, and `newspipe db replay` stores each exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newspipe.demo import DemoSite
from storage.engine import Database
from tests.tcpproxy import TcpProxy
from tests.test_e2e_demo import exported

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def run_recorded(url: str) -> bool:
    from sqlalchemy import func, select

    from storage.models import CrawlRun

    with Database(url, upgrade=False) as database, database.sessions() as session:
        return bool(session.scalar(select(func.count(CrawlRun.id))))


def cli(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "newspipe.cli", *args]


def test_outage_mid_run_spools_then_replay_stores_everything_once(postgres_url: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    url = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    Database(url).close()  # the schema exists before the crawl starts
    # PYTHONFAULTHANDLER: a crawl that hangs is aborted below with every thread's stack in its stderr.
    env = {**os.environ, "COLUMNS": "200", "PYTHONFAULTHANDLER": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    with DemoSite() as demo:
        sources = demo.write_sources(tmp_path / "demo-sources.toml")
        crawl = subprocess.Popen(
            cli("crawl", str(sources), "--db", url, "--no-progress", "--log-level", "INFO", cwd=tmp_path),
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # Cut the database as soon as the run is recorded: every article comes after that.
        deadline = time.monotonic() + 60
        while not run_recorded(postgres_url) and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.01)
        proxy.stop()  # the database is gone from here on
        try:
            out, errors = crawl.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            crawl.send_signal(signal.SIGABRT)
            out, errors = crawl.communicate(timeout=30)
            pytest.fail(f"the crawl did not end within 240 s of the outage; its stacks and last log lines:\n{errors[-8000:]}")
        expected = {a["url"] for a in demo.expected()["articles"]}

    assert crawl.returncode == 1, out + errors[-3000:]
    assert "the database refused" in errors and "db replay" in errors, errors[-6000:]
    spool_files = list((tmp_path / "newspipe-spool").glob("spool-*.jsonl"))
    assert len(spool_files) == 1 and spool_files[0].stat().st_size > 0

    proxy.start()  # the database is back, on the same address
    replay = subprocess.run(cli("db", "replay", "--db", url, cwd=tmp_path), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0, replay.stderr
    rows = exported(url)
    assert sorted(r["canonical_url"] for r in rows) == sorted(expected)  # every article, exactly once
    assert not spool_files[0].exists()

    again = subprocess.run(cli("db", "replay", "--db", url, cwd=tmp_path), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "nothing spooled" in again.stderr
    assert len(exported(url)) == len(expected)
    proxy.stop()
