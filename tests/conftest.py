"""Shared fixtures: database URLs for SQLite and PostgreSQL, each test on an empty schema; the test tiers.

PostgreSQL is the server at 127.0.0.1:5432, database `test` (override with
$NEWSPIPE_TEST_POSTGRES_URL). Where it is absent the PostgreSQL variants skip with
the reason, except in CI ($CI set), where a missing server is a failure.

Tiers: `pytest -m "not slow"` is the fast tier (no services, no spawned crawls or processes,
no corpora). A test is marked `slow` here, without a mark of its own, when it is marked
`postgres` or `e2e`, takes a PostgreSQL or Redis fixture, or names (itself, or through the
functions and fixtures of tests/ it calls) something that spawns a crawl or a process, needs a
service or reads the corpora (`SLOW_NAMES`). A test left in the fast tier that starts a Python child anyway fails, so the
rule cannot go stale quietly: mark it `pytest.mark.slow` (or add the helper to `SLOW_NAMES`).
"""

from __future__ import annotations

import multiprocessing.process
import os
import subprocess
import sys
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

POSTGRES_URL = os.environ.get("NEWSPIPE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent


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


# -- test tiers -------------------------------------------------------------------------------

SLOW_MARKERS = {"postgres", "e2e"}
SLOW_FIXTURES = {"postgres_url", "redis_url", "server", "keys"}
# Names whose use means a spawned crawl or process, a service, or the corpora.
SLOW_NAMES = {
    "run_crawl", "run_cli_in_child", "subprocess", "multiprocessing", "CrawlerProcess",
    "require_postgres", "require_redis", "POSTGRES_URL", "REDIS_URL", "default_corpora_root",
}  # fmt: skip


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    yield from code.co_freevars
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_names(const)


def _uses_slow_name(func: Any, seen: set[int]) -> bool:
    """Whether `func` names a SLOW_NAMES entry, itself or through the functions of tests/ it names."""
    func = getattr(func, "__wrapped__", func)
    code = getattr(func, "__code__", None)
    if code is None or id(code) in seen or not code.co_filename.startswith(str(TESTS_DIR)):
        return False
    seen.add(id(code))
    names = getattr(func, "__globals__", {})
    for name in _code_names(code):
        if name in SLOW_NAMES or _uses_slow_name(names.get(name), seen):
            return True
    return False


def _is_slow(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
        return True
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & SLOW_FIXTURES:
        return True
    module = getattr(item, "module", None)
    if module is None:
        return False
    seen: set[int] = set()
    functions = [getattr(item, "obj", None)] + [vars(module).get(name) for name in fixtures]
    return any(_uses_slow_name(function, seen) for function in functions if function is not None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not item.get_closest_marker("slow") and _is_slow(item):
            item.add_marker(pytest.mark.slow)


def _starts_python(args: Any) -> bool:
    argv0 = args if isinstance(args, str | bytes | os.PathLike) else next(iter(args), "")
    first = os.fsdecode(argv0).split()[0] if argv0 else ""
    return first == sys.executable or Path(first).name.startswith("python")


@pytest.fixture(autouse=True)
def fast_tests_start_no_python_child(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test of the fast tier that starts a Python child (a crawl, the CLI) fails: it belongs in `slow`."""
    if request.node.get_closest_marker("slow"):
        yield
        return
    started: list[str] = []
    popen_init = subprocess.Popen.__init__
    process_start = multiprocessing.process.BaseProcess.start

    def watched_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        if _starts_python(args):
            started.append(repr(args)[:200])
        popen_init(self, args, *rest, **kwargs)

    def watched_start(self: multiprocessing.process.BaseProcess) -> None:
        started.append(f"multiprocessing {self.name}")
        process_start(self)

    monkeypatch.setattr(subprocess.Popen, "__init__", watched_init)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", watched_start)
    yield
    if started:
        pytest.fail(f"a test of the fast tier started {started[0]}: mark it pytest.mark.slow (see tests/conftest.py)", pytrace=False)
