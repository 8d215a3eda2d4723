"""CLI for distributed crawling: `enqueue` (push the sources' seeds to a job), `workers` (a job's
state), and the worker mode of `crawl` (`newspipe crawl --redis URL`, in `crawl_worker`).

Registered on the main app by `newspipe.cli`; shares its helpers and exit codes. The Redis URL
is `--redis`, else $NEWSPIPE_REDIS_URL; one without a password for a host that is not loopback
is refused (exit code 2) before any connection unless `--allow-insecure-redis` is given (see
`crawler.distributed.redisurl`).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from newspipe.config import current

if TYPE_CHECKING:
    from redis import Redis

    from crawler.discovery.window import Window
    from crawler.distributed.keys import JobKeys

RedisOption = Annotated[
    str, typer.Option("--redis", envvar="NEWSPIPE_REDIS_URL", help="Redis URL, e.g. redis://127.0.0.1:6379/0 (or $NEWSPIPE_REDIS_URL).")
]
JobOption = Annotated[str, typer.Option("--job", help="Job name: workers and enqueue of one job share keys newspipe:<job>:*.")]
PrefixOption = Annotated[str, typer.Option("--key-prefix", help="Prefix of every Redis key.", hidden=True)]
AllowInsecureOption = Annotated[
    bool, typer.Option("--allow-insecure-redis", help="Allow a Redis URL without a password on a host that is not loopback.")
]


def _keys(prefix: str, job: str) -> JobKeys:
    from newspipe.cli_common import fail
    from crawler.distributed.keys import JobKeys

    try:
        return JobKeys(prefix, job)
    except ValueError as exc:
        raise fail(str(exc)) from None


def check_url(url: str, allow_insecure: bool) -> None:
    """Refuse (exit code 2), before any connection, a URL without a password for a remote Redis."""
    from newspipe.cli_common import fail
    from crawler.distributed.redisurl import check_redis_url

    try:
        check_redis_url(url, allow_insecure=allow_insecure)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _connect(url: str, allow_insecure: bool) -> Redis:
    """A client that answered PING; a clear error and exit code 1 otherwise (2 for a bad or
    insecure URL, refused before connecting)."""
    import redis

    from newspipe.cli_common import EXIT_FAILED, fail
    from crawler.distributed.redisurl import redacted

    check_url(url, allow_insecure)
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()
    except ValueError as exc:
        raise fail(f"bad Redis URL {redacted(url)!r}: {exc}") from None
    except redis.RedisError as exc:
        raise fail(f"cannot reach Redis at {redacted(url)}: {exc}", EXIT_FAILED) from None
    return server


def enqueue(
    sources_file: Annotated[Path, typer.Argument(help="TOML sources file (the workers must have the same one).")] = Path("examples/sources.toml"),
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    redis_url: RedisOption = "",
    job: JobOption = "default",
    key_prefix: PrefixOption = "newspipe",
    allow_insecure_redis: AllowInsecureOption = False,
) -> None:
    """Queue the sources' feeds, sitemaps and section pages for the distributed workers.

    Pushes them (and robots.txt sitemap lookups) to the job's start key; workers started with
    `newspipe crawl SOURCES --redis URL` crawl them. Each call starts a new cycle, in which no
    URL is fetched twice: run it from cron.
    """
    from crawler.distributed.seeds import new_cycle, push_seeds, seeds_for
    from crawler.sources import SourcesError, load_sources
    from newspipe.cli_common import err, fail

    redis_url = redis_url or current().get("NEWSPIPE_REDIS_URL") or ""  # newspipe.toml
    if not redis_url:
        raise fail("no Redis URL: pass --redis URL or set NEWSPIPE_REDIS_URL")
    try:
        sources = load_sources(sources_file, source or [])
    except SourcesError as exc:
        raise fail(str(exc)) from None
    keys = _keys(key_prefix, job)
    server = _connect(redis_url, allow_insecure_redis)
    cycle = new_cycle()
    seeds = seeds_for(sources, cycle)
    waiting = push_seeds(server, keys, seeds)
    kinds = Counter(seed.kind for seed in seeds)
    detail = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())) or "nothing"
    workers = int(server.scard(keys.workers))
    err.print(
        f"queued {len(seeds)} seeds ({detail}) from {len(sources)} sources on {keys.start}, cycle {cycle}; "
        f"{waiting} seeds waiting, {workers} workers registered",
        highlight=False,
        soft_wrap=True,
    )
    if not workers:
        err.print("no worker is running: start some with `newspipe crawl SOURCES --redis URL`", highlight=False)


def workers(
    redis_url: RedisOption = "",
    job: JobOption = "default",
    key_prefix: PrefixOption = "newspipe",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    allow_insecure_redis: AllowInsecureOption = False,
) -> None:
    """A job's state: seeds and requests waiting, and each worker with its requests in flight."""
    import json

    from rich.table import Table

    from newspipe.cli_common import fail, out

    redis_url = redis_url or current().get("NEWSPIPE_REDIS_URL") or ""  # newspipe.toml
    if not redis_url:
        raise fail("no Redis URL: pass --redis URL or set NEWSPIPE_REDIS_URL")
    keys = _keys(key_prefix, job)
    server = _connect(redis_url, allow_insecure_redis)
    state = job_state(server, keys)
    if as_json:
        sys.stdout.write(json.dumps(state, indent=2) + "\n")
        return
    out.print(f"job {job}: {state['seeds_waiting']} seeds and {state['requests_waiting']} requests waiting", highlight=False)
    table = Table("worker", "alive", "in flight", "seeds taken")
    for name, info in state["workers"].items():
        table.add_row(name, "yes" if info["alive"] else "no (reaped soon)", str(info["in_flight"]), str(info["seeds_taken"]))
    out.print(table)


def job_state(server: Redis, keys: JobKeys) -> dict[str, Any]:
    from dataclasses import asdict

    from crawler.distributed.queue import job_state as read_state, registered_workers

    state = read_state(server, keys, sorted(registered_workers(server, keys)))
    return {"job": keys.job, **asdict(state)}


def crawl_worker(
    sources_file: Path,
    names: list[str],
    window: Window,
    *,
    redis_url: str,
    job: str,
    idle_timeout: int,
    worker_id: str | None,
    db: str | None,
    log_level: str,
    progress: bool,
    allow_insecure_redis: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """`newspipe crawl --redis URL`: run the `worker` spider until the job has been idle `idle_timeout` s (0: forever)."""
    from newspipe.cli_common import _exit_for, _run, fail, selection_settings
    from crawler.distributed.keys import check_name

    check_url(redis_url, allow_insecure_redis)
    _keys("newspipe", job)
    if worker_id:
        try:
            check_name(worker_id, "worker id")
        except ValueError as exc:
            raise fail(str(exc)) from None
    if idle_timeout < 0:
        raise fail("--idle-timeout must be >= 0")
    _connect(redis_url, allow_insecure_redis).close()
    overrides = {
        **selection_settings(db, sources_file, names, window, log_level),
        "NEWSPIPE_REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_ALLOW_INSECURE": allow_insecure_redis,
        "NEWSPIPE_REDIS_JOB": job,
        "NEWSPIPE_REDIS_WORKER_ID": worker_id,
        "NEWSPIPE_REDIS_IDLE_TIMEOUT": idle_timeout,
        **(extra or {}),
    }
    # No run lock: workers of one job run side by side by design.
    _exit_for(_run("worker", overrides, progress))


def register(app: typer.Typer) -> None:
    app.command()(enqueue)
    app.command()(workers)
