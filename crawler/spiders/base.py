"""The base newspipe spider: discovery and fetching, no parsing of articles.

Subclasses pick which discovery documents to start from (`kinds`: "feed",
"sitemap", "section") or override `start`. Callbacks, one per page kind:

- `parse_feed`, `parse_sitemap`, `parse_robots`, `parse_section` read
  discovery documents with `crawler.discovery` and queue article requests;
- `parse_article` only packages the response into an `Article` item.

Every article request carries `meta["newspipe"]` = {source, via, hint_title,
hint_published_at (ISO 8601 text)}; request meta is plain JSON (see crawler.requestjson). Discovered URLs are requested without tracking parameters
(`strip_tracking`) and deduplicated within the run by their canonical form
(`dedup_key`).

Off-domain URLs (`crawler.discovery.offsite`): feed and sitemap entries and section-page links
outside the source's domains are skipped (`newspipe/discovery/skipped/offsite`) unless the
source says `follow_offsite = true`; sitemap-index children and robots.txt `Sitemap:` lines may
also stay on the site of the document that names them. Redirects are checked by
`crawler.redirects.OffsiteRedirectMiddleware`.

Bounded fan-out: a section page gives at most `links_per_page` article links
(`newspipe/discovery/capped/page_links` counts the rest), and a source at most
`requests_per_source` discovered requests per run (articles, sitemap children, robots.txt
sitemaps, further section pages; seeds and revisits are not counted): the rest are counted in
`newspipe/discovery/capped/source_requests` and logged once per source. That cap is also what
bounds feeds and sitemaps with huge entry counts. Priorities keep discovery documents ahead of
the articles they list and feed/sitemap articles ahead of section links (`PRIORITY_*`) within a
host; across hosts Scrapy's scheduler takes turns, and sources start a window at a time
(`crawler.spiders.startwindow`, NEWSPIPE_START_WINDOW) so a source's articles follow its feed
within seconds however many sources there are.

robots.txt: the `robots` requests (for `Sitemap:` lines) are answered by `crawler.robots` from the
one copy per host that the robots.txt check also reads, kept across runs (NEWSPIPE_ROBOTS_TTL).

Incremental runs (`crawler.incremental`, NEWSPIPE_INCREMENTAL): discovered article
URLs already stored, or known not to be articles, are not requested (checked per
discovered batch, `newspipe/discovery/skipped/known`); articles first stored within the
revisit window are re-requested at start (conditionally); feeds, sitemaps and sections
are requested with their last validators, and a 304 ends there
(`newspipe/fetch/not_modified`).

Settings: see `crawler.spiders.options` (sources, window, limits); the
spider also merges per-source delay/concurrency into DOWNLOAD_SLOTS and derives
CONCURRENT_REQUESTS from them (NEWSPIPE_CONCURRENCY), and with REMOTE_CONTROL_ENABLED off takes
Scrapy's remote-control extension out of EXTENSIONS_BASE.
Stats: newspipe/discovery/{feeds,sitemaps,sections,articles,revisits,revisits_capped},
newspipe/discovery/skipped/<reason>, newspipe/discovery/bad_entry/<reason> (feed, sitemap
and robots.txt entries skipped one at a time, see `crawler.discovery.BadEntry`),
newspipe/fetch/http_<code>, newspipe/fetch/error/<exception>, newspipe/fetch/ignored,
newspipe/fetch/not_modified (of which revisits: newspipe/fetch/not_modified/revisit),
newspipe/discovery/probe/{found,not_found,error} (well-known sitemap paths probed when robots.txt
names no sitemap and the source lists none; never errors), skipped/sitemap_loop and
skipped/sitemap_depth (index loops, chains nested over MAX_SITEMAP_NESTING).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.discovery import (
    BadEntry,
    DiscoveredURL,
    MalformedFeed,
    MalformedSitemap,
    dedup_key,
    parse_feed,
    parse_section,
    parse_sitemap,
    sitemaps_from_robots,
    strip_tracking,
)
from crawler.discovery.offsite import document_allowed, on_domains
from crawler.incremental import IncrementalState
from crawler.items import Article
from crawler.robots import SHARED_META, robots_store_for
from pipelines.extraction import canonicalize_url, decode_page
from crawler.sources import Source, SourcesError, load_sources
from crawler.spiders.budget import RequestBudget
from crawler.spiders.startwindow import StartWindow
from crawler.spiders.options import (
    OPTION_ARGS,
    CrawlOptions,
    apply_source_settings,
    cap_start_delay,
    resolve_options,
    split_list,
)
from crawler.unreachable import is_connect_error

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from storage.state import Revisit

logger = logging.getLogger(__name__)

# Sitemap indexes may nest; beyond this many levels something is looping.
MAX_SITEMAP_NESTING = 5
DISCOVERY_META = "newspipe_discovery"
# Where sites keep sitemaps they do not list in robots.txt; probed once per host per run when
# robots.txt names none and the source configures none (`newspipe/discovery/probe/<outcome>`).
WELL_KNOWN_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml", "/news-sitemap.xml", "/sitemap.xml.gz")
NOT_MODIFIED = 304
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"  # Scrapy's, in EXTENSIONS_BASE

# Request priorities, higher first (the workers' Redis queue orders by them too): discovery
# documents before the articles they list, and the articles feeds and sitemaps name before the
# links read off section pages, so a section page with thousands of links starves nothing.
PRIORITY_DOCUMENT = 20  # robots.txt, feeds, sitemaps
PRIORITY_SECTION = 10  # section and archive pages
PRIORITY_LISTED = 5  # articles named by a feed, a sitemap or the user
PRIORITY_LINKED = 0  # article links of section pages; revisits


class BaseNewsSpider(scrapy.Spider):
    """Not registered itself (no `name`); see `crawler.spiders.news` and `crawler.spiders.urls`."""

    kinds: ClassVar[tuple[str, ...]] = ()
    # Skip stored URLs, revisit recent ones, ask for feeds conditionally (see crawler.incremental).
    incremental_discovery: ClassVar[bool] = True
    # The `urls` spider can run without a sources file.
    sources_file_optional: ClassVar[bool] = False

    def __init__(self, *args: Any, options: CrawlOptions | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.options = options if options is not None else CrawlOptions()
        self.sources_by_name: dict[str, Source] = {s.name: s for s in self.options.sources}
        self._seen: set[str] = set()  # dedup keys of queued article URLs
        self._section_pages: dict[str, int] = {}  # section root URL -> pages queued
        self._budget = RequestBudget()  # discovered requests per source
        self._sitemap_urls: set[str] = set()  # sitemaps requested this run (index loops end there)
        self._probed_hosts: set[str] = set()  # origins whose well-known sitemap paths were asked for
        self.incremental: IncrementalState | None = None  # set by from_crawler
        self.start_window: StartWindow | None = None  # set by from_crawler

    # -- wiring -----------------------------------------------------------------------------

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        cap_start_delay(settings)
        if not settings.getbool("REMOTE_CONTROL_ENABLED"):
            # Taken out of the base list when off: a None in EXTENSIONS, or the extension's own
            # NotConfigured, still imports its module and aiohttp (0.1 CPU-s of start-up).
            extensions = {k: v for k, v in settings.getdict("EXTENSIONS_BASE").items() if k != REMOTE_CONTROL}
            settings.set("EXTENSIONS_BASE", extensions, priority="spider")
        path = settings.get("NEWSPIPE_SOURCES_FILE")
        if not path:
            return
        try:
            sources = load_sources(path, split_list(settings.getlist("NEWSPIPE_SOURCE_NAMES")))
        except SourcesError:
            return  # from_crawler raises it, with the spider arguments taken into account
        apply_source_settings(settings, sources)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BaseNewsSpider:
        option_args = {key: kwargs.pop(key) for key in OPTION_ARGS if key in kwargs}
        options = resolve_options(crawler.settings, option_args, missing_file_ok=cls.sources_file_optional)
        if option_args.keys() & {"sources", "source"} and not crawler.settings.frozen:
            apply_source_settings(crawler.settings, options.sources)
        spider = super().from_crawler(crawler, *args, options=options, **kwargs)
        spider.incremental = IncrementalState.from_crawler(crawler) if cls.incremental_discovery else None
        spider.start_window = StartWindow.from_crawler(crawler)
        if spider.incremental is not None:
            window = options.window
            if window.since is not None or window.until is not None:
                # A 304 says "as when last read in full", and that read may have had another window.
                spider.incremental.conditional = False
            crawler.signals.connect(spider.incremental.item_dropped, signal=signals.item_dropped)
            crawler.signals.connect(spider._close_incremental, signal=signals.spider_closed)
        return spider  # type: ignore[return-value]

    async def _close_incremental(self, spider: scrapy.Spider, reason: str) -> None:
        if self.incremental is not None:
            stats = self.crawler.stats
            clean = reason == "finished" and not stats.get_value("newspipe/store/failed")
            await maybe_deferred_to_future(self.incremental.close(clean=clean))  # written in the database thread

    # -- start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.options.sources:
            logger.warning("no sources selected: nothing to crawl")
        # The stored robots.txt of every source's hosts in one look-up, before the first request needs one.
        robots_store_for(self.crawler).prefetch(url for source in self.options.sources for url in robots_urls(source))
        for request in self.revisit_requests():
            yield request
        if self.incremental is not None:
            # The validators of every source's feeds, sitemaps and sections in one look-up, not one per source.
            self.incremental.prefetch_validators([url for source in self.options.sources for url in seed_urls(source)])
        for source in self.options.sources:
            # A few sources at a time, so each one's articles follow its feed within seconds.
            if self.start_window is not None:
                await self.start_window.wait_for_room()
            for request in self.discovery_requests(source):
                if self.start_window is not None and request.meta.get(DISCOVERY_META, {}).get("seed"):
                    self.start_window.opened(request)
                yield request

    def revisit_requests(self) -> list[Request]:
        """Conditional requests for stored articles still inside the revisit window."""
        if self.incremental is None or not self.options.sources:
            return []
        requests = []
        revisits, capped = self.incremental.revisits([s.name for s in self.options.sources])
        for revisit in revisits:
            self._seen.add(dedup_key(strip_tracking(revisit.url)))
            requests.append(self._revisit_request(revisit))
        if requests:
            self._inc("newspipe/discovery/revisits", len(requests))
            logger.info("revisiting %d recently stored articles", len(requests))
        if capped:
            self._inc("newspipe/discovery/revisits_capped", capped)
            logger.warning(
                "revisits capped at the %d newest articles: %d more stored within the revisit window are not "
                "re-checked this run (NEWSPIPE_REVISIT_MAX)", len(requests), capped,
            )
        return requests

    def _revisit_request(self, revisit: Revisit) -> Request:
        meta = {"newspipe": {"source": revisit.source, "via": "revisit"}, "handle_httpstatus_list": [NOT_MODIFIED]}
        headers = revisit.validators.headers() if self.incremental is not None and self.incremental.conditional else {}
        return Request(revisit.url, callback=self.parse_article, errback=self.on_error, meta=meta, headers=headers)

    def discovery_requests(self, source: Source) -> Iterator[Request]:
        """The first requests for a source, for the kinds this spider discovers from."""
        if self.incremental is not None:
            self.incremental.prefetch_validators(seed_urls(source))  # known already when start() asked for all sources
        if "feed" in self.kinds:
            for url in source.feeds:
                yield self._discovery_request(url, "feed", source, seed=True)
        if "sitemap" in self.kinds:
            if source.robots_sitemaps:
                for url in robots_urls(source):
                    yield self._discovery_request(url, "robots", source)
            for url in source.sitemaps:
                yield self._discovery_request(url, "sitemap", source, seed=True)
        if "section" in self.kinds:
            for url in source.sections:
                self._section_pages[url] = 1
                yield self._discovery_request(url, "section", source, root=url, seed=True)

    # -- callbacks ---------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Request]:
        source = self._source_of(response)
        self._count_seed_fetched(response)
        if self._not_modified(response, "feed"):
            return
        self._inc("newspipe/discovery/feeds")
        try:
            document = parse_feed(
                response.body, response.url, headers=_headers(response), max_size=self.options.max_size
            )
        except MalformedFeed as exc:
            self._skip("malformed_feed")
            logger.warning("skipping malformed feed %s: %s", response.url, exc.message)
            return
        self._count_bad_entries(document.bad_entries, "feed", response.url)
        logger.debug("feed %s: %d entries", response.url, len(document.entries))
        requests = []
        for entry in document.entries:
            if not self.options.window.contains(entry.date):
                self._skip("out_of_window")
                continue
            request = self.article_request(entry, source, "feed")
            if request is not None:
                requests.append(request)
        yield from self._admit(source, self.not_known(requests))

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        source = self._source_of(response)
        self._count_seed_fetched(response)
        if self._not_modified(response, "sitemap"):
            return
        probe = response.meta.get(DISCOVERY_META, {}).get("probe", False)
        try:
            document = parse_sitemap(response.body, response.url, max_size=self.options.max_size)
        except MalformedSitemap as exc:
            if probe:  # a soft 404 (HTML) at a guessed path: nothing there
                self._probe_missed(response.url, response.status)
                logger.debug("no sitemap at %s: %s", response.url, exc.message)
                return
            self._inc("newspipe/discovery/sitemaps")
            self._skip("malformed_sitemap")
            logger.warning("skipping malformed sitemap %s: %s", response.url, exc.message)
            return
        if probe:
            self._inc("newspipe/discovery/probe/found")
        self._inc("newspipe/discovery/sitemaps")
        self._count_bad_entries(document.bad_entries, "sitemap", response.url)
        if document.kind == "sitemapindex":
            depth = response.meta.get(DISCOVERY_META, {}).get("depth", 0) + 1
            if depth > MAX_SITEMAP_NESTING:
                self._skip("sitemap_depth")
                logger.warning("not following sitemap index %s: nested more than %d levels", response.url, MAX_SITEMAP_NESTING)
                return
            # An index naming itself or an ancestor (or a sitemap already asked for) ends here.
            fresh = [c for c in document.entries if c.url not in self._sitemap_urls]
            if len(fresh) < len(document.entries):
                self._skip("sitemap_loop", len(document.entries) - len(fresh))
                logger.info("sitemap index %s: %d children already requested", response.url, len(document.entries) - len(fresh))
            document.entries = fresh
            children = [c for c in document.entries if self.options.window.may_contain_after(c.modified_at)]
            # A child untouched since before the window cannot list articles inside it.
            for _ in range(len(document.entries) - len(children)):
                self._skip("out_of_window")
            children = [c for c in children if self._document_ok(source, c.url, response.url)]
            if self.incremental is not None:
                self.incremental.prefetch_validators([c.url for c in children])
            yield from self._admit(source, [self._discovery_request(c.url, "sitemap", source, depth=depth) for c in children])
            return
        requests = []
        for entry in document.entries:
            if not self.options.window.contains(entry.date):
                self._skip("out_of_window")
                continue
            request = self.article_request(entry, source, "sitemap")
            if request is not None:
                requests.append(request)
        yield from self._admit(source, self.not_known(requests))

    def parse_robots(self, response: Response) -> Iterator[Request]:
        source = self._source_of(response)
        document = sitemaps_from_robots(response.body, response.url)
        self._count_bad_entries(document.bad_entries, "robots.txt", response.url)
        urls = [e.url for e in document.entries if self._document_ok(source, e.url, response.url)]
        yield from self._admit(source, [self._discovery_request(url, "sitemap", source) for url in urls])
        if not document.entries:
            yield from self._probe(source, response.url)

    def _probe(self, source: Source | None, robots_url: str) -> list[Request]:
        """Requests for the well-known sitemap paths of robots.txt's origin: once per origin per
        run, and only for a source that configures no sitemap of its own."""
        if source is None or source.sitemaps:
            return []
        parts = urlsplit(robots_url)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        if origin in self._probed_hosts:
            return []
        self._probed_hosts.add(origin)
        urls = [origin + path for path in WELL_KNOWN_SITEMAPS]
        # A path found empty by an earlier run is not asked again within NEWSPIPE_RECHECK_DAYS.
        missed = self.incremental.known(urls) if self.incremental is not None else set()
        requests = [self._discovery_request(url, "sitemap", source, probe=True) for url in urls if url not in missed]
        return self._admit(source, requests)

    def _probe_missed(self, url: str, status: int | None) -> None:
        self._inc("newspipe/discovery/probe/not_found")
        if self.incremental is not None:
            self.incremental.probe_missed(url, status)

    def parse_section(self, response: Response) -> Iterator[Request]:
        source = self._source_of(response)
        self._count_seed_fetched(response)
        if self._not_modified(response, "section"):
            return
        self._inc("newspipe/discovery/sections")
        if not isinstance(response, TextResponse):
            self._skip("section_not_text")
            logger.warning("skipping section %s: not a text response", response.url)
            return
        try:
            text = response.text
        except (UnicodeDecodeError, LookupError):
            self._skip("section_not_text")
            logger.warning("skipping section %s: cannot decode it", response.url)
            return
        cap = self.options.links_per_page(source)
        links = parse_section(text, response.url, source, max_links=cap)
        if links.offsite:
            self._skip("offsite", links.offsite)
        if links.cut:
            self._inc("newspipe/discovery/capped/page_links", links.cut)
            logger.info("section %s: %d more article links beyond the cap of %d per page not followed", response.url, links.cut, cap)
        requests = []
        for link in links.articles:
            # Link text is often "Read more": not passed on as a title hint.
            request = self.article_request(DiscoveredURL(link.url), source, "section", check_patterns=False)
            if request is not None:
                requests.append(request)
        yield from self._admit(source, self.not_known(requests))
        info = response.meta.get(DISCOVERY_META, {})
        depth = info.get("depth", 0)
        root = info.get("root") or response.url
        if depth >= self.options.section_depth:
            if links.pages:
                self._skip("section_depth")
            return
        pages = []
        for page in links.pages:
            count = self._section_pages.get(root, 1)
            if count >= self.options.max_pagination:
                self._skip("pagination_limit")
                break
            self._section_pages[root] = count + 1
            pages.append(self._discovery_request(page, "section", source, depth=depth + 1, root=root))
        yield from self._admit(source, pages)

    def parse_article(self, response: Response) -> Iterator[Article]:
        info = response.meta.get("newspipe") or {}
        if response.status == NOT_MODIFIED:
            self._inc("newspipe/fetch/not_modified")
            if info.get("via") == "revisit":  # a stored article, unchanged: the run's summary says so
                self._inc("newspipe/fetch/not_modified/revisit")
            logger.debug("unchanged since the last visit: %s", response.url)
            return
        if self.incremental is not None:
            self.incremental.article_fetched(response.meta.get("redirect_urls", [response.url])[0], response)
        if response.status != 200:
            self._inc(f"newspipe/fetch/http_{response.status}")
            logger.warning("not an article: HTTP %d for %s", response.status, response.url)
            return
        source = self.sources_by_name.get(info.get("source", ""))
        yield Article(
            url=response.meta.get("redirect_urls", [response.url])[0],
            response_url=response.url,
            source=info.get("source") or (urlsplit(response.url).hostname or ""),
            status=response.status,
            content_type=_content_type(response),
            html=_text_or_none(response),
            fetched_at=datetime.now(timezone.utc),
            discovered_via=info.get("via", "url"),
            hint_title=info.get("hint_title"),
            hint_published_at=_hint_date(info.get("hint_published_at")),
            # The news sitemap's language for this article, else the source's.
            language_hint=info.get("hint_language") or (source.language if source is not None else None),
            hint_tags=[t for t in info.get("hint_tags") or () if isinstance(t, str)],
        )

    def on_error(self, failure: Failure) -> list[Request]:
        """Errback of every request: count and log, never raise. A robots.txt that cannot be
        fetched names no sitemap, so the well-known paths are probed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if self.start_window is not None:
            self.start_window.closed(request)
        info = request.meta.get(DISCOVERY_META, {})
        kind = info.get("kind", "article")
        if info.get("probe"):
            # A guessed sitemap path: a 404 or a refusal is just "not found", never an error.
            if failure.check(HttpError, IgnoreRequest):
                self._probe_missed(request.url, failure.value.response.status if failure.check(HttpError) else None)
            else:
                self._inc("newspipe/discovery/probe/error")
            logger.debug("no sitemap at %s: %s", request.url, failure.value)
            return []
        quiet = kind == "robots"  # a missing robots.txt is normal
        log = logger.debug if quiet else logger.warning
        if failure.check(HttpError):
            status = failure.value.response.status
            self._inc(f"newspipe/fetch/http_{status}")
            log("%s not fetched: HTTP %d for %s", kind, status, request.url)
            if kind == "article" and status in (404, 410) and self.incremental is not None:
                self.incremental.article_not_stored(request.url, status, "gone")
        elif failure.check(IgnoreRequest):
            self._inc("newspipe/fetch/ignored")
            logger.debug("%s not fetched: %s (%s)", kind, request.url, failure.value)
            # A refusal that will not change soon (an off-domain redirect) is remembered like a
            # page that is not an article, so the next runs do not ask again.
            outcome = getattr(failure.value, "outcome", None)
            if kind == "article" and outcome and self.incremental is not None:
                self.incremental.article_not_stored(request.meta.get("redirect_urls", [request.url])[0], None, outcome)
        else:
            name = type(failure.value).__name__
            self._inc(f"newspipe/fetch/error/{name}")
            if is_connect_error(failure.value):
                log = logger.debug  # said once per host by crawler.unreachable
            log("%s not fetched: %s for %s", kind, name, request.url)
        if kind == "robots" and failure.check(HttpError):
            return self._probe(self.sources_by_name.get(info.get("source") or ""), request.url)
        return []

    # -- helpers ---------------------------------------------------------------------------

    def article_request(
        self, entry: DiscoveredURL, source: Source | None, via: str, *, check_patterns: bool = True
    ) -> Request | None:
        """The request for a discovered article, or None when it is a duplicate or excluded.

        The request URL is the discovered one without tracking parameters and
        fragment; duplicates are judged on the canonical form.
        """
        url = strip_tracking(entry.url)
        if not on_domains(source, url):
            self._skip("offsite")
            return None
        if check_patterns and source is not None and source.url_allowed(url) is False:
            self._skip("not_allowed")
            return None
        key = dedup_key(url)
        if key in self._seen:
            self._skip("duplicate")
            return None
        self._seen.add(key)
        self._inc("newspipe/discovery/articles")
        meta = {
            "newspipe": {
                "source": source.name if source is not None else (urlsplit(url).hostname or ""),
                "via": via,
                "hint_title": entry.title,
                # ISO 8601 text: meta is stored as JSON in the Redis queue and the JOBDIR.
                "hint_published_at": entry.published_at.isoformat() if entry.published_at is not None else None,
            }
        }
        # Google News sitemap hints, as plain JSON values (lists, not tuples); only when given.
        hints = {
            "hint_tags": list(entry.keywords),
            "hint_genres": list(entry.genres),
            "hint_publication": entry.publication,
            "hint_language": entry.language,
        }
        meta["newspipe"].update({key: value for key, value in hints.items() if value})
        priority = PRIORITY_LINKED if via == "section" else PRIORITY_LISTED
        return Request(url, callback=self.parse_article, errback=self.on_error, meta=meta, priority=priority)

    def not_known(self, requests: list[Request]) -> list[Request]:
        """The article requests whose URL is not already stored or known not to be an article
        (one query per discovered batch)."""
        if self.incremental is None or not requests:
            return requests
        forms = {r.url: {r.url, canonicalize_url(r.url)} for r in requests}
        known = self.incremental.known([u for urls in forms.values() for u in urls])
        if not known:
            return requests
        fresh = [r for r in requests if not (forms[r.url] & known)]
        self._inc("newspipe/discovery/skipped/known", len(requests) - len(fresh))
        return fresh

    def _not_modified(self, response: Response, kind: str) -> bool:
        """True for a 304 (nothing more to do); otherwise remember the document's validators."""
        if response.status == NOT_MODIFIED:
            self._inc("newspipe/fetch/not_modified")
            logger.debug("%s unchanged since the last run: %s", kind, response.url)
            return True
        if self.incremental is not None:
            self.incremental.discovery_fetched(response, kind)
        return False

    def _discovery_request(
        self,
        url: str,
        kind: str,
        source: Source,
        *,
        depth: int = 0,
        root: str | None = None,
        seed: bool = False,
        probe: bool = False,
    ) -> Request:
        """A feed, sitemap, robots or section request; `seed` marks those named in the sources file,
        counted (`newspipe/discovery/seeds`, `.../seeds_fetched`) so a run none of whose seeds
        could be fetched is reported as failed."""
        callbacks = {
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "robots": self.parse_robots,
            "section": self.parse_section,
        }
        if kind == "sitemap":
            self._sitemap_urls.add(url)
        meta: dict[str, Any] = {
            DISCOVERY_META: {"kind": kind, "source": source.name, "depth": depth, "root": root, "seed": seed}
        }
        if probe:
            meta[DISCOVERY_META]["probe"] = True
        if seed:
            self._inc("newspipe/discovery/seeds")
        if kind == "robots":  # answered by crawler.robots from the one copy per host, not fetched again
            meta[SHARED_META] = True
        headers: dict[str, str] = {}
        if self.incremental is not None and kind != "robots":
            headers = self.incremental.conditional_headers(url)
            if headers:
                meta["handle_httpstatus_list"] = [NOT_MODIFIED]
        # Discovery first: it is what feeds the article queue.
        priority = PRIORITY_SECTION if kind == "section" else PRIORITY_DOCUMENT
        return Request(url, callback=callbacks[kind], errback=self.on_error, meta=meta, priority=priority, headers=headers)

    def _document_ok(self, source: Source | None, url: str, parent: str) -> bool:
        """Whether a sitemap named by `parent` (an index or robots.txt) may be fetched; counted when not."""
        if document_allowed(source, url, parent):
            return True
        self._skip("offsite")
        logger.info("not following %s: named by %s, off the source's domains and site", url, parent)
        return False

    def _admit(self, source: Source | None, requests: list[Request]) -> list[Request]:
        """The discovered requests that fit in the source's budget for this run; the rest are
        counted, and the source's first cut is logged."""
        if source is None or not requests:
            return requests
        cap = self.options.requests_per_source(source)
        admitted = self._budget.admit(source.name, cap, requests)
        if admitted.cut:
            self._inc("newspipe/discovery/capped/source_requests", admitted.cut)
        if admitted.first_cut:
            logger.warning("source %s: %d requests discovered, its cap for this run; not requesting any more", source.name, cap)
        return admitted.kept

    def _count_seed_fetched(self, response: Response) -> None:
        if self.start_window is not None:
            self.start_window.closed(response.request)
        if response.meta.get(DISCOVERY_META, {}).get("seed"):
            self._inc("newspipe/discovery/seeds_fetched")

    def _source_of(self, response: Response) -> Source | None:
        name = response.meta.get(DISCOVERY_META, {}).get("source")
        return self.sources_by_name.get(name) if name else None

    def _inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(key, count)

    def _skip(self, reason: str, count: int = 1) -> None:
        self._inc(f"newspipe/discovery/skipped/{reason}", count)

    def _count_bad_entries(self, bad: list[BadEntry], kind: str, url: str) -> None:
        """Count a document's skipped entries by reason; one log line per document, not per entry."""
        if not bad:
            return
        reasons = Counter(entry.reason for entry in bad)
        for reason, count in reasons.items():
            self._inc(f"newspipe/discovery/bad_entry/{reason}", count)
        summary = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
        logger.warning("%s %s: bad entries skipped or values dropped (%s); first: %s", kind, url, summary, bad[0].detail)


def seed_urls(source: Source) -> list[str]:
    """The discovery documents a source starts from: its feeds, sitemaps and sections."""
    return [*source.feeds, *source.sitemaps, *source.sections]


def robots_urls(source: Source) -> list[str]:
    """robots.txt URLs of a source: one per origin of its declared URLs, else per domain over https."""
    origins: dict[str, None] = {}
    for url in seed_urls(source):
        parts = urlsplit(url)
        origins.setdefault(urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", "")), None)
    if not origins:
        for domain in source.domains:
            origins.setdefault(f"https://{domain}/robots.txt", None)
    return list(origins)


def _headers(response: Response) -> dict[str, str]:
    content_type = _content_type(response)
    return {"content-type": content_type} if content_type else {}


def _content_type(response: Response) -> str:
    raw = response.headers.get("Content-Type") or b""
    return raw.decode("latin-1").strip()


def _is_textual(content_type: str) -> bool:
    """Whether a Content-Type names text; an absent one leaves it to Scrapy's body sniffing."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if not mime:
        return True
    return mime.startswith("text/") or any(word in mime for word in ("html", "xml", "json", "javascript"))


def _text_or_none(response: Response) -> str | None:
    # Scrapy sniffs bodies without control bytes as text, even under application/pdf.
    if not isinstance(response, TextResponse) or not _is_textual(_content_type(response)):
        return None
    # Not `response.text`: a charset label that does not fit the bytes gives U+FFFD or mojibake
    # there; `decode_page` detects the real one.
    return decode_page(response.body, _content_type(response))


def _hint_date(value: Any) -> datetime | None:
    """The feed's publication date carried in meta (ISO 8601 text); None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
