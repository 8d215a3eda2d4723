"""Per-domain politeness across workers: the Redis slot and the downloader middleware, against
the real Redis (keys under a unique prefix per test, deleted afterwards)."""

from __future__ import annotations

import asyncio

import pytest
import redis
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.distributed import throttle as throttle_module
from crawler.distributed.keys import JobKeys
from crawler.distributed.throttle import RedisThrottle, RedisThrottleMiddleware


class Dummy(scrapy.Spider):
    name = "dummy"


def test_a_slot_taken_by_one_worker_makes_the_other_wait(server: redis.Redis, keys: JobKeys) -> None:
    one, two = RedisThrottle(server, keys, "w1"), RedisThrottle(server, keys, "w2")
    assert one.try_acquire("news.test", 30.0) == 0.0
    wait = two.try_acquire("news.test", 30.0)
    assert 0 < wait <= 30.0
    assert one.try_acquire("news.test", 30.0) > 0  # the holder too: the delay is the site's, not the worker's
    assert two.try_acquire("other.test", 30.0) == 0.0  # other sites are not held up
    assert server.get(keys.throttle("news.test")) == b"w1"


def test_no_delay_means_no_slot(server: redis.Redis, keys: JobKeys) -> None:
    throttle = RedisThrottle(server, keys)
    assert throttle.try_acquire("fast.test", 0) == 0.0
    assert throttle.try_acquire("fast.test", 0) == 0.0
    assert not server.exists(keys.throttle("fast.test"))


def test_a_slot_key_without_expiry_cannot_block_forever(server: redis.Redis, keys: JobKeys) -> None:
    server.set(keys.throttle("stuck.test"), b"someone")
    wait = RedisThrottle(server, keys).try_acquire("stuck.test", 2.0)
    assert 0 < wait <= 2.0
    assert 0 < server.pttl(keys.throttle("stuck.test")) <= 2000


def test_middleware_is_off_outside_worker_mode() -> None:
    with pytest.raises(NotConfigured):
        RedisThrottleMiddleware.from_crawler(get_crawler(Dummy, {}))


def middleware(redis_url: str, keys: JobKeys) -> RedisThrottleMiddleware:
    crawler = get_crawler(
        Dummy,
        {
            "NEWSPIPE_REDIS_URL": redis_url,
            "NEWSPIPE_REDIS_PREFIX": keys.prefix,
            "NEWSPIPE_REDIS_JOB": keys.job,
            "DOWNLOAD_DELAY": 7.0,
            "DOWNLOAD_SLOTS": {"slow.test": {"delay": 20.0, "concurrency": 1}, "fast.test": {"delay": 0}},
        },
    )
    crawler.spider = Dummy.from_crawler(crawler)
    return RedisThrottleMiddleware.from_crawler(crawler)


def test_middleware_takes_the_delay_from_the_sources_slots(redis_url: str, keys: JobKeys) -> None:
    mw = middleware(redis_url, keys)
    assert mw.delay_for(mw.slot_of(Request("https://slow.test/a"))) == 20.0
    assert mw.delay_for(mw.slot_of(Request("https://fast.test/a"))) == 0
    assert mw.delay_for(mw.slot_of(Request("https://elsewhere.test/a"))) == 7.0


def test_middleware_waits_for_the_slot_then_goes(redis_url: str, server: redis.Redis, keys: JobKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    mw = middleware(redis_url, keys)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        server.delete(keys.throttle("slow.test"))  # the other worker's delay has passed

    monkeypatch.setattr(throttle_module, "sleep", fake_sleep)
    RedisThrottle(server, keys, "other-worker").try_acquire("slow.test", 20.0)
    assert asyncio.run(mw.process_request(Request("https://slow.test/a"))) is None
    assert len(slept) == 1 and 0 < slept[0] <= 20.0
    assert server.get(keys.throttle("slow.test")) is not None  # now ours, for the next request
    assert mw.stats.get_value("newspipe/distributed/throttle/waits") == 1
    assert asyncio.run(mw.process_request(Request("https://fast.test/a"))) is None
    assert len(slept) == 1
