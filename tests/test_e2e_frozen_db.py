"""The database stops answering in the middle of a crawl (it, or a middlebox in front of it, keeps
the connections open and says nothing): the crawl still ends, spools what it could not store, exits 1
with one line saying so, and `newspipe db replay` stores every article exactly once afterwards.
On SQLite the same with the database file locked by another connection's write transaction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newspipe.demo import DemoSite
from storage.engine import Database
from tests.tcpproxy import TcpProxy
from tests.test_e2e_demo import exported

pytestmark = [pytest.mark.e2e]

# Far more than the crawl needs with a 1-second statement timeout, far less than "for ever".
CRAWL_LIMIT = 300


def run_recorded(url: str) -> bool:
    from sqlalchemy import func, select

    from storage.models import CrawlRun

    with Database(url, upgrade=False) as database, database.sessions() as session:
        return bool(session.scalar(select(func.count(CrawlRun.id))))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "newspipe.cli", *args]


def environment() -> dict[str, str]:
    # PYTHONFAULTHANDLER: a crawl that hangs is aborted with every thread's stack in its stderr.
    env = {
        **os.environ, "COLUMNS": "200", "PYTHONFAULTHANDLER": "1", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }  # fmt: skip
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return env


def crawl_while_stuck(
    url: str, watch_url: str, tmp_path: Path, stick: Callable[[subprocess.Popen[str]], None]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Crawl the demo site into `url`; once the run is recorded, `stick` the database. Returns the
    finished crawl and the demo's article URLs; fails with the crawl's stacks if it does not end."""
    with DemoSite() as demo:
        sources = demo.write_sources(tmp_path / "demo-sources.toml")
        args = cli("crawl", str(sources), "--db", url, "--no-progress", "--log-level", "INFO", "--statement-timeout", "1")
        crawl = subprocess.Popen(args, cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not run_recorded(watch_url) and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.01)
        stick(crawl)  # every article comes after this
        try:
            out, errors = crawl.communicate(timeout=CRAWL_LIMIT)
        except subprocess.TimeoutExpired:
            crawl.send_signal(signal.SIGABRT)
            out, errors = crawl.communicate(timeout=30)
            pytest.fail(f"the crawl did not end within {CRAWL_LIMIT} s of the freeze; its stacks and last log lines:\n{errors[-8000:]}")
        expected = {a["url"] for a in demo.expected()["articles"]}
    return subprocess.CompletedProcess(args, crawl.returncode, out, errors), expected


def assert_spooled_with_one_line(crawl: subprocess.CompletedProcess[str], tmp_path: Path) -> Path:
    assert crawl.returncode == 1, crawl.stdout + crawl.stderr[-3000:]
    error_lines = [line for line in crawl.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, crawl.stderr[-6000:]
    assert "the database refused" in error_lines[0] and "db replay" in error_lines[0], error_lines
    spool_files = list((tmp_path / "newspipe-spool").glob("spool-*.jsonl"))
    assert len(spool_files) == 1 and spool_files[0].stat().st_size > 0
    return spool_files[0]


def assert_replay_stores_every_article_once(url: str, tmp_path: Path, expected: set[str], spool: Path) -> None:
    replay = subprocess.run(cli("db", "replay", "--db", url), cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0, replay.stderr
    rows = exported(url)
    assert sorted(r["canonical_url"] for r in rows) == sorted(expected)  # every article, exactly once
    assert not spool.exists()


@pytest.mark.postgres
def test_a_frozen_postgres_ends_the_crawl_spooled_and_replay_stores_everything_once(postgres_url: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    url = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    Database(url).close()  # the schema exists before the crawl starts
    try:
        crawl, expected = crawl_while_stuck(url, postgres_url, tmp_path, lambda _crawl: proxy.freeze())
        spool = assert_spooled_with_one_line(crawl, tmp_path)
        proxy.stop()
        proxy.start()  # answering again, on the same address
        assert_replay_stores_every_article_once(url, tmp_path, expected, spool)
    finally:
        proxy.stop()


def test_a_locked_sqlite_database_ends_the_crawl_spooled_and_replay_stores_everything_once(tmp_path: Path) -> None:
    path = tmp_path / "newspipe.db"
    url = f"sqlite:///{path}"
    Database(url).close()
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)

    def lock(_crawl: subprocess.Popen[str]) -> None:  # another connection's write transaction, held until the crawl is over
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE crawl_runs SET finish_reason = finish_reason")

    try:
        crawl, expected = crawl_while_stuck(url, url, tmp_path, lock)
    finally:
        holder.rollback()
        holder.close()
    spool = assert_spooled_with_one_line(crawl, tmp_path)
    assert_replay_stores_every_article_once(url, tmp_path, expected, spool)


@pytest.mark.postgres
def test_ctrl_c_stops_a_crawl_whose_postgres_is_frozen(postgres_url: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    url = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    Database(url).close()

    def freeze_and_interrupt(crawl: subprocess.Popen[str]) -> None:
        proxy.freeze()
        time.sleep(0.5)  # the crawl is waiting for the database somewhere by now
        crawl.send_signal(signal.SIGINT)

    try:
        crawl, _ = crawl_while_stuck(url, postgres_url, tmp_path, freeze_and_interrupt)
        assert crawl.returncode == 1, crawl.stdout + crawl.stderr[-3000:]
        error_lines = [line for line in crawl.stderr.splitlines() if line.startswith("error:")]
        assert len(error_lines) == 1 and error_lines[0].startswith("error: the run was interrupted (shutdown)"), crawl.stderr[-6000:]
    finally:
        proxy.stop()
