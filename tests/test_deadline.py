"""The crawl's database work has limits: a statement timeout on the server, a client-side bound that
cuts a connection whose answer never comes (`storage.deadline`), and the store's writing on a thread
of its own (`crawler.database.DatabaseThread`), so the reactor thread never waits for the database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crawler.database import DatabaseThread
from pipelines.store import StorePipeline
from pipelines.writer import is_transient
from storage.deadline import DatabaseNotAnswering
from storage.engine import Database
from tests.tcpproxy import TcpProxy
from tests.test_pipelines import _prepared, stats


def finishes(work: Callable[[], Any], limit: float = 120) -> Any:
    """Run `work` in a thread; its result or exception, or a test failure when it is still waiting after `limit`."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        pytest.fail(f"still waiting for the database after {limit} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.mark.postgres
def test_a_new_connection_whose_set_up_gets_no_answer_is_cut(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A connection's own set-up statements (`_postgres_session_defaults`, run on "connect") are
    # bounded too: the database froze between accepting a connection and answering them, and a crawl
    # stopped with Ctrl-C waited for good on its database thread. Here the set-up waits 20 s.
    import storage.engine

    frozen = threading.Event()

    def slow_set_up(dbapi_connection: Any, _record: Any) -> None:
        if frozen.is_set():
            dbapi_connection.execute("SELECT pg_sleep(20)")

    monkeypatch.setattr(storage.engine, "_postgres_session_defaults", slow_set_up)
    database = Database(postgres_url, statement_timeout=0.5)
    try:
        database.engine.dispose()  # the next query opens a new connection
        frozen.set()

        def select_one() -> None:
            with database.bounded("a first query"), database.sessions() as session:
                session.scalar(text("SELECT 1"))

        with pytest.raises(DatabaseNotAnswering, match="a first query: no answer"):
            finishes(select_one, limit=15)
    finally:
        database.close()


@pytest.mark.postgres
def test_work_a_frozen_postgres_never_answers_is_abandoned(postgres_url: str) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    database = Database(postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), statement_timeout=1)
    try:
        with database.sessions() as session:  # a pooled connection, alive and well
            assert session.scalar(text("SELECT 1")) == 1
        proxy.freeze()

        def select_one() -> None:
            with database.bounded("a test query"), database.sessions() as session:
                session.scalar(text("SELECT 1"))

        with pytest.raises(DatabaseNotAnswering, match="a test query: no answer") as caught:
            finishes(select_one)
        assert is_transient(caught.value)  # the writer retries it, then spools
    finally:
        proxy.stop()
        database.close()


@pytest.mark.postgres
def test_the_crawls_statements_have_a_server_side_timeout(postgres_url: str) -> None:
    database = Database(postgres_url, statement_timeout=1)
    other = Database(postgres_url)  # not a crawl's: exports and migrations have no limit
    try:
        with database.sessions() as session:
            assert session.scalar(text("SHOW statement_timeout")) == "1s"
            with pytest.raises(OperationalError, match="statement timeout") as caught:
                session.execute(text("SELECT pg_sleep(5)"))
            assert is_transient(caught.value)
        with other.sessions() as session:
            assert session.scalar(text("SHOW statement_timeout")) == "0"
    finally:
        database.close()
        other.close()


def test_a_locked_sqlite_database_waits_only_the_statement_timeout(tmp_path: Any) -> None:
    import sqlite3

    path = tmp_path / "n.db"
    database = Database(f"sqlite:///{path}", statement_timeout=1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another connection's write transaction
    try:
        with database.sessions.begin() as session:
            assert session.scalar(text("PRAGMA busy_timeout")) == 1000
            with pytest.raises(OperationalError, match="locked") as caught:
                session.execute(text("UPDATE crawl_runs SET status = status"))
        assert is_transient(caught.value)
    finally:
        holder.rollback()
        holder.close()
        database.close()


class BlockedWriter:
    """A writer whose batches wait until the test lets them through."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[str] = []

    def write(self, batch: list[Any], run_id: int | None) -> list[Any]:
        self.threads.append(threading.current_thread().name)
        assert self.release.wait(60)
        return []


def test_the_store_writes_on_the_database_thread_while_items_go_on(database: Database) -> None:
    s, writer = stats(), BlockedWriter()
    delivered = threading.Semaphore(0)  # one release per batch result handed back
    thread = DatabaseThread(lambda fire, value: (fire(value), delivered.release()))
    store = StorePipeline(writer, s, batch_size=2, in_thread=thread.run)  # type: ignore[arg-type]
    items = _prepared(database, 4, s)
    assert [store.process_item(it) for it in items] == items  # both batches handed over: nobody waited
    assert not writer.release.is_set()
    writer.release.set()
    finished = store.finish()
    assert delivered.acquire(timeout=60) and delivered.acquire(timeout=60)
    thread.stop()
    assert writer.threads == ["newspipe-database", "newspipe-database"]
    done: list[Any] = []
    finished.addBoth(done.append)
    assert done, "close_spider waits for the batches handed to the database thread"


@pytest.fixture
def database(tmp_path: Any) -> Any:
    with Database(f"sqlite:///{tmp_path / 'n.db'}") as database:
        yield database
