"""A reliable scrapy-redis priority queue: nothing a worker popped is lost when it dies.

scrapy-redis removes a request from Redis when a worker pops it, so the requests a
SIGKILLed worker had in flight would be gone. Here a pop moves the request, atomically
(one Lua script), from the job's queue to the worker's processing set; the worker
acknowledges it (`ack`) once the response and everything produced from it have been
handled. A worker keeps a heartbeat key alive (PX TTL); when it has expired, any other
worker's reaper puts the dead worker's processing set (and the seeds it had taken) back in
the queue (`reap`), again in one script, so two reapers cannot both requeue it. After a command
whose reply was lost (Redis away or frozen), `resync` puts back what the worker's processing set
and seeds list hold beyond what the worker knows it has. Delivery is
at least once: a request finished but not yet acknowledged when its worker died is fetched
again, and the duplicate filter and the database's dedup make that harmless.

Layout: the queue is scrapy-redis's PriorityQueue (sorted set, score = -priority); the
processing sets keep the same members and scores. Keys come from `JobKeys`. Members are JSON
(`crawler.requestjson`), never pickle (scrapy-redis's default, which would run code anyone
able to write to Redis put there): a member that is not a JSON request is refused, logged,
counted (`newspipe/redis/refused_member`) and acknowledged, and the worker goes on. So is a
worker id in the workers set that is not a valid name.

`exchange` is the worker's one round trip for everything it has to tell and ask: push a batch
of requests (each checked against, and added to, its duplicate-filter set in the same script,
so a request is either both marked seen and queued or neither), acknowledge finished ones, and
pop the next few. Pushing and popping one request at a time cost two round trips each and were
a measurable share of a worker's time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from crawler.distributed.keys import check_name
from crawler.requestjson import RefusedRequest, dict_to_json, preview, request_from_json

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from redis import Redis
    from scrapy import Spider
    from scrapy.statscollectors import StatsCollector

    from crawler.distributed.keys import JobKeys

logger = logging.getLogger(__name__)

REFUSED_STAT = "newspipe/redis/refused_member"

# KEYS: queue, processing. Returns the popped member (or nil), now in the processing set.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
redis.call('ZADD', KEYS[2], popped[2], popped[1])
return popped[1]
"""

# KEYS: queue, processing, then the duplicate-filter sets the pushes use.
# ARGV: set TTL, one "1"/"0" per set (expire it or not), pushes, acks, how many to pop; then per
# push: set number (0: not filtered), fingerprint, score, member; then the acknowledged members.
# Returns {1/0 per push (queued, or already seen), the popped members (now in processing)}.
_EXCHANGE = """
local ttl, expire = tonumber(ARGV[1]), ARGV[2]
local pushes, acks, pops = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local at = 6
local queued = {}
for n = 1, pushes do
  local set = tonumber(ARGV[at])
  local new = 1
  if set > 0 then new = redis.call('SADD', KEYS[2 + set], ARGV[at + 1]) end
  if new == 1 then redis.call('ZADD', KEYS[1], ARGV[at + 2], ARGV[at + 3]) end
  queued[n] = new
  at = at + 4
end
for s = 1, #expire do
  if string.sub(expire, s, s) == '1' then redis.call('EXPIRE', KEYS[2 + s], ttl) end
end
for n = 1, acks do
  redis.call('ZREM', KEYS[2], ARGV[at])
  at = at + 1
end
local popped = {}
if pops > 0 then
  local items = redis.call('ZPOPMIN', KEYS[1], pops)
  for i = 1, #items, 2 do
    redis.call('ZADD', KEYS[2], items[i + 1], items[i])
    popped[#popped + 1] = items[i]
  end
end
return {queued, popped}
"""

# KEYS: queue, processing, heartbeat, workers, seeds processing, start.
# ARGV: worker id, "1" to do nothing while the heartbeat is alive, "1" to deregister.
# Returns the number of requests + seeds put back, or -1 when the worker is alive.
_REQUEUE = """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local items = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
local seeds = redis.call('LRANGE', KEYS[5], 0, -1)
for i = 1, #seeds do redis.call('RPUSH', KEYS[6], seeds[i]) end
redis.call('DEL', KEYS[5])
if ARGV[3] == '1' then redis.call('SREM', KEYS[4], ARGV[1]) end
return #items / 2 + #seeds
"""


# KEYS: queue, processing, seeds processing, start. ARGV: the members the worker knows it holds.
# Puts back every other member of its processing set and every seed in its seeds list (taken by a
# command whose reply was lost). Returns how many were put back.
_RESYNC = """
local held = {}
for i = 1, #ARGV do held[ARGV[i]] = true end
local items = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local count = 0
for i = 1, #items, 2 do
  if not held[items[i]] then
    redis.call('ZADD', KEYS[1], items[i + 1], items[i])
    redis.call('ZREM', KEYS[2], items[i])
    count = count + 1
  end
end
local seeds = redis.call('LRANGE', KEYS[3], 0, -1)
for i = 1, #seeds do redis.call('RPUSH', KEYS[4], seeds[i]) end
redis.call('DEL', KEYS[3])
return count + #seeds
"""


class Push(NamedTuple):
    """A request to queue, with the duplicate-filter set it is checked against (None: not filtered),
    and its stored form (encoded when pushed if empty)."""

    request: Request
    seen_key: str | None
    fingerprint: str
    member: bytes = b""


class ReliableQueue(PriorityQueue):
    """scrapy-redis PriorityQueue whose pops go through the worker's processing set."""

    def __init__(
        self,
        server: Redis,
        spider: Spider,
        key: str,
        serializer: Any = None,
        *,
        keys: JobKeys,
        worker: str,
        heartbeat_ttl: float = 15.0,
        stats: StatsCollector | None = None,
    ) -> None:
        # `serializer` (scrapy-redis's, pickle by default) is never used: members are JSON.
        super().__init__(server, spider, key, serializer)
        self.stats = stats
        self.keys = keys
        self.worker = worker
        self.heartbeat_ttl = heartbeat_ttl
        self.processing_key = keys.processing(worker)
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._exchange = server.register_script(_EXCHANGE)
        self._resync = server.register_script(_RESYNC)
        # (callback, errback) functions -> their names on the spider (see `_encode_request`)
        self._names: dict[tuple[Any, Any], tuple[Any, Any]] = {}

    # -- encoding ----------------------------------------------------------------------------

    def _encode_request(self, request: Request) -> bytes:
        """The request as JSON (`Request.to_dict`; raises UnserializableRequest), with the callback
        names looked up once per pair of spider methods: Scrapy searches all the spider's members for
        them (`inspect.getmembers`) for every request, which was a visible share of pushing a
        sitemap's thousands of requests."""
        callback, errback = request.callback, request.errback
        key = (_function_of(callback, self.spider), _function_of(errback, self.spider))
        names = self._names.get(key)
        if names is None or None in key:
            data = request.to_dict(spider=self.spider)
            if None not in key:
                self._names[key] = (data["callback"], data["errback"])
            return dict_to_json(data)
        data = {"url": request.url, "callback": names[0], "errback": names[1], "headers": dict(request.headers)}
        for attr in request.attributes:
            data.setdefault(attr, getattr(request, attr))
        if type(request) is not Request:
            data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
        return dict_to_json(data)

    def encode(self, request: Request) -> bytes:
        """The request's stored form (what `Push.member` takes); raises UnserializableRequest."""
        return self._encode_request(request)

    def _decode_request(self, encoded_request: bytes) -> Request:
        """The request stored as `encoded_request`; raises RefusedRequest for anything that is not
        a JSON request (never unpickles)."""
        return request_from_json(encoded_request, self.spider)

    # -- queue -----------------------------------------------------------------------------

    def pop_with_data(self) -> tuple[Request, bytes] | None:
        """The next request and its stored form (what `ack` takes), or None when the queue is empty."""
        data = self._pop(keys=[self.key, self.processing_key])
        if not data:
            return None
        (request,) = self._decoded([data])
        return (request, data) if request is not None else None

    def exchange(self, pushes: Sequence[Push], acks: Sequence[bytes], pop: int, *, seen_ttl: int) -> tuple[list[bool], list[Request | None], list[bytes]]:
        """One round trip: queue `pushes` (those not already seen), acknowledge `acks`, pop up to
        `pop` requests. Returns whether each push was queued, the popped requests (None for one
        this code cannot read, which is dropped) and their stored forms (what `ack` takes)."""
        sets: dict[str, int] = {}
        args: list[Any] = []
        for push in pushes:
            number = sets.setdefault(push.seen_key, len(sets) + 1) if push.seen_key else 0
            args += [number, push.fingerprint, -push.request.priority, push.member or self._encode_request(push.request)]
        # The job's permanent set never expires; a cycle's sets do (see crawler.distributed.dupefilter).
        expire = "".join("1" if key != self.keys.dupefilter else "0" for key in sets)
        header = [seen_ttl, expire or "-", len(pushes), len(acks), pop]
        queued, members = self._exchange(keys=[self.key, self.processing_key, *sets], args=[*header, *args, *acks])
        return [bool(n) for n in queued], self._decoded(members), members

    def _decoded(self, members: Sequence[bytes]) -> list[Request | None]:
        """The popped members as requests; None for one that is not a JSON request (a pickle,
        garbage, another shape), which is refused: logged, counted, acknowledged."""
        requests: list[Request | None] = []
        unreadable: list[bytes] = []
        for member in members:
            try:
                requests.append(self._decode_request(member))
            except RefusedRequest as exc:
                logger.error("refusing a member of %s: %s", self.key, exc)
                unreadable.append(member)
                requests.append(None)
        if unreadable and self.stats is not None:
            self.stats.inc_value(REFUSED_STAT, len(unreadable))
        self.ack(unreadable)
        return requests

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self.pop_with_data()
        return popped[0] if popped is not None else None

    def ack(self, members: list[bytes]) -> None:
        """The requests are done: forget them."""
        if members:
            self.server.zrem(self.processing_key, *members)

    def in_processing(self, worker: str | None = None) -> int:
        return int(self.server.zcard(self.keys.processing(worker or self.worker)))

    # -- workers ----------------------------------------------------------------------------

    def beat(self) -> None:
        """Register this worker and (re)arm its heartbeat key."""
        with self.server.pipeline() as pipe:
            pipe.sadd(self.keys.workers, self.worker)
            pipe.set(self.keys.heartbeat(self.worker), b"1", px=max(1, int(self.heartbeat_ttl * 1000)))
            pipe.execute()

    def alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.keys.heartbeat(worker)))

    def requeue(self, worker: str, *, only_if_dead: bool, deregister: bool) -> int:
        """Put `worker`'s processing set and taken seeds back; -1 when `only_if_dead` and it is alive."""
        keys = self.keys
        return int(
            self._requeue(
                keys=[self.key, keys.processing(worker), keys.heartbeat(worker), keys.workers, keys.seeds_processing(worker), keys.start],
                args=[worker, "1" if only_if_dead else "0", "1" if deregister else "0"],
            )
        )

    def silent_workers(self) -> list[str]:
        """The other registered workers whose heartbeat key has expired."""
        others = [w for w in registered_workers(self.server, self.keys, self.stats) if w != self.worker]
        if not others:
            return []
        with self.server.pipeline(transaction=False) as pipe:
            for worker in others:
                pipe.exists(self.keys.heartbeat(worker))
            alive = pipe.execute()
        return [worker for worker, exists in zip(others, alive) if not exists]

    def reap(self, only: Collection[str] | None = None) -> dict[str, int]:
        """Requeue the work of every registered worker (of `only`, if given) whose heartbeat has
        expired: {worker: count}."""
        reaped: dict[str, int] = {}
        for worker in registered_workers(self.server, self.keys, self.stats):
            if worker == self.worker or (only is not None and worker not in only):
                continue
            count = self.requeue(worker, only_if_dead=True, deregister=True)
            if count >= 0:
                reaped[worker] = count
                if count:
                    logger.warning("worker %s is gone: put %d of its requests back in the queue", worker, count)
                else:
                    logger.info("worker %s is gone (nothing in flight)", worker)
        return reaped

    def resync(self, held: Sequence[bytes]) -> int:
        """After a command whose reply was lost (Redis away or frozen: it may have run, or may run
        when the server wakes up): put back what this worker's processing set and seeds list hold
        beyond `held`, the requests it knows it holds. How many were put back."""
        keys = self.keys
        return int(
            self._resync(keys=[self.key, self.processing_key, keys.seeds_processing(self.worker), keys.start], args=list(held))
        )

    def release(self) -> int:
        """On a clean stop: give back what this worker still holds and deregister it."""
        count = self.requeue(self.worker, only_if_dead=False, deregister=True)
        self.server.delete(self.keys.heartbeat(self.worker))
        return count

    def recover_own(self) -> int:
        """At start: put back what an earlier process with this worker id left behind."""
        return self.requeue(self.worker, only_if_dead=False, deregister=False)


def _function_of(method: Any, spider: Spider) -> Any:
    """The function behind a method of `spider` (what identifies it across bound-method objects);
    "" for no callback, None for anything else (encoded the slow way, by Scrapy)."""
    if method is None:
        return ""
    if getattr(method, "__self__", None) is spider:
        return method.__func__
    return None


def registered_workers(server: Redis, keys: JobKeys, stats: StatsCollector | None = None) -> list[str]:
    """The job's registered worker ids; a member that is not a valid id is refused (logged,
    counted, removed from the set), never used to build a key."""
    workers: list[str] = []
    for raw in server.smembers(keys.workers):
        try:
            workers.append(check_name(raw.decode("utf-8") if isinstance(raw, bytes) else str(raw), "worker id"))
        except (UnicodeDecodeError, ValueError):
            logger.error("refusing a member of %s: not a worker id: %s", keys.workers, preview(raw))
            server.srem(keys.workers, raw)
            if stats is not None:
                stats.inc_value(REFUSED_STAT)
    return workers


@dataclass(frozen=True, slots=True)
class WorkerLoad:
    alive: bool  # its heartbeat key is there (a dead one's work is reaped soon)
    in_flight: int  # requests popped and not yet acknowledged
    seeds_taken: int  # seeds taken and not yet scheduled


@dataclass(frozen=True, slots=True)
class JobState:
    """What a job has left: waiting in its queues and in flight at these workers. One reading,
    one round trip: `newspipe workers status`, a worker deciding whether the job is idle, and
    the scale benchmark deciding that a run is over all read it the same way."""

    seeds_waiting: int
    requests_waiting: int
    workers: dict[str, WorkerLoad]

    @property
    def drained(self) -> bool:
        """Nothing waiting and nothing in flight at any of the workers read."""
        return not (self.seeds_waiting or self.requests_waiting) and not any(
            load.in_flight or load.seeds_taken for load in self.workers.values()
        )


def job_state(server: Redis, keys: JobKeys, workers: Iterable[str]) -> JobState:
    """The job's queues and `workers`' in-flight sets (valid worker ids: see `registered_workers`)."""
    names = list(workers)
    with server.pipeline(transaction=False) as pipe:
        pipe.llen(keys.start)
        pipe.zcard(keys.requests)
        for name in names:
            pipe.exists(keys.heartbeat(name))
            pipe.zcard(keys.processing(name))
            pipe.llen(keys.seeds_processing(name))
        counts = [int(count) for count in pipe.execute()]
    loads = {
        name: WorkerLoad(alive=bool(counts[2 + 3 * i]), in_flight=counts[3 + 3 * i], seeds_taken=counts[4 + 3 * i])
        for i, name in enumerate(names)
    }
    return JobState(seeds_waiting=counts[0], requests_waiting=counts[1], workers=loads)
