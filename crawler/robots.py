"""robots.txt: fetched once per host, shared by the robots check and sitemap discovery, kept across runs.

`RobotsTxtStore` (one per crawler, `robots_store_for(crawler)`) answers "what does this origin's
robots.txt say" with at most one request per origin (scheme://host:port) per run, however many
requests wait for it at once. What it fetched is written to the database (`fetch_state` rows of
kind "robots", with the body) and read back by later runs: within NEWSPIPE_ROBOTS_TTL seconds of
the last check the stored copy is used without any request; after it, the request carries the
stored validators (If-None-Match / If-Modified-Since) and a 304 keeps the stored copy. A server
error or a failed fetch falls back to a stored copy when there is one (else: no robots.txt,
everything allowed, as Scrapy does), and is not stored. NEWSPIPE_ROBOTS_TTL = 0 or
NEWSPIPE_INCREMENTAL off: nothing kept across runs (still one request per origin per run).

`RobotsTxtMiddleware` replaces Scrapy's robots.txt middleware (same ROBOTSTXT_OBEY,
ROBOTSTXT_PARSER, ROBOTSTXT_USER_AGENT, `dont_obey_robotstxt`, `robotstxt/...` stats and
`robots_parsed` signal). It also answers the discovery spiders' robots.txt requests (meta
`newspipe_robots`, for the `Sitemap:` lines) from the store instead of the network, so a host's
robots.txt is downloaded once for both. Every waiting request reads the parser once the fetch is
done (Scrapy's parks waiters on one Deferred and, under asyncio, hands later waiters None).

Settings: ROBOTSTXT_OBEY (off: no check, the discovery requests are still served from the store),
NEWSPIPE_ROBOTS_TTL, NEWSPIPE_INCREMENTAL, and the database's (see `crawler.database`).
Stats: robotstxt/request_count, robotstxt/response_count, robotstxt/response_status_count/<code>,
robotstxt/forbidden, robotstxt/exception_count/<type> (as Scrapy's); newspipe/robots/stored
(origins answered from the database without a request), newspipe/robots/not_modified (304 on
a conditional request), newspipe/robots/fetched (downloaded in full), newspipe/robots/stale
(a stored copy used because the fetch failed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from storage.deadline import DatabaseNotAnswering
from storage.state import FetchStateRepository, StateUpdate, StoredDocument, Validators

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

# Request meta key of a discovery spider's robots.txt request: answered from the store.
SHARED_META = "newspipe_robots"
KIND = "robots"
# Fetches the store writes in one transaction (and at the end of the run).
SAVE_EVERY = 100
NOT_MODIFIED = 304


@dataclass(frozen=True, slots=True)
class RobotsTxt:
    """What an origin's robots.txt said: status and body, or the exception that stopped the fetch."""

    url: str
    status: int | None
    body: bytes = b""
    error: Exception | None = None

    def response_for(self, request: Request) -> Response:
        """The answer to a discovery request for this robots.txt (a 4xx/5xx one goes to its errback)."""
        if self.error is not None:
            raise self.error
        if self.status is None:
            raise IgnoreRequest(f"robots.txt not available: {self.url}")
        return Response(request.url, status=self.status, body=self.body, request=request, flags=["robots-shared"])


def robots_url(request_or_url: Request | str) -> str:
    """The robots.txt URL of a request's (or URL's) origin."""
    request = request_or_url if isinstance(request_or_url, Request) else Request(request_or_url)
    parts = urlparse_cached(request)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsTxtStore:
    """One fetch per origin per run; kept across runs for `ttl` (see the module docstring).

    `load(urls)` and `save(updates)` do the database work and return Deferreds (run in the crawl's
    database thread); None for either: nothing is read or kept across runs.
    """

    def __init__(
        self,
        crawler: Crawler,
        *,
        ttl: float,
        load: Callable[[list[str]], Deferred[dict[str, StoredDocument]]] | None = None,
        save: Callable[[list[StateUpdate]], Deferred[None]] | None = None,
    ) -> None:
        self.crawler = crawler
        self.ttl = timedelta(seconds=max(0.0, ttl))
        self._load = load
        self._save = save
        self._done: dict[str, RobotsTxt] = {}
        self._waiting: dict[str, list[Deferred[None]]] = {}
        self._prefetched: dict[str, Deferred[dict[str, StoredDocument]]] = {}
        self._unsaved: list[StateUpdate] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ttl = crawler.settings.getfloat("NEWSPIPE_ROBOTS_TTL")
        if ttl <= 0 or not crawler.settings.getbool("NEWSPIPE_INCREMENTAL"):
            return cls(crawler, ttl=0)
        from crawler.database import database_for, database_thread_for

        thread = database_thread_for(crawler)

        def load(urls: list[str]) -> Deferred[dict[str, StoredDocument]]:
            return thread.run(_read, database_for(crawler), urls)

        def save(updates: list[StateUpdate]) -> Deferred[None]:
            return thread.run(_write, database_for(crawler), updates)

        store = cls(crawler, ttl=ttl, load=load, save=save)
        crawler.signals.connect(store.spider_closed, signal=signals.spider_closed)
        return store

    # -- reading ---------------------------------------------------------------------------

    def prefetch(self, urls: Iterable[str]) -> None:
        """Read the stored copies of these robots.txt URLs in one query (before they are asked for)."""
        if self._load is None:
            return
        wanted = [u for u in dict.fromkeys(urls) if u not in self._prefetched and u not in self._done]
        if not wanted:
            return
        batch = self._load(wanted)
        for url in wanted:
            self._prefetched[url] = batch

    async def get(self, request_or_url: Request | str) -> RobotsTxt:
        """The robots.txt of the request's origin: fetched, stored or being fetched for another request."""
        url = robots_url(request_or_url)
        done = self._done.get(url)
        if done is not None:
            return done
        if url in self._waiting:  # fetched for an earlier request: wait for it
            waiter: Deferred[None] = Deferred()
            self._waiting[url].append(waiter)
            await maybe_deferred_to_future(waiter)
            return self._done[url]
        self._waiting[url] = []
        try:
            result = await self._resolve(url)
        except Exception as exc:  # never leave waiters hanging; their requests carry on unchecked
            logger.error("robots.txt of %s could not be read", url, exc_info=True)
            result = RobotsTxt(url, None, error=exc if isinstance(exc, IgnoreRequest) else None)
        self._done[url] = result
        for waiter in self._waiting.pop(url):
            waiter.callback(None)
        return result

    async def _resolve(self, url: str) -> RobotsTxt:
        stored = await self._stored(url)
        stats = self.crawler.stats
        if stored is not None and _utcnow() - stored.checked_at < self.ttl:
            stats.inc_value("newspipe/robots/stored")
            return RobotsTxt(url, stored.status, stored.body or b"")
        headers = stored.validators.headers() if stored is not None else {}
        request = Request(
            url, headers=headers, priority=1000, meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK
        )
        stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            if not isinstance(exc, IgnoreRequest):
                stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
                logger.error("Error downloading %(url)s: %(exc)s", {"url": url, "exc": exc}, exc_info=True)
            if stored is not None:
                return self._stale(stored)
            return RobotsTxt(url, None, error=exc if isinstance(exc, IgnoreRequest) else None)
        stats.inc_value("robotstxt/response_count")
        stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status == NOT_MODIFIED and stored is not None:
            stats.inc_value("newspipe/robots/not_modified")
            # Kept as it was, with the status of the copy (a "304" row would read as an error next run).
            validators = stored.validators
            self._keep(StateUpdate(url, KIND, stored.status, validators.etag, validators.last_modified, body=stored.body))
            return RobotsTxt(url, stored.status, stored.body or b"")
        if response.status >= 500 or response.status == NOT_MODIFIED:
            # Passing trouble (or a 304 nobody asked for): not kept; an older copy beats none.
            return self._stale(stored) if stored is not None else RobotsTxt(url, response.status, response.body)
        stats.inc_value("newspipe/robots/fetched")
        etag, last_modified = _header(response, "ETag"), _header(response, "Last-Modified")
        self._keep(StateUpdate(url, KIND, response.status, etag, last_modified, body=response.body))
        return RobotsTxt(url, response.status, response.body)

    async def _stored(self, url: str) -> StoredDocument | None:
        if self._load is None:
            return None
        batch = self._prefetched.pop(url, None)
        if batch is None:
            batch = self._load([url])
        try:
            return (await maybe_deferred_to_future(_shared(batch)) or {}).get(url)
        except Exception:  # losing the stored copy costs a request, never a rule
            logger.warning("could not read the stored robots.txt %s; fetching it", url, exc_info=True)
            return None

    def _stale(self, stored: StoredDocument) -> RobotsTxt:
        self.crawler.stats.inc_value("newspipe/robots/stale")
        return RobotsTxt(stored.url, stored.status, stored.body or b"")

    # -- keeping ---------------------------------------------------------------------------

    def _keep(self, update: StateUpdate) -> None:
        if self._save is None:
            return
        self._unsaved.append(update)
        if len(self._unsaved) >= SAVE_EVERY:
            self._flush()

    def _flush(self) -> Deferred[None]:
        updates, self._unsaved = self._unsaved, []
        if self._save is None or not updates:
            return succeed(None)
        return self._save(updates)

    async def spider_closed(self) -> None:
        await maybe_deferred_to_future(self._flush())


def _shared(batch: Deferred[dict[str, StoredDocument]]) -> Deferred[dict[str, StoredDocument]]:
    """A Deferred of the same result for one of the many awaiting one batch (a Deferred's result
    passes down a single callback chain)."""
    copy: Deferred[dict[str, StoredDocument]] = Deferred()

    def forward(result: Any) -> Any:
        if isinstance(result, Failure):
            copy.errback(result)
            return None  # handled by this waiter; later ones read "nothing stored"
        copy.callback(result)
        return result

    batch.addBoth(forward)
    return copy


def _read(database: Any, urls: list[str]) -> dict[str, StoredDocument]:
    try:
        with database.bounded("reading stored robots.txt"), database.sessions() as session:
            return FetchStateRepository(session).documents(urls, KIND)
    except (SQLAlchemyError, DatabaseNotAnswering) as exc:
        logger.warning("could not read %d stored robots.txt; fetching them: %s", len(urls), exc)
        return {}


def _write(database: Any, updates: list[StateUpdate]) -> None:
    try:
        with database.bounded(f"keeping {len(updates)} robots.txt"), database.sessions.begin() as session:
            FetchStateRepository(session).record(updates)
    except (SQLAlchemyError, DatabaseNotAnswering):  # costs a request next run, never a rule
        logger.warning("could not keep %d robots.txt for the next runs", len(updates), exc_info=True)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


_stores: WeakKeyDictionary[Crawler, RobotsTxtStore] = WeakKeyDictionary()


def robots_store_for(crawler: Crawler) -> RobotsTxtStore:
    """The crawler's one store, shared by the middleware and the spider."""
    store = _stores.get(crawler)
    if store is None:
        store = _stores[crawler] = RobotsTxtStore.from_crawler(crawler)
    return store


class RobotsTxtMiddleware:
    """Downloader middleware: obeys robots.txt, and answers discovery's robots.txt requests from the store."""

    def __init__(
        self, crawler: Crawler, store: RobotsTxtStore, *, obey: bool, parser_class: Any, useragent: str | None, default_useragent: str
    ) -> None:
        self.crawler = crawler
        self.store = store
        self.obey = obey
        self.parser_class = parser_class
        self.useragent = useragent
        self.default_useragent = default_useragent
        self.parsers: dict[str, RobotParser | None] = {}  # robots.txt URL -> parser (None: allow all)
        if obey:
            build_from_crawler(parser_class, crawler, b"")  # the parser's dependencies are there

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            robots_store_for(crawler),
            obey=settings.getbool("ROBOTSTXT_OBEY"),
            parser_class=load_object(settings.get("ROBOTSTXT_PARSER")),
            useragent=settings.get("ROBOTSTXT_USER_AGENT"),
            default_useragent=settings.get("USER_AGENT"),
        )

    async def process_request(self, request: Request) -> Response | None:
        if request.meta.get(SHARED_META):
            return (await self.store.get(request)).response_for(request)
        if not self.obey or request.meta.get("dont_obey_robotstxt"):
            return None
        if request.url.startswith(("data:", "file:")):
            return None
        parser = await self.parser(request)
        if parser is None:
            return None
        useragent = self.useragent or request.headers.get(b"User-Agent", self.default_useragent)
        if not parser.allowed(request.url, useragent):
            logger.debug("Forbidden by robots.txt: %(request)s", {"request": request})
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest("Forbidden by robots.txt")
        return None

    async def parser(self, request: Request) -> RobotParser | None:
        url = robots_url(request)
        if url in self.parsers:
            return self.parsers[url]
        robots = await self.store.get(request)
        if url in self.parsers:  # built meanwhile for another request of this origin
            return self.parsers[url]
        parser = None if robots.status is None else build_from_crawler(self.parser_class, self.crawler, robots.body)
        self.parsers[url] = parser
        if parser is not None:
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser, request=request)
        return parser
