"""The crawl's one `Database`, shared by the components of a crawler (pipelines, extensions), and
the one thread that does the crawl's database work off the reactor thread.

Reads NEWSPIPE_DATABASE_URL (None: SQLite ./newspipe.db; the CLI puts $NEWSPIPE_DATABASE_URL there) and
NEWSPIPE_STATEMENT_TIMEOUT (seconds; 0: none; see `storage.engine`).
Opened lazily on first use, kept per crawler (not per process), closed when the engine stops.
`database_thread_for(crawler)` runs functions one at a time, in order, on a thread of its own and
hands back a Deferred fired on the reactor thread: store batches, fetch-state writes and the run
record wait there for the database while downloads and Ctrl-C go on.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import settings as defaults
from storage.engine import Database, resolve_database_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

T = TypeVar("T")

_databases: WeakKeyDictionary[Crawler, Database] = WeakKeyDictionary()
_threads: WeakKeyDictionary[Crawler, DatabaseThread] = WeakKeyDictionary()


def database_for(crawler: Crawler) -> Database:
    database = _databases.get(crawler)
    if database is None:
        url = resolve_database_url(crawler.settings.get("NEWSPIPE_DATABASE_URL"))
        database = Database(url, statement_timeout=crawler.settings.getfloat("NEWSPIPE_STATEMENT_TIMEOUT", defaults.NEWSPIPE_STATEMENT_TIMEOUT))
        logger.info("storing into %s", database.display_url())
        _databases[crawler] = database
        crawler.signals.connect(lambda: _close(crawler), signal=signals.engine_stopped, weak=False)
    return database


def database_thread_for(crawler: Crawler) -> DatabaseThread:
    thread = _threads.get(crawler)
    if thread is None:
        thread = _threads[crawler] = DatabaseThread()
        crawler.signals.connect(thread.stop, signal=signals.engine_stopped, weak=False)
    return thread


def _close(crawler: Crawler) -> None:
    database = _databases.pop(crawler, None)
    if database is not None:
        database.close()


class DatabaseThread:
    """One daemon thread running submitted functions in order; results come back as Deferreds
    fired through `call_from_thread` (default: the reactor's `callFromThread`)."""

    def __init__(self, call_from_thread: Callable[..., Any] | None = None) -> None:
        self._call_from_thread = call_from_thread
        self._jobs: queue.SimpleQueue[tuple[Deferred[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> Deferred[T]:
        done: Deferred[T] = Deferred()
        self._jobs.put((done, lambda: function(*args, **kwargs)))
        if self._thread is None:
            if self._call_from_thread is None:
                # Looked up at the first job, in the running crawl: a spider is built before Scrapy installs its reactor.
                from twisted.internet import reactor

                self._call_from_thread = reactor.callFromThread  # type: ignore[attr-defined]
            self._thread = threading.Thread(target=self._work, name="newspipe-database", daemon=True)
            self._thread.start()
        return done

    def stop(self) -> None:
        self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            done, call = job
            try:
                result = call()
            except BaseException:
                self._deliver(done.errback, Failure())
            else:
                self._deliver(done.callback, result)

    def _deliver(self, fire: Callable[[Any], Any], value: Any) -> None:
        assert self._call_from_thread is not None
        self._call_from_thread(fire, value)
