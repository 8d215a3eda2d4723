"""The worker's scheduler: scrapy-redis's Scheduler on a `ReliableQueue`, with heartbeat, reaper and acks.

Reads scrapy-redis's settings (REDIS_URL, SCHEDULER_PERSIST, DUPEFILTER_CLASS, ...) and
NEWSPIPE_REDIS_PREFIX, NEWSPIPE_REDIS_JOB, NEWSPIPE_REDIS_WORKER_ID,
NEWSPIPE_REDIS_HEARTBEAT_TTL (seconds; a worker silent this long is taken for dead),
NEWSPIPE_REDIS_PREFETCH (requests taken from the queue per round trip),
NEWSPIPE_REDIS_PUSH_BATCH (new requests pushed per round trip), NEWSPIPE_REDIS_RETRY_INTERVAL
(through `RedisLink`); the duplicate filter must be
`crawler.distributed.dupefilter.CycleDupeFilter` (the worker settings make it so).

Round trips are batched (`ReliableQueue.exchange`): new requests are held here and pushed
NEWSPIPE_REDIS_PUSH_BATCH at a time, or sooner (before any acknowledgement, before asking
Redis for more work, twice a second, at close); finished requests are acknowledged with the
next pop or tick; a pop takes up to NEWSPIPE_REDIS_PREFETCH requests, which wait here (already
in this worker's processing set, so a dead worker's reaper or a clean stop gives them back)
until the engine asks. Since the duplicate filter is consulted when the batch is pushed,
`enqueue_request` refuses only repeats of a request still held here; a request another worker
already queued is dropped at the push. Both are counted in `dupefilter/filtered`.
Pushes go out before the acknowledgements that follow them, so the request whose callback
produced them is acknowledged only once they are in Redis: a killed worker loses none.

A request popped from Redis stays in this worker's processing set until the engine is
done with it: its download, callback or errback, the requests it produced (already pushed
to Redis) and its items (through every pipeline). The engine keeps such requests in its
slot's `inprogress` set until then, so a request that has left that set is acknowledged,
checked on every pop and twice a second. A background thread re-arms the heartbeat and
reaps dead workers every third of the TTL; a thread, so that a long extraction blocking
the reactor does not make the worker look dead.
A worker whose heartbeat key has expired is reaped only once it has stayed silent a whole
TTL as seen from here: after an outage every worker's heartbeat has lapsed, and each gets a
TTL to beat again before another takes its work.

Redis away (connection refused or lost, a frozen server that does not answer within
NEWSPIPE_REDIS_SOCKET_TIMEOUT; see `crawler.distributed.outage`): nothing is lost or dropped.
New requests and acknowledgements wait here, the requests in hand are downloaded and handled,
nothing is popped, and the engine is told there is work pending, so the worker neither stops
nor spins; the heartbeat thread tries Redis again every NEWSPIPE_REDIS_RETRY_INTERVAL and the
next tick after it answers sends what was held. Since a command that failed may have run all the
same (a frozen server runs it when it wakes up), the first round trip after a failure puts back
whatever this worker's processing set holds beyond the requests it knows it has (`resync`).

Requests are stored as JSON (`crawler.requestjson`), encoded when enqueued: one whose meta (or
cb_kwargs, cookies) is not plain JSON is not queued, and is an error, logged with the value at
fault and counted (`newspipe/redis/unserializable_request`); queue members that are not JSON
requests are refused when popped (`newspipe/redis/refused_member`, see `ReliableQueue`).
Stats: newspipe/distributed/{popped,acked,recovered,reaped,resynced}, scheduler/{enqueued,dequeued}/redis,
dupefilter/filtered, newspipe/redis/{refused_member,unserializable_request}.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler import settings as defaults
from crawler.distributed.keys import JobKeys, worker_id_for
from crawler.distributed.outage import RedisLink
from crawler.distributed.queue import Push, ReliableQueue
from crawler.requestjson import UnserializableRequest

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

ACK_INTERVAL = 0.5  # seconds between checks for finished requests when no pop happens
DEFAULT_PREFETCH = defaults.NEWSPIPE_REDIS_PREFETCH
DEFAULT_PUSH_BATCH = defaults.NEWSPIPE_REDIS_PUSH_BATCH
UNSERIALIZABLE_STAT = "newspipe/redis/unserializable_request"

# Signal: push the requests held for a batched push now (the worker spider sends it after
# scheduling a seed's requests, before the seed leaves its list). A signal, because Scrapy has
# no public way from a spider to the engine's scheduler.
push_held_requests = object()


class ReliableScheduler(Scheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawler: Crawler | None = None
        self.keys = JobKeys()
        self.worker = ""
        self.heartbeat_ttl = 15.0
        self.inflight: dict[Request, bytes] = {}
        self.prefetch = DEFAULT_PREFETCH
        self.push_batch = DEFAULT_PUSH_BATCH
        self._to_push: list[Push] = []
        self._held: set[tuple[str, str]] = set()  # (set, fingerprint) of the filtered requests in _to_push
        self._to_ack: list[bytes] = []
        self._prefetched: deque[tuple[Request, bytes]] = deque()
        self._ack_loop: task.LoopingCall | None = None
        self._stop_beating = threading.Event()
        self._beater: threading.Thread | None = None
        self._warned_no_engine = False
        self.link = RedisLink("redis")
        self._synced_epoch = 0  # the link's failure count when this worker last checked its processing set
        self._silent_since: dict[str, float] = {}  # other workers seen without a heartbeat, since when

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReliableScheduler:
        settings = crawler.settings
        instance = cls.from_settings(settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.keys = JobKeys.from_settings(settings)
        instance.worker = worker_id_for(settings)
        instance.heartbeat_ttl = max(1.0, settings.getfloat("NEWSPIPE_REDIS_HEARTBEAT_TTL", defaults.NEWSPIPE_REDIS_HEARTBEAT_TTL))
        instance.prefetch = max(1, settings.getint("NEWSPIPE_REDIS_PREFETCH", defaults.NEWSPIPE_REDIS_PREFETCH))
        instance.push_batch = max(1, settings.getint("NEWSPIPE_REDIS_PUSH_BATCH", defaults.NEWSPIPE_REDIS_PUSH_BATCH))
        instance.link = RedisLink.for_crawler(crawler)
        instance.link.stats = crawler.stats
        instance.link.holding(instance.held)
        crawler.signals.connect(instance.push_held, signal=push_held_requests)
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
            self.server, spider, self.keys.requests, self.serializer, keys=self.keys, worker=self.worker, heartbeat_ttl=self.heartbeat_ttl,
            stats=self.stats,
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
        if not self.link.up:  # one last try
            self.link.probe(lambda: self.queue.beat(), None)
        self.ack_finished()
        self._prefetched.clear()  # in this worker's processing set: given back with the rest
        if self._to_push or self._to_ack:
            # Stopped (a signal) while Redis is away: the acknowledged requests will be fetched
            # again after the reaper gives them back, but the new requests are gone.
            self._inc("newspipe/distributed/lost", len(self._to_push))
            logger.error(
                "worker %s: Redis at %s unreachable at close: %d new requests not queued (lost), "
                "%d finished requests not acknowledged (fetched again)",
                self.worker, self.link.address, len(self._to_push), len(self._to_ack),
            )  # fmt: skip
        released = self.link.call(self.queue.release, 0)
        if released:
            logger.info("worker %s: gave back %d unfinished requests", self.worker, released)
        super().close(reason)

    # -- queue --------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        """Hold the request for the next push; False for a repeat of one held already, or for one
        that cannot be stored as JSON (an error, logged and counted)."""
        fingerprint = self.df.request_fingerprint(request)
        seen_key = None if request.dont_filter else self.df.key_for(request)
        if seen_key is not None and (seen_key, fingerprint) in self._held:
            self._filtered(request)
            return False
        try:
            member = self.queue.encode(request)  # now, so the error names the request at fault
        except UnserializableRequest as exc:
            logger.error("cannot queue %s in Redis: %s", request, exc)
            self._inc(UNSERIALIZABLE_STAT)
            return False
        if seen_key is not None:
            self._held.add((seen_key, fingerprint))
        self._to_push.append(Push(request, seen_key, fingerprint, member))
        if len(self._to_push) >= self.push_batch:
            self.push_held()
        return True

    def next_request(self) -> Request | None:
        self._collect_finished()
        if not self._prefetched:
            self._exchange(self.prefetch)
        if not self._prefetched:
            return None
        request, data = self._prefetched.popleft()
        self.inflight[request] = data
        self._inc("scheduler/dequeued/redis")
        self._inc("newspipe/distributed/popped")
        return request

    def has_pending_requests(self) -> bool:
        # With Redis away, the queue may hold anything: pending (the engine must not close the spider).
        return bool(self._prefetched or self._to_push or self._to_ack) or not self.link.up or self._queued() > 0

    def __len__(self) -> int:
        return len(self._prefetched) + len(self._to_push) + self._queued()

    def held(self) -> int:
        """Requests held here until Redis takes them: new ones to push, finished ones to acknowledge."""
        return len(self._to_push) + len(self._to_ack)

    def _queued(self) -> int:
        """Requests in the shared queue; 0 when Redis is away."""
        return self.link.call(lambda: len(self.queue), 0)

    def _tick(self) -> None:
        self.ack_finished()
        # Other workers fill the shared queue, and `newspipe enqueue` the start key; without a
        # nudge an idle engine looks at either only on its 5-second heartbeat (new seeds waited up
        # to 5 s before any worker took them). Asking is cheap: one pop when there is capacity,
        # and with nothing in flight the spider's idle handler, which takes seeds.
        slot = self._engine_slot()
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None and (self._prefetched or not self.inflight or self._queued()):
            nextcall.schedule()

    def push_held(self) -> None:
        """Push the requests held here, and send the acknowledgements waiting (one round trip).
        (Not `flush`: scrapy-redis's `flush` empties the queue and the duplicate filter.)"""
        self._exchange(0)

    def ack_finished(self) -> int:
        """Acknowledge, now, the popped requests the engine has finished with (after pushing the
        requests held here); how many were acknowledged."""
        self._collect_finished()
        acks = len(self._to_ack)
        self.push_held()
        return acks

    def _collect_finished(self) -> int:
        """Move the popped requests the engine has finished with to the acknowledgements to send."""
        if not self.inflight:
            return 0
        in_progress = self._in_progress()
        if in_progress is None:
            done = list(self.inflight)
        else:
            done = [request for request in self.inflight if request not in in_progress]
        self._to_ack.extend(self.inflight.pop(request) for request in done)
        return len(done)

    def _exchange(self, pop: int) -> None:
        if not self._resynced():
            return
        pushes, acks = self._to_push, self._to_ack
        if not pushes and not acks and not pop:
            return
        # Redis away: nothing is forgotten, the next exchange sends it all again.
        result = self.link.call(lambda: self.queue.exchange(pushes, acks, pop, seen_ttl=self.df.cycle_ttl), None)
        if result is None:
            return
        queued, requests, members = result
        self._to_push, self._to_ack = [], []
        self._held.clear()
        for push, new in zip(pushes, queued):
            if new:
                self._inc("scheduler/enqueued/redis")
            else:
                self._filtered(push.request)
        if acks:
            self._inc("newspipe/distributed/acked", len(acks))
        self._prefetched.extend((r, m) for r, m in zip(requests, members) if r is not None)

    def _resynced(self) -> bool:
        """After a failed command, put back what this worker's processing set and seeds list hold
        beyond what it knows it has (popped or taken by a command whose reply was lost); False
        while Redis is away."""
        epoch = self.link.epoch
        if epoch == self._synced_epoch:
            return True
        held = [*self.inflight.values(), *(member for _, member in self._prefetched), *self._to_ack]
        count = self.link.call(lambda: self.queue.resync(held), None)
        if count is None:
            return False
        self._synced_epoch = epoch
        if count:
            self._inc("newspipe/distributed/resynced", count)
            logger.info("worker %s: put back %d requests and seeds taken by commands whose replies were lost", self.worker, count)
        return True

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
        while not self._stop_beating.wait(period if self.link.up else self.link.retry_interval):
            # Also how an outage ends: the link lets no other command try while Redis is away.
            if not self.link.probe(self._beat_and_reap, False):
                self._silent_since.clear()  # what was seen before the outage says nothing after it

    def _beat_and_reap(self) -> bool:
        self.queue.beat()
        self._reap()
        return True

    def _reap(self) -> None:
        """Reap the workers whose heartbeat has been gone for a whole TTL, seen from here."""
        started = time.monotonic()
        silent = self.queue.silent_workers()
        seen = time.monotonic()
        self._silent_since = {worker: self._silent_since.get(worker, seen) for worker in silent}
        due = [worker for worker, since in self._silent_since.items() if started - since >= self.heartbeat_ttl]
        if not due:
            return
        reaped = self.queue.reap(due)
        for worker in reaped:
            self._silent_since.pop(worker, None)
        count = sum(reaped.values())
        if count:
            self._inc("newspipe/distributed/reaped", count)

    def _filtered(self, request: Request) -> None:
        self.df.log(request, self.spider)
        self._inc("dupefilter/filtered")  # Scrapy's own duplicate filter's stat (scrapy-redis counts none)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
