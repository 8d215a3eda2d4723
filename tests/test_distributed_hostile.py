"""No code from the queue: a hostile pickle in every Redis key a worker reads (the request queue,
its own and a dead worker's processing sets, the start key, the seeds lists taken by workers, the
workers set, the duplicate filter, the throttle slot) is never unpickled. A worker crawling a local
fixture server refuses and counts each one, removes it, and crawls the good requests around it."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import redis
from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401
from picklebomb import pickle_bomb

from crawler.distributed.keys import JobKeys
from crawler.distributed.seeds import Seed

WINDOW = {"NEWSPIPE_SINCE": "2025-10-01", "NEWSPIPE_UNTIL": "2025-10-31"}


def article(url: str) -> bytes:
    """A queue member as anyone can write it by hand: the JSON request dict."""
    request = {"url": url, "callback": "parse_article", "errback": "on_error", "meta": {"newspipe": {"source": "example", "via": "test"}}}
    return json.dumps(request).encode()


def test_the_bomb_goes_off_when_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    pickle.loads(pickle_bomb(marker)).close()  # noqa: S301 (the test's own bomb)
    assert marker.exists()


def test_a_worker_never_runs_a_pickle_from_redis(
    tmp_path: Path, fixture_server: FixtureServer, redis_url: str, server: redis.Redis, keys: JobKeys
) -> None:
    s = fixture_server
    s.route("/rss2.xml", file="rss2.xml", content_type="application/rss+xml")
    sources = write_sources(
        tmp_path / "sources.toml",
        f'[[source]]\nname = "example"\ndomains = ["{s.netloc}"]\nfeeds = ["{s.url("/rss2.xml")}"]\nrobots_sitemaps = false\n',
    )
    marker = tmp_path / "pwned"
    bomb = pickle_bomb(marker)
    feed_seed = Seed(s.url("/rss2.xml"), "feed", "example", cycle="c1").to_json()
    # Every key a worker reads, each with a bomb (or two) and good work around it.
    server.zadd(keys.requests, {bomb: 0, bomb + b"\x00": -5, article(s.url("/queued/a")): 0})
    server.zadd(keys.processing("w1"), {bomb + b"\x01": 0, article(s.url("/own/b")): 0})  # this worker's, from before a restart
    server.sadd(keys.workers, "ghost", bomb)  # a dead worker, and a member that is no worker id
    server.zadd(keys.processing("ghost"), {bomb + b"\x02": 0, article(s.url("/ghost/c")): 0})
    server.rpush(keys.start, bomb, feed_seed, bomb + b"\x03")
    server.rpush(keys.seeds_processing("w1"), bomb + b"\x04")
    server.rpush(keys.seeds_processing("ghost"), bomb + b"\x05")
    server.sadd(keys.dupefilter, bomb)
    server.set(keys.throttle("127.0.0.1"), bomb)

    result = run_crawl(
        "worker",
        {
            "NEWSPIPE_SOURCES_FILE": sources, **WINDOW, "NEWSPIPE_INCREMENTAL": False,
            "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],
            "NEWSPIPE_REDIS_URL": redis_url, "NEWSPIPE_REDIS_PREFIX": keys.prefix, "NEWSPIPE_REDIS_JOB": keys.job,
            "NEWSPIPE_REDIS_WORKER_ID": "w1", "NEWSPIPE_REDIS_IDLE_TIMEOUT": 1,
        },  # fmt: skip
        timeout=120,
    )

    assert result.error is None, result.error
    assert not marker.exists(), "a pickle from Redis was loaded"
    # Four bombs in the queue and processing sets, one in the workers set; four in seed lists.
    assert result.stat("newspipe/redis/refused_member") == 5
    assert result.stat("newspipe/distributed/bad_seed") == 4
    assert {s.url("/queued/a"), s.url("/own/b"), s.url("/ghost/c"), s.url("/2025/10/28/council-approves-new-budget/")} <= result.urls
    # Refused members are gone, not retried forever.
    assert server.zcard(keys.requests) == 0
    assert not list(server.scan_iter(match=keys.processing("*")))
    assert not list(server.scan_iter(match=keys.seeds_processing("*")))
    assert server.llen(keys.start) == 0
    assert server.smembers(keys.workers) == set()
