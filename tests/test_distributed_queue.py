"""The reliable Redis queue, the scheduler's acknowledgements, the per-cycle duplicate filter,
the seeds and the worker spider's seed requests, against the real Redis (keys under a
unique prefix per test, deleted afterwards)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
import scrapy
from scrapy.http import FormRequest, Request
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from crawler.distributed.dupefilter import CYCLE_META, CycleDupeFilter
from crawler.distributed.keys import JobKeys
from crawler.distributed.queue import ReliableQueue, WorkerLoad, job_state
from crawler.distributed.scheduler import ReliableScheduler
from crawler.distributed.seeds import BadSeed, Seed, push_seeds, seeds_for
from crawler.requestjson import dict_to_json
from crawler.sources import parse_sources
from crawler.spiders.base import DISCOVERY_META

SOURCES = """
[[source]]
name = "herald"
domains = ["herald.test"]
feeds = ["https://herald.test/feed/"]
sections = ["https://herald.test/news/"]
robots_sitemaps = false

[[source]]
name = "wire"
domains = ["wire.test"]
feeds = ["https://wire.test/index.rdf"]
sitemaps = ["https://wire.test/sitemap.xml"]
robots_sitemaps = true
"""


class Dummy(scrapy.Spider):
    name = "dummy"

    def parse(self, response: Any) -> None:  # a callback the queue can name
        return None


def queue_for(server: redis.Redis, keys: JobKeys, worker: str, ttl: float = 30.0) -> ReliableQueue:
    return ReliableQueue(server, Dummy(), keys.requests, keys=keys, worker=worker, heartbeat_ttl=ttl)


def request(url: str, priority: int = 0) -> Request:
    return Request(url, callback=Dummy().parse, priority=priority, meta={"newspipe": {"source": "x"}})


def test_pop_moves_to_processing_and_ack_forgets(server: redis.Redis, keys: JobKeys) -> None:
    queue = queue_for(server, keys, "a")
    for n in range(3):
        queue.push(request(f"https://example.test/{n}"))
    first = queue.pop_with_data()
    second = queue.pop_with_data()
    assert first is not None and second is not None
    assert len(queue) == 1
    assert queue.in_processing() == 2
    queue.ack([first[1]])
    assert queue.in_processing() == 1
    assert first[0].meta["newspipe"] == {"source": "x"}



def test_the_job_is_drained_only_with_nothing_waiting_and_nothing_in_flight(server: redis.Redis, keys: JobKeys) -> None:
    queue = queue_for(server, keys, "a")
    queue.beat()
    assert job_state(server, keys, ["a", "b"]).drained  # an empty job
    server.rpush(keys.start, b"seed")
    assert job_state(server, keys, ["a"]).seeds_waiting == 1 and not job_state(server, keys, ["a"]).drained
    server.rpoplpush(keys.start, keys.seeds_processing("b"))  # taken by b, not yet scheduled
    state = job_state(server, keys, ["a", "b"])
    assert state.workers["b"] == WorkerLoad(alive=False, in_flight=0, seeds_taken=1) and not state.drained
    assert job_state(server, keys, ["a"]).drained  # a worker asking about the others leaves itself out
    server.delete(keys.seeds_processing("b"))
    queue.push(request("https://example.test/1"))
    assert job_state(server, keys, ["a"]).requests_waiting == 1 and not job_state(server, keys, ["a"]).drained
    popped = queue.pop_with_data()
    assert popped is not None
    state = job_state(server, keys, ["a"])
    assert state.workers["a"] == WorkerLoad(alive=True, in_flight=1, seeds_taken=0) and not state.drained
    queue.ack([popped[1]])
    assert job_state(server, keys, ["a"]).drained

def test_pop_takes_the_highest_priority_first(server: redis.Redis, keys: JobKeys) -> None:
    queue = queue_for(server, keys, "a")
    queue.push(request("https://example.test/article", priority=0))
    queue.push(request("https://example.test/feed", priority=10))
    popped = queue.pop()
    assert popped is not None and popped.url == "https://example.test/feed"


def test_reaper_requeues_a_dead_workers_requests_with_their_priority(server: redis.Redis, keys: JobKeys) -> None:
    dead, alive = queue_for(server, keys, "dead"), queue_for(server, keys, "alive")
    dead.beat()
    alive.beat()
    dead.push(request("https://example.test/feed", priority=10))
    dead.push(request("https://example.test/a1"))
    dead.push(request("https://example.test/a2"))
    assert dead.pop() is not None and dead.pop() is not None  # the feed and one article in flight
    scores_before = dict(server.zrange(keys.processing("dead"), 0, -1, withscores=True))
    server.delete(keys.heartbeat("dead"))  # SIGKILL: nobody re-arms the heartbeat, it expires

    assert alive.reap() == {"dead": 2}
    assert server.zcard(keys.processing("dead")) == 0
    assert dict(server.zrange(keys.requests, 0, -1, withscores=True)).items() >= scores_before.items()
    assert len(alive) == 3
    assert server.smembers(keys.workers) == {b"alive"}
    urls = {alive.pop().url for _ in range(3)}  # type: ignore[union-attr]
    assert urls == {"https://example.test/feed", "https://example.test/a1", "https://example.test/a2"}


def test_reaper_leaves_a_live_worker_alone(server: redis.Redis, keys: JobKeys) -> None:
    busy, other = queue_for(server, keys, "busy"), queue_for(server, keys, "other")
    busy.beat()
    busy.push(request("https://example.test/a"))
    assert busy.pop() is not None
    assert other.reap() == {}
    assert busy.in_processing() == 1
    assert len(other) == 0


def test_two_reapers_requeue_a_dead_worker_once(server: redis.Redis, keys: JobKeys) -> None:
    dead = queue_for(server, keys, "dead")
    dead.beat()
    for n in range(4):
        dead.push(request(f"https://example.test/{n}"))
    for _ in range(4):
        dead.pop()
    server.delete(keys.heartbeat("dead"))
    first, second = queue_for(server, keys, "r1"), queue_for(server, keys, "r2")
    assert sum(first.reap().values()) + sum(second.reap().values()) == 4
    assert server.zcard(keys.requests) == 4


def test_heartbeat_expiry_makes_a_worker_dead(server: redis.Redis, keys: JobKeys) -> None:
    quick = queue_for(server, keys, "quick", ttl=0.05)
    quick.beat()
    ttl = server.pttl(keys.heartbeat("quick"))
    assert 0 < ttl <= 50
    server.pexpire(keys.heartbeat("quick"), 1)
    import time

    deadline = time.monotonic() + 5
    while quick.alive("quick") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not quick.alive("quick")


def test_seeds_a_dead_worker_had_taken_go_back_to_the_start_key(server: redis.Redis, keys: JobKeys) -> None:
    seed = Seed("https://example.test/feed/", "feed", "herald", cycle="c1").to_json()
    server.rpush(keys.start, seed)
    server.lmove(keys.start, keys.seeds_processing("dead"), "LEFT", "RIGHT")
    server.sadd(keys.workers, "dead")
    assert queue_for(server, keys, "other").reap() == {"dead": 1}
    assert server.lrange(keys.start, 0, -1) == [seed.encode()]


def test_release_gives_back_unfinished_work_and_deregisters(server: redis.Redis, keys: JobKeys) -> None:
    queue = queue_for(server, keys, "w")
    queue.beat()
    queue.push(request("https://example.test/a"))
    assert queue.pop() is not None
    assert queue.release() == 1
    assert len(queue) == 1
    assert not server.exists(keys.heartbeat("w"))
    assert server.smembers(keys.workers) == set()


def test_a_restart_under_the_same_id_recovers_its_requests(server: redis.Redis, keys: JobKeys) -> None:
    before = queue_for(server, keys, "systemd-1")
    before.beat()
    before.push(request("https://example.test/a"))
    assert before.pop() is not None  # then SIGKILL; the heartbeat may even still be alive
    after = queue_for(server, keys, "systemd-1")
    assert after.recover_own() == 1
    assert len(after) == 1


def test_an_unreadable_member_is_dropped_not_retried_forever(server: redis.Redis, keys: JobKeys) -> None:
    server.zadd(keys.requests, {b"not a pickle": 0})
    queue = queue_for(server, keys, "w")
    assert queue.pop() is None
    assert len(queue) == 0 and queue.in_processing() == 0


# -- the scheduler's acknowledgements ------------------------------------------------------


def scheduler_for(redis_url: str, keys: JobKeys, worker: str) -> tuple[ReliableScheduler, set[Request]]:
    settings = {
        "REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_PREFIX": keys.prefix,
        "NEWSPIPE_REDIS_JOB": keys.job,
        "NEWSPIPE_REDIS_WORKER_ID": worker,
        "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.CycleDupeFilter",
        "SCHEDULER_PERSIST": True,
    }
    crawler = get_crawler(Dummy, settings)
    scheduler = ReliableScheduler.from_crawler(crawler)
    in_progress: set[Request] = set()
    crawler.engine = SimpleNamespace(_slot=SimpleNamespace(inprogress=in_progress))  # type: ignore[assignment]
    crawler.spider = Dummy.from_crawler(crawler)
    scheduler.attach(crawler.spider)
    return scheduler, in_progress


def test_scheduler_acks_a_request_only_when_the_engine_is_done_with_it(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    scheduler, in_progress = scheduler_for(redis_url, keys, "w")
    for n in range(3):
        assert scheduler.enqueue_request(request(f"https://example.test/{n}"))
    assert server.zcard(keys.requests) == 0  # held for a batched push
    first = scheduler.next_request()  # pushes them, and takes up to NEWSPIPE_REDIS_PREFETCH at once
    assert first is not None
    in_progress.add(first)  # what the engine does with a request it downloads
    assert server.zcard(keys.requests) == 0
    assert server.zcard(keys.processing("w")) == 3  # the two waiting here are this worker's too
    assert scheduler.ack_finished() == 0
    assert server.zcard(keys.processing("w")) == 3

    in_progress.discard(first)  # downloaded, called back, items stored
    second = scheduler.next_request()  # taken from those waiting here: no round trip, the ack waits
    assert second is not None
    in_progress.add(second)
    assert server.zcard(keys.processing("w")) == 3
    assert scheduler.ack_finished() == 1
    assert server.zcard(keys.processing("w")) == 2
    in_progress.discard(second)
    assert scheduler.ack_finished() == 1
    assert server.zcard(keys.processing("w")) == 1
    assert scheduler.stats.get_value("newspipe/distributed/acked") == 2
    assert scheduler.stats.get_value("scheduler/enqueued/redis") == 3


def test_requests_a_callback_produced_are_pushed_before_it_is_acked(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    scheduler, in_progress = scheduler_for(redis_url, keys, "w")
    assert scheduler.enqueue_request(request("https://example.test/sitemap.xml", priority=10))
    sitemap = scheduler.next_request()
    in_progress.add(sitemap)
    for n in range(3):  # its callback's output, held here
        assert scheduler.enqueue_request(request(f"https://example.test/{n}"))
    assert server.zcard(keys.requests) == 0
    in_progress.discard(sitemap)
    # One script does both: were the worker killed before it, the reaper would give the sitemap
    # back (its articles not in Redis, nor marked seen); after it, the articles are queued.
    assert scheduler.ack_finished() == 1
    assert server.zcard(keys.requests) == 3
    assert server.zcard(keys.processing("w")) == 0


def test_a_clean_stop_gives_back_the_requests_taken_ahead(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    scheduler, in_progress = scheduler_for(redis_url, keys, "w")
    for n in range(5):
        scheduler.enqueue_request(request(f"https://example.test/{n}"))
    in_progress.add(scheduler.next_request())
    assert server.zcard(keys.processing("w")) == 5
    scheduler.close("shutdown")
    assert server.zcard(keys.processing("w")) == 0
    assert server.zcard(keys.requests) == 5  # unfinished, and taken ahead: all back in the queue


def test_a_request_another_worker_queued_is_dropped_at_the_push(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    mine, _ = scheduler_for(redis_url, keys, "w1")
    theirs, _ = scheduler_for(redis_url, keys, "w2")
    one = request("https://example.test/a")
    one.meta[CYCLE_META] = "c1"
    assert theirs.enqueue_request(one.replace())
    theirs.push_held()
    assert mine.enqueue_request(one.replace())  # the filter is asked at the push, not before
    mine.push_held()
    assert server.zcard(keys.requests) == 1
    assert mine.stats.get_value("dupefilter/filtered") == 1
    assert mine.stats.get_value("scheduler/enqueued/redis") is None
    assert 0 < server.ttl(f"{keys.dupefilter}:c1")
    unfiltered = one.replace(dont_filter=True)
    assert mine.enqueue_request(unfiltered)
    mine.push_held()
    assert server.zcard(keys.requests) == 2


def test_requests_are_stored_as_json_request_dicts(redis_url: str, keys: JobKeys) -> None:
    scheduler, _ = scheduler_for(redis_url, keys, "w")
    spider = scheduler.spider
    requests = [
        request("https://example.test/a", priority=3),
        Request("https://example.test/b", headers={"If-None-Match": '"x"'}, meta={CYCLE_META: "c1"}),
        Request("https://example.test/c", callback=spider.parse, errback=spider.parse, dont_filter=True),
        FormRequest("https://example.test/d", formdata={"q": "x"}, callback=spider.parse),
    ]
    for _ in range(2):  # the second time from the cached callback names
        for one in requests:
            member = scheduler.queue.encode(one)
            assert json.loads(member) == json.loads(dict_to_json(one.to_dict(spider=spider)))
            again = scheduler.queue._decode_request(member)
            assert (again.url, again.meta, again.priority, again.dont_filter) == (one.url, one.meta, one.priority, one.dont_filter)
            assert (type(again), again.method, again.headers, again.body) == (type(one), one.method, one.headers, one.body)
            assert again.callback == (getattr(spider, one.callback.__name__) if one.callback else None)


def test_scheduler_filters_repeats_within_a_cycle(redis_url: str, keys: JobKeys) -> None:
    scheduler, _ = scheduler_for(redis_url, keys, "w")
    one = request("https://example.test/a")
    one.meta[CYCLE_META] = "c1"
    again = one.replace()
    assert scheduler.enqueue_request(one)
    assert not scheduler.enqueue_request(again)
    assert len(scheduler) == 1


# -- the duplicate filter ------------------------------------------------------------------


def test_duplicate_filter_is_scoped_per_cycle(server: redis.Redis, keys: JobKeys) -> None:
    dupefilter = CycleDupeFilter(server, keys.dupefilter, cycle_ttl=3600)

    def seen(url: str, cycle: str | None) -> bool:
        meta = {CYCLE_META: cycle} if cycle else {}
        return dupefilter.request_seen(Request(url, meta=meta))

    assert not seen("https://example.test/feed/", "c1")
    assert seen("https://example.test/feed/", "c1")
    assert seen("https://example.test/feed/?", "c1")  # same canonical URL
    assert not seen("https://example.test/feed/", "c2")  # the next enqueue fetches the feed again
    assert not seen("https://example.test/feed/", None)
    assert seen("https://example.test/feed/", None)
    assert 0 < server.ttl(f"{keys.dupefilter}:c1") <= 3600
    assert server.ttl(keys.dupefilter) == -1
    dupefilter.clear()
    assert not list(server.scan_iter(match=f"{keys.dupefilter}*"))


# -- seeds -----------------------------------------------------------------------------------


def test_seeds_follow_the_news_spiders_discovery_order() -> None:
    sources = parse_sources(SOURCES)
    seeds = seeds_for(sources, "c1")
    assert [(s.kind, s.url, s.source, s.seed, s.root) for s in seeds] == [
        ("feed", "https://herald.test/feed/", "herald", True, None),
        ("section", "https://herald.test/news/", "herald", True, "https://herald.test/news/"),
        ("feed", "https://wire.test/index.rdf", "wire", True, None),
        ("robots", "https://wire.test/robots.txt", "wire", False, None),
        ("sitemap", "https://wire.test/sitemap.xml", "wire", True, None),
    ]
    assert all(s.cycle == "c1" for s in seeds)
    assert [Seed.from_json(s.to_json()) for s in seeds] == seeds


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe", b"not json", b"[1, 2]", b'{"kind": "feed", "source": "x"}', b'{"url": "ftp://x/", "kind": "feed", "source": "x"}',
     b'{"url": "https://x.test/", "kind": "podcast", "source": "x"}', b'{"url": "https://x.test/", "kind": "feed"}'],
)
def test_bad_seeds_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(BadSeed):
        Seed.from_json(data)


def worker_and_news_spiders(redis_url: str, keys: JobKeys, tmp_path: Path) -> tuple[Any, Any]:
    from crawler.spiders.news import NewsSpider
    from crawler.spiders.worker import WorkerSpider

    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    settings = {
        "NEWSPIPE_SOURCES_FILE": str(sources),
        "NEWSPIPE_INCREMENTAL": False,
        "NEWSPIPE_REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_PREFIX": keys.prefix,
        "NEWSPIPE_REDIS_JOB": keys.job,
        "NEWSPIPE_REDIS_WORKER_ID": "w1",
    }
    worker_crawler = get_crawler(WorkerSpider, settings)
    worker_crawler.spider = worker = WorkerSpider.from_crawler(worker_crawler)
    news_crawler = get_crawler(NewsSpider, {k: v for k, v in settings.items() if not k.startswith("NEWSPIPE_REDIS")})
    news_crawler.spider = news = NewsSpider.from_crawler(news_crawler)
    return worker, news


def test_worker_seed_requests_match_the_news_spiders_discovery_requests(redis_url: str, keys: JobKeys, tmp_path: Path) -> None:
    worker, news = worker_and_news_spiders(redis_url, keys, tmp_path)
    assert worker.crawler.settings.get("SCHEDULER") == "crawler.distributed.scheduler.ReliableScheduler"
    assert worker.crawler.settings.get("SCHEDULER_QUEUE_KEY") == keys.requests
    expected = [r for source in news.options.sources for r in news.discovery_requests(source)]
    got = [r for seed in seeds_for(worker.options.sources, "c1") for r in worker.seed_requests(seed.to_json())]
    assert len(got) == len(expected) == 5
    for mine, theirs in zip(got, expected):
        assert (mine.url, mine.callback.__name__, mine.errback.__name__, mine.priority) == (
            theirs.url, theirs.callback.__name__, theirs.errback.__name__, theirs.priority
        )
        assert mine.meta[DISCOVERY_META] == theirs.meta[DISCOVERY_META]
        assert mine.meta[CYCLE_META] == "c1"
        # Serialised the way scrapy-redis stores it, and read back by another worker.
        again = request_from_dict(mine.to_dict(spider=worker), spider=worker)
        assert again.callback == getattr(worker, mine.callback.__name__)
        assert again.meta == mine.meta


def test_worker_drops_seeds_it_cannot_use_and_counts_them(redis_url: str, keys: JobKeys, tmp_path: Path) -> None:
    worker, _ = worker_and_news_spiders(redis_url, keys, tmp_path)
    assert worker.seed_requests(b"garbage") == []
    assert worker.seed_requests(Seed("https://other.test/feed", "feed", "other").to_json()) == []
    stats = worker.crawler.stats
    assert stats.get_value("newspipe/distributed/bad_seed") == 1
    assert stats.get_value("newspipe/distributed/unknown_source") == 1


def test_worker_job_is_busy_while_anything_waits_or_is_in_flight(redis_url: str, server: redis.Redis, keys: JobKeys, tmp_path: Path) -> None:
    worker, _ = worker_and_news_spiders(redis_url, keys, tmp_path)
    assert not worker.job_busy()
    push_seeds(server, keys, seeds_for(worker.options.sources, "c1")[:1])
    assert worker.job_busy()
    server.delete(keys.start)
    server.sadd(keys.workers, "other")
    server.zadd(keys.processing("other"), {b"x": 0})
    assert worker.job_busy()  # another worker (alive or not yet reaped) may still produce requests
    server.delete(keys.processing("other"))
    assert not worker.job_busy()


def test_worker_state_is_kept_per_cycle(redis_url: str, keys: JobKeys, tmp_path: Path) -> None:
    worker, _ = worker_and_news_spiders(redis_url, keys, tmp_path)
    seen_1, pages_1, _ = worker._cycle_state("c1")
    seen_1.add("https://herald.test/a")
    seen_2, _, _ = worker._cycle_state("c2")
    assert "https://herald.test/a" not in seen_2
    assert worker._cycle_state("c1")[0] is seen_1


def test_workers_hold_items_until_their_batch_is_stored_and_other_crawls_do_not() -> None:
    from scrapy.settings import Settings

    from crawler.distributed.settings import worker_settings
    from crawler.runner import build_settings

    settings = Settings({"NEWSPIPE_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert worker_settings(settings)["NEWSPIPE_STORE_HOLD_ITEMS"] is True
    assert "NEWSPIPE_STORE_BATCH_SIZE" not in worker_settings(settings)  # batches, not one article per transaction
    assert build_settings({}).getbool("NEWSPIPE_STORE_HOLD_ITEMS") is False


def test_a_request_whose_meta_is_not_json_is_an_error_at_enqueue_and_the_rest_goes_on(
    redis_url: str, server: redis.Redis, keys: JobKeys, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import datetime, timezone

    scheduler, _ = scheduler_for(redis_url, keys, "w")
    bad = Request("https://example.test/bad", meta={"when": datetime(2025, 1, 1, tzinfo=timezone.utc)})
    assert not scheduler.enqueue_request(bad)
    assert scheduler.enqueue_request(request("https://example.test/good"))
    scheduler.push_held()
    assert server.zrange(keys.requests, 0, -1) == [scheduler.queue.encode(request("https://example.test/good"))]
    assert scheduler.stats.get_value("newspipe/redis/unserializable_request") == 1
    assert "cannot queue <GET https://example.test/bad> in Redis: https://example.test/bad: meta['when']: datetime is not JSON" in caplog.text


def test_the_scheduler_counts_refused_members_and_takes_the_good_ones(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    scheduler, in_progress = scheduler_for(redis_url, keys, "w")
    good = scheduler.queue.encode(request("https://example.test/good"))
    server.zadd(keys.requests, {b"garbage": 0, good: 1, b'{"url": 1}': 2})
    popped = scheduler.next_request()
    assert popped is not None and popped.url == "https://example.test/good"
    in_progress.add(popped)
    assert scheduler.next_request() is None
    assert scheduler.stats.get_value("newspipe/redis/refused_member") == 2
    assert server.zcard(keys.processing("w")) == 1  # only the good one, in flight
