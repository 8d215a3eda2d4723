"""The worker's scheduler: scrapy-redis's Scheduler on a `ReliableQueue`, with heartbeat, reaper and acks.

Reads scrapy-redis's settings (REDIS_URL, SCHEDULER_PERSIST, DUPEFILTER_CLASS, ...) and
NEWSPIPE_REDIS_PREFIX, NEWSPIPE_REDIS_JOB, NEWSPIPE_REDIS_WORKER_ID,
NEWSPIPE_REDIS_HEARTBEAT_TTL (seconds; a worker silent this long is taken for dead).

A request popped from Redis stays in this worker's processing set until the engine is
done with it: its download, callback or errback, the requests it produced (already pushed
to Redis) and its items (through every pipeline). The engine keeps such requests in its
slot's `inprogress` set until then, so a request that has left that set is acknowledged,
checked on every pop and twice a second. A background thread re-arms the heartbeat and
reaps dead workers every third of the TTL; a thread, so that a long extraction blocking
the reactor does not make the worker look dead.
Stats: newspipe/distributed/{popped,acked,recovered,reaped}.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed.keys import JobKeys, worker_id_for
from crawler.distributed.queue import ReliableQueue

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

ACK_INTERVAL = 0.5  # seconds between checks for finished requests when no pop happens


class ReliableScheduler(Scheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawler: Crawler | None = None
        self.keys = JobKeys()
        self.worker = ""
        self.heartbeat_ttl = 15.0
        self.inflight: dict[Request, bytes] = {}
        self._ack_loop: task.LoopingCall | None = None
        self._stop_beating = threading.Event()
        self._beater: threading.Thread | None = None
        self._warned_no_engine = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReliableScheduler:
        settings = crawler.settings
        instance = cls.from_settings(settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.keys = JobKeys.from_settings(settings)
        instance.worker = worker_id_for(settings)
        instance.heartbeat_ttl = max(1.0, settings.getfloat("NEWSPIPE_REDIS_HEARTBEAT_TTL", 15.0))
        return instance

    # -- lifecycle ----------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.attach(spider)
        if self.queue.alive(self.worker):
            logger.warning("worker id %s already has a live heartbeat: is another process using it?", self.worker)
        recovered = self.queue.recover_own()
        if recovered:
            logger.warning("worker %s: put back %d requests an earlier process with this id left in flight", self.worker, recovered)
            self._inc("newspipe/distributed/recovered", recovered)
        self.queue.beat()
        self._reap()
        logger.info("worker %s on %s (%d requests queued)", self.worker, self.keys.base, len(self.queue))
        self._beater = threading.Thread(target=self._beat_forever, name=f"newspipe-heartbeat-{self.worker}", daemon=True)
        self._beater.start()
        self._ack_loop = task.LoopingCall(self._tick)
        self._ack_loop.start(ACK_INTERVAL, now=False)

    def attach(self, spider: Spider) -> None:
        """The queue and duplicate filter for `spider`, without the background work `open` starts."""
        self.spider = spider
        self.queue = ReliableQueue(
            self.server, spider, self.keys.requests, self.serializer, keys=self.keys, worker=self.worker, heartbeat_ttl=self.heartbeat_ttl
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()

    def close(self, reason: str) -> None:
        if self._ack_loop is not None and self._ack_loop.running:
            self._ack_loop.stop()
        self._stop_beating.set()
        if self._beater is not None:
            self._beater.join(timeout=5)
        self.ack_finished()
        released = self.queue.release()
        if released:
            logger.info("worker %s: gave back %d unfinished requests", self.worker, released)
        super().close(reason)

    # -- queue --------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self._inc("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        self.ack_finished()
        popped = self.queue.pop_with_data()
        if popped is None:
            return None
        request, data = popped
        self.inflight[request] = data
        self._inc("scheduler/dequeued/redis")
        self._inc("newspipe/distributed/popped")
        return request

    def _tick(self) -> None:
        self.ack_finished()
        # Other workers fill the shared queue; without a nudge an idle engine looks at it only
        # on its 5-second heartbeat. Asking is cheap (one pop when there is capacity).
        slot = self._engine_slot()
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None and len(self.queue):
            nextcall.schedule()

    def ack_finished(self) -> int:
        """Acknowledge the popped requests the engine has finished with; how many."""
        if not self.inflight:
            return 0
        in_progress = self._in_progress()
        if in_progress is None:
            done = list(self.inflight)
        else:
            done = [request for request in self.inflight if request not in in_progress]
        if not done:
            return 0
        self.queue.ack([self.inflight.pop(request) for request in done])
        self._inc("newspipe/distributed/acked", len(done))
        return len(done)

    def _engine_slot(self) -> Any:
        # The engine's slot: its record of requests not finished yet, and its "look at the
        # scheduler again" call (Scrapy has no public API for either).
        try:
            engine = self.crawler.engine if self.crawler is not None else None
        except RuntimeError:  # not crawling
            engine = None
        return getattr(engine, "_slot", None)

    def _in_progress(self) -> set[Request] | None:
        in_progress = getattr(self._engine_slot(), "inprogress", None)
        if in_progress is None and not self._warned_no_engine:
            self._warned_no_engine = True
            logger.warning("cannot see the engine's requests in progress: acknowledging requests when popped (at most once)")
        return in_progress

    # -- heartbeat and reaper -----------------------------------------------------------------

    def _beat_forever(self) -> None:
        period = self.heartbeat_ttl / 3
        while not self._stop_beating.wait(period):
            try:
                self.queue.beat()
                self._reap()
            except Exception as exc:  # Redis away for a moment: try again next beat
                logger.warning("worker %s: heartbeat failed: %s", self.worker, exc)

    def _reap(self) -> None:
        reaped = self.queue.reap()
        count = sum(reaped.values())
        if count:
            self._inc("newspipe/distributed/reaped", count)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
