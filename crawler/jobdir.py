"""The JOBDIR's request queues as JSON (`newspipe crawl --job-dir DIR`), never pickle.

Scrapy's default disk queues (SCHEDULER_DISK_QUEUE, SCHEDULER_START_DISK_QUEUE) pickle each
request into the job directory and unpickle it on resume, so a file planted there would run
code. These are the same queuelib files (LIFO for requests, FIFO for start requests) holding
`crawler.requestjson` JSON instead; the project settings name them.

Writing: a request that cannot be stored as JSON raises UnserializableRequest (a ValueError),
after an error naming the value at fault is logged; Scrapy's scheduler then keeps it in
memory for this run (counted in `scheduler/unserializable`), so it is crawled unless the run
is paused before. Reading: an entry that is not a JSON request (a pickle, garbage, an older
version's pickled queue) is refused: logged, counted (`newspipe/jobdir/refused_request`) and
dropped, and the next entry is read.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from queuelib.queue import FifoDiskQueue, LifoDiskQueue

from crawler.requestjson import RefusedRequest, UnserializableRequest, request_from_json, request_to_json

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REFUSED_STAT = "newspipe/jobdir/refused_request"


class _JsonDiskQueue:
    """A queuelib disk queue of JSON requests (Scrapy's disk-queue interface)."""

    queue_class: ClassVar[type[Any]]

    def __init__(self, path: str, *, spider: Spider | None, stats: StatsCollector | None = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.spider = spider
        self.stats = stats
        self._queue = self.queue_class(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str, *args: Any, **kwargs: Any) -> _JsonDiskQueue:
        return cls(key, spider=crawler.spider, stats=crawler.stats)

    def push(self, request: Request) -> None:
        try:
            data = request_to_json(request, self.spider)
        except UnserializableRequest as exc:
            logger.error("cannot write %s to the job directory (kept in memory for this run only): %s", request, exc)
            raise
        self._queue.push(data)

    def pop(self) -> Request | None:
        return self._next(take=True)

    def peek(self) -> Request | None:
        return self._next(take=False)

    def _next(self, *, take: bool) -> Request | None:
        """The next readable request, taken off the queue or not; refused entries are taken off."""
        while (data := self._queue.pop() if take else self._queue.peek()) is not None:
            request = self._decoded(data)
            if request is not None:
                return request
            if not take:
                self._queue.pop()
        return None

    def close(self) -> None:
        self._queue.close()

    def __len__(self) -> int:
        return len(self._queue)

    def _decoded(self, data: bytes) -> Request | None:
        try:
            return request_from_json(data, self.spider)
        except RefusedRequest as exc:
            logger.error("refusing an entry of the job directory's queue %s: %s", self.path, exc)
            if self.stats is not None:
                self.stats.inc_value(REFUSED_STAT)
            return None


class JsonLifoDiskQueue(_JsonDiskQueue):
    """SCHEDULER_DISK_QUEUE: last in, first out, as Scrapy's PickleLifoDiskQueue."""

    queue_class = LifoDiskQueue


class JsonFifoDiskQueue(_JsonDiskQueue):
    """SCHEDULER_START_DISK_QUEUE: first in, first out, as Scrapy's PickleFifoDiskQueue."""

    queue_class = FifoDiskQueue
