"""Shared fixtures: database URLs for SQLite and PostgreSQL, each test on an empty schema.

PostgreSQL is the server at 127.0.0.1:5432, database `test` (override with
$NEWSPIPE_TEST_POSTGRES_URL). Where it is absent the PostgreSQL variants skip with
the reason, except in CI ($CI set), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

POSTGRES_URL = os.environ.get("NEWSPIPE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _postgres_problem() -> str | None:
    try:
        import psycopg

        dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: no usable server
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}"


_POSTGRES_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    if not _POSTGRES_PROBLEM:
        _POSTGRES_PROBLEM.append(_postgres_problem())
    return _POSTGRES_PROBLEM[0]


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI must run the PostgreSQL tests)")
    pytest.skip(problem)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    require_postgres()
    import psycopg

    schema = f"np_test_{uuid.uuid4().hex[:12]}"
    dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


REDIS_URL = os.environ.get("NEWSPIPE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_REDIS_PROBLEM: list[str | None] = []


def redis_problem() -> str | None:
    if not _REDIS_PROBLEM:
        try:
            import redis

            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
            _REDIS_PROBLEM.append(None)
        except Exception as exc:  # any failure means: no usable server
            _REDIS_PROBLEM.append(f"Redis not reachable at {REDIS_URL}: {exc}")
    return _REDIS_PROBLEM[0]


def require_redis() -> None:
    problem = redis_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI must run the Redis tests)")
    pytest.skip(problem)


@pytest.fixture
def redis_url() -> str:
    """The test Redis URL ($NEWSPIPE_TEST_REDIS_URL, else 127.0.0.1:6379/0); tests namespace their own keys."""
    require_redis()
    return REDIS_URL


@pytest.fixture(autouse=True)
def no_default_database_in_the_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A test that names no database gets a scratch one, never ./newspipe.db where the tests run."""
    scratch = tmp_path_factory.mktemp("default-db") / "newspipe.db"
    monkeypatch.setenv("NEWSPIPE_DATABASE_URL", f"sqlite:///{scratch}")  # the CLI, also in subprocesses
    monkeypatch.setattr("storage.engine.DEFAULT_DATABASE_URL", f"sqlite:///{scratch}")  # a crawl given no URL, in process


@pytest.fixture(autouse=True)
def allow_the_test_servers_loopback_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI (and its subprocesses) may fetch 127.0.0.1, where test sites listen; no other private address."""
    monkeypatch.setenv("NEWSPIPE_ALLOW_NETWORKS", "127.0.0.1/32")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newspipe.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newspipe.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def server(redis_url: str) -> Iterator[Any]:
    """A Redis client on the test server."""
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def keys(server: Any) -> Iterator[Any]:
    """Redis keys of a job under a fresh prefix, deleted afterwards."""
    from crawler.distributed.keys import JobKeys

    keys = JobKeys(prefix=f"nptest-{uuid.uuid4().hex[:10]}", job="job")
    yield keys
    stale = list(server.scan_iter(match=f"{keys.prefix}:*"))
    if stale:
        server.delete(*stale)
