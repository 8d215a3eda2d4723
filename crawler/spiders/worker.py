"""The `worker` spider: one of N processes sharing a crawl through Redis (`newspipe crawl --redis URL`).

It discovers like the `news` spider (same callbacks, same request meta) but takes its
seeds from the job's start key, where `newspipe enqueue` pushes them, and its requests
from the shared scrapy-redis queue (see `crawler.distributed`). It keeps idling for more
work; with NEWSPIPE_REDIS_IDLE_TIMEOUT > 0 it stops once the whole job (start key, queue
and every worker's requests in flight) has been quiet that long.

Seeds are taken reliably: moved to this worker's seeds list, scheduled (pushed to the
queue), then removed, so a worker killed in between gives them back through the reaper.
Per-run state of the base spider (URLs queued, section pages followed, requests per source
for NEWSPIPE_MAX_REQUESTS_PER_SOURCE) is kept per enqueue cycle, so a worker that runs for days
treats each cycle as a fresh run; the per-source cap is counted by each worker on its own.

While Redis is away (`crawler.distributed.outage.RedisLink`) no seeds are taken and the job
counts as busy: the worker does not stop for its idle timeout. A seed whose removal from this
worker's list failed stays there; the scheduler gives it back once Redis answers.

Settings: those of `crawler.spiders.news` plus NEWSPIPE_REDIS_* (see crawler.settings).
Stats: newspipe/distributed/seeds, newspipe/distributed/bad_seed,
newspipe/distributed/unknown_source.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy_redis.spiders import RedisMixin

from crawler.distributed.dupefilter import CYCLE_META
from crawler.distributed.keys import JobKeys, worker_id_for
from crawler.distributed.outage import RedisLink
from crawler.distributed.queue import job_state, registered_workers
from crawler.distributed.scheduler import push_held_requests
from crawler.distributed.seeds import BadSeed, Seed
from crawler.distributed.settings import apply_worker_settings
from crawler.spiders.budget import RequestBudget
from crawler.spiders.base import DISCOVERY_META, BaseNewsSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

MAX_CYCLES_KEPT = 16  # per-cycle state of this many recent cycles is kept in memory


class WorkerSpider(RedisMixin, BaseNewsSpider):
    name = "worker"
    kinds = ("feed", "sitemap", "section")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cycles: OrderedDict[str, tuple[set[str], dict[str, int], RequestBudget]] = OrderedDict()
        self.keys = JobKeys()
        self.worker = ""
        self.link = RedisLink("redis")

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_worker_settings(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider: WorkerSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        spider.keys = JobKeys.from_settings(crawler.settings)
        spider.worker = worker_id_for(crawler.settings)
        spider.link = RedisLink.for_crawler(crawler)
        spider.redis_key = spider.keys.start
        spider.setup_redis(crawler)
        # The idle clock runs only while this worker has nothing to do (scrapy-redis's starts at import).
        spider.spider_idle_start_time = 0
        crawler.signals.connect(spider._not_idle, signal=signals.response_received)
        return spider

    # -- seeds ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # Seeds are scheduled straight into the shared queue (see schedule_next_requests).
        self.schedule_next_requests()
        return
        yield  # an async generator that yields nothing

    def schedule_next_requests(self) -> int:
        """Move up to a batch of seeds from the start key into the queue; how many were scheduled."""
        taken = self.keys.seeds_processing(self.worker)
        scheduled = 0
        self._push_held()  # first, after an outage, the scheduler puts back seeds left in this worker's list
        for _ in range(self.redis_batch_size or 16):
            data = self.link.call(partial(self.server.lmove, self.keys.start, taken, "LEFT", "RIGHT"), None)
            if data is None:  # none left, or Redis away
                break
            requests = self.seed_requests(data)
            for request in requests:
                self.crawler.engine.crawl(request)
                scheduled += 1
            if requests:
                self._push_held()  # in the queue before the seed leaves this worker's list
            if not self.link.up:
                break  # the seed stays in this worker's list (its requests are held)
            self.link.call(partial(self.server.lrem, taken, 1, data), None)
        if scheduled:
            self._inc("newspipe/distributed/seeds", scheduled)
            logger.info("worker %s: scheduled %d seeds", self.worker, scheduled)
        return scheduled

    def _push_held(self) -> None:
        # The scheduler holds new requests for a batched push (crawler.distributed.scheduler),
        # and pushes them when it gets this signal.
        self.crawler.signals.send_catch_log(signal=push_held_requests)

    def seed_requests(self, data: bytes | str) -> list[Request]:
        """The request for one start-key entry ([] for a bad one, counted and logged)."""
        try:
            seed = Seed.from_json(data)
        except BadSeed as exc:
            self._inc("newspipe/distributed/bad_seed")
            logger.error("dropping a bad seed from %s: %s (%r)", self.keys.start, exc, data[:200])
            return []
        source = self.sources_by_name.get(seed.source)
        if source is None:
            self._inc("newspipe/distributed/unknown_source")
            logger.error("dropping seed %s: source %r is not in this worker's sources file", seed.url, seed.source)
            return []
        section_pages = self._cycle_state(seed.cycle)[1]
        if seed.kind == "section":
            section_pages[seed.root or seed.url] = 1
        if self.incremental is not None and seed.kind != "robots":
            self.incremental.prefetch_validators([seed.url])
        # Built as a non-seed and marked after: seeds are counted where they are fetched
        # (`_count_seed_fetched`, `on_error`), which is not always the worker that popped them.
        request = self._discovery_request(seed.url, seed.kind, source, root=seed.root)
        request.meta[DISCOVERY_META]["seed"] = seed.seed
        if seed.cycle:
            request.meta[CYCLE_META] = seed.cycle
        return [request]

    make_request_from_data = seed_requests  # scrapy-redis's name for it

    # -- idling -----------------------------------------------------------------------------

    def spider_idle(self) -> None:
        """Take more seeds; stay open while the job has work anywhere, or until the idle timeout."""
        now = int(time.time())
        if not self.spider_idle_start_time or not self.link.up or self.job_busy():
            self.spider_idle_start_time = now
        self.schedule_next_requests()
        idle_for = now - self.spider_idle_start_time
        if self.max_idle_time and idle_for >= self.max_idle_time:
            logger.info("worker %s: the job has been idle for %ds; stopping", self.worker, idle_for)
            return
        raise DontCloseSpider

    def _not_idle(self) -> None:
        self.spider_idle_start_time = 0

    def job_busy(self) -> bool:
        """Seeds or requests waiting, or requests in flight at another worker (alive, or dead and
        not yet reaped); busy too while Redis is away (the job's state is unknown)."""
        return self.link.call(self._job_busy, True)

    def _job_busy(self) -> bool:
        others = [w for w in registered_workers(self.server, self.keys, self.crawler.stats) if w != self.worker]
        return not job_state(self.server, self.keys, others).drained

    # -- callbacks: per-cycle state, cycle carried to every request -----------------------------

    def parse_feed(self, response: Response) -> list[Any]:
        return self._in_cycle(response, super().parse_feed)

    def parse_sitemap(self, response: Response) -> list[Any]:
        return self._in_cycle(response, super().parse_sitemap)

    def parse_robots(self, response: Response) -> list[Any]:
        return self._in_cycle(response, super().parse_robots)

    def parse_section(self, response: Response) -> list[Any]:
        return self._in_cycle(response, super().parse_section)

    def _in_cycle(self, response: Response, callback: Callable[[Response], Iterable[Any]]) -> list[Any]:
        cycle = response.meta.get(CYCLE_META) or ""
        self._seen, self._section_pages, self._budget = self._cycle_state(cycle)
        # Run to the end here, while this cycle's state is the spider's.
        output = list(callback(response))
        for entry in output:
            if isinstance(entry, Request) and cycle:
                entry.meta.setdefault(CYCLE_META, cycle)
        return output

    def _cycle_state(self, cycle: str) -> tuple[set[str], dict[str, int], RequestBudget]:
        state = self._cycles.get(cycle)
        if state is None:
            state = (set(), {}, RequestBudget())
            self._cycles[cycle] = state
            while len(self._cycles) > MAX_CYCLES_KEPT:
                self._cycles.popitem(last=False)
        else:
            self._cycles.move_to_end(cycle)
        return state

    # -- seed accounting ------------------------------------------------------------------------

    def _count_seed_fetched(self, response: Response) -> None:
        if response.meta.get(DISCOVERY_META, {}).get("seed"):
            self._inc("newspipe/discovery/seeds")
            self._inc("newspipe/discovery/seeds_fetched")

    def on_error(self, failure: Failure) -> list[Request]:
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get(DISCOVERY_META, {}).get("seed"):
            self._inc("newspipe/discovery/seeds")
        return super().on_error(failure)  # sitemap probes after a missing robots.txt
