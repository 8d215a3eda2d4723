"""Redis away, piece by piece: the scheduler holds new requests and acknowledgements and sends
them when Redis answers again, puts back what a command whose reply was lost took, logs one line
per outage, and gives other workers a TTL to beat again before reaping them; the worker spider
does not stop; the throttle falls back to a local delay. Against the real Redis (keys under a
unique prefix per test) through `Flaky`, a client that raises ConnectionError while `down`."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from redis.commands.core import Script
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request

from crawler.distributed import scheduler as scheduler_module
from crawler.distributed import throttle as throttle_module
from crawler.distributed.keys import JobKeys
from crawler.distributed.scheduler import ReliableScheduler
from tests.test_distributed_queue import queue_for, request, scheduler_for, worker_and_news_spiders
from tests.test_distributed_throttle import middleware


class Flaky:
    """A Redis client that raises ConnectionError while `down`, and runs the command but loses
    its reply (TimeoutError, as from a frozen server) while `lose_replies`; else the real one."""

    def __init__(self, real: redis.Redis) -> None:
        self.real = real
        self.down = False
        self.lose_replies = False
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                self.failures += 1
                raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            result = attr(*args, **kwargs)
            if self.lose_replies:
                self.failures += 1
                raise redis.TimeoutError("Timeout reading from 127.0.0.1:6379")
            return result

        return call

    def register_script(self, script: str) -> Script:
        return Script(self, script)


def flaky_scheduler(redis_url: str, keys: JobKeys, worker: str) -> tuple[ReliableScheduler, set[Request], Flaky]:
    scheduler, in_progress = scheduler_for(redis_url, keys, worker)
    flaky = Flaky(scheduler.server)
    scheduler.server = flaky  # type: ignore[assignment]
    scheduler.attach(scheduler.spider)  # its queue on the flaky client
    return scheduler, in_progress, flaky


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Redis at ")]


def test_work_done_while_redis_is_away_is_held_and_sent_when_it_returns(
    redis_url: str, server: redis.Redis, keys: JobKeys, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, in_progress, flaky = flaky_scheduler(redis_url, keys, "w")
    for n in range(2):
        scheduler.enqueue_request(request(f"https://example.test/{n}"))
    first = scheduler.next_request()  # pushes both, takes both
    assert first is not None
    in_progress.add(first)

    flaky.down = True
    in_progress.discard(first)  # the engine is done with it: an acknowledgement to send
    for n in range(2, 5):  # its callback's output
        assert scheduler.enqueue_request(request(f"https://example.test/{n}"))
    with caplog.at_level(logging.INFO):
        for _ in range(5):  # ticks, pushes, pops: none raises
            scheduler.ack_finished()
            scheduler.push_held()
        second = scheduler.next_request()  # taken ahead before the outage: handled without Redis
        assert second is not None
        in_progress.add(second)
        assert scheduler.next_request() is None  # nothing more to take while Redis is away
        assert scheduler.has_pending_requests()  # so the engine does not close the spider
        assert scheduler.held() == 4  # three new requests, one acknowledgement
        assert not scheduler.link.up
        assert flaky.failures == 1  # tried once; then only the heartbeat thread's probe tries
        lines = outage_lines(caplog)
        assert len(lines) == 1, lines
        assert "unreachable" in lines[0] and "Connection refused" in lines[0] and "holding" in lines[0]

        flaky.down = False
        assert scheduler.link.probe(scheduler._beat_and_reap, False)  # the heartbeat thread's next try
        assert scheduler.link.up
        assert scheduler.ack_finished() == 1  # the tick after it
    lines = outage_lines(caplog)
    assert len(lines) == 2 and "is back" in lines[1] and "sending 4 held requests" in lines[1], lines
    assert server.zcard(keys.requests) == 3
    assert server.zrange(keys.processing("w"), 0, -1) == [scheduler.inflight[second]]
    assert scheduler.held() == 0
    assert scheduler.stats.get_value("scheduler/enqueued/redis") == 5
    assert scheduler.stats.get_value("newspipe/distributed/outages") == 1


def test_what_a_command_with_a_lost_reply_took_is_put_back(redis_url: str, server: redis.Redis, keys: JobKeys) -> None:
    scheduler, in_progress, flaky = flaky_scheduler(redis_url, keys, "w")
    scheduler.enqueue_request(request("https://example.test/a"))
    scheduler.push_held()
    server.rpush(keys.seeds_processing("w"), b'{"seed": 1}')  # taken by an LMOVE whose reply was lost
    flaky.lose_replies = True
    assert scheduler.next_request() is None  # the pop ran on the server; its reply never came
    assert server.zcard(keys.processing("w")) == 1 and server.zcard(keys.requests) == 0
    flaky.lose_replies = False
    scheduler.link.probe(scheduler._beat_and_reap, False)

    again = scheduler.next_request()
    assert again is not None and again.url == "https://example.test/a"
    assert server.lrange(keys.start, 0, -1) == [b'{"seed": 1}']
    assert server.llen(keys.seeds_processing("w")) == 0
    assert scheduler.stats.get_value("newspipe/distributed/resynced") == 2
    in_progress.add(again)
    assert scheduler.next_request() is None  # taken once, not twice
    assert server.zcard(keys.processing("w")) == 1


def test_a_silent_worker_gets_a_whole_ttl_to_beat_again_before_it_is_reaped(
    redis_url: str, server: redis.Redis, keys: JobKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(scheduler_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    scheduler, _, _ = flaky_scheduler(redis_url, keys, "reaper")
    other = queue_for(server, keys, "other")
    other.beat()
    other.push(request("https://example.test/a"))
    assert other.pop() is not None
    server.delete(keys.heartbeat("other"))  # lapsed while Redis was away

    scheduler._reap()  # right after the outage: seen silent, not reaped
    now[0] += 10
    scheduler._reap()
    assert server.zcard(keys.processing("other")) == 1
    other.beat()  # it beats again once Redis is back
    now[0] += 10
    scheduler._reap()
    assert server.zcard(keys.processing("other")) == 1

    server.delete(keys.heartbeat("other"))  # now it is gone for good
    scheduler._reap()
    now[0] += scheduler.heartbeat_ttl
    scheduler._reap()
    assert server.zcard(keys.processing("other")) == 0
    assert server.zcard(keys.requests) == 1
    assert scheduler.stats.get_value("newspipe/distributed/reaped") == 1


def test_a_worker_does_not_stop_for_its_idle_timeout_while_redis_is_away(redis_url: str, keys: JobKeys, tmp_path: Path) -> None:
    worker, _ = worker_and_news_spiders(redis_url, keys, tmp_path)
    flaky = Flaky(worker.server)
    worker.server = flaky
    worker.crawler.engine = SimpleNamespace(_slot=None)  # no scheduler to push to
    worker.max_idle_time = 1
    worker.spider_idle_start_time = 1  # idle since long ago
    flaky.down = True
    assert worker.schedule_next_requests() == 0
    assert worker.job_busy()  # unknown: busy
    with pytest.raises(DontCloseSpider):
        worker.spider_idle()
    flaky.down = False
    worker.link.probe(lambda: flaky.ping(), False)
    worker.spider_idle_start_time = 1
    worker.spider_idle()  # Redis answers, the job is empty, the idle time is over: it may stop


def test_the_throttle_keeps_a_local_delay_while_redis_is_away(redis_url: str, keys: JobKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    mw = middleware(redis_url, keys)
    flaky = Flaky(mw.throttle.server)
    mw.throttle.server = flaky  # type: ignore[assignment]
    flaky.down = True
    now = [1000.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(throttle_module, "sleep", fake_sleep)
    monkeypatch.setattr(throttle_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    assert asyncio.run(mw.process_request(Request("https://slow.test/a"))) is None  # goes
    assert slept == []
    assert asyncio.run(mw.process_request(Request("https://slow.test/b"))) is None  # this worker's delay first
    assert slept == [20.0]
    assert asyncio.run(mw.process_request(Request("https://fast.test/a"))) is None  # no delay, no wait
    assert slept == [20.0]
    assert flaky.failures == 1
    assert mw.stats.get_value("newspipe/distributed/throttle/local") == 2


def test_worker_clients_give_up_on_a_silent_server_and_leave_retrying_to_the_link() -> None:
    from scrapy.settings import Settings
    from scrapy_redis.connection import get_redis_from_settings

    from crawler.distributed.settings import apply_worker_settings

    settings = Settings({"NEWSPIPE_REDIS_URL": "redis://127.0.0.1:6379/0", "NEWSPIPE_REDIS_SOCKET_TIMEOUT": 3})
    apply_worker_settings(settings)
    kwargs = get_redis_from_settings(settings).connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == 3.0
    for error, attempts in ((redis.ConnectionError, 2), (redis.TimeoutError, 1)):
        # A pooled socket the restarted server closed: once more, at once; a timeout (frozen server): not again.
        calls: list[int] = []

        def command(error: type[Exception] = error) -> None:
            calls.append(1)
            raise error("away")

        with pytest.raises(error):
            kwargs["retry"].call_with_retry(command, lambda _: None)
        assert len(calls) == attempts, error
