"""Redirect hops that leave a source's domains: refused before anything is fetched there.

Scrapy's RedirectMiddleware and MetaRefreshMiddleware turn a redirect into a new request
carrying the hops so far in `meta["redirect_urls"]`; that request comes back through the
scheduler (and, for workers, the Redis queue) and then through `process_request` here,
ahead of robots.txt and of any connection. It is refused (`IgnoreRequest`, counted in
`newspipe/fetch/refused_offsite_redirect`) when the source it was requested for does not
allow its URL (`crawler.discovery.offsite`):

- articles discovered in feeds, sitemaps and section pages, and revisits, must stay on the
  source's domains (subdomains included);
- discovery documents (feeds, sitemaps, robots.txt, section pages) may also stay on the
  site (registrable domain and port) of the URL first requested;
- a source with `follow_offsite = true` is not restricted; a source this process does not
  know keeps the chain on the site it started on.

An incremental crawl remembers a refused article's first URL (outcome `offsite_redirect`) and
does not request it again for NEWSPIPE_RECHECK_DAYS. Requests discovered by no source rule are not restricted: `newspipe fetch URL...` (the user
named the URL) and archive replays. Reads no settings; the first refusal per source and host
is logged at WARNING, later ones at DEBUG.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler.discovery.offsite import document_allowed, on_domains, same_site
from crawler.spiders.base import DISCOVERY_META

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

    from crawler.sources import Source

logger = logging.getLogger(__name__)

STAT = "newspipe/fetch/refused_offsite_redirect"
_DOCUMENT_KINDS = frozenset({"feed", "sitemap", "robots", "section"})
_ARTICLE_VIAS = frozenset({"feed", "sitemap", "section", "revisit"})
MAX_LOGGED = 1000  # (source, host) pairs remembered for the once-at-WARNING log


def redirect_allowed(request: Request, sources: dict[str, Source]) -> bool:
    """Whether the redirected `request` (a hop of the chain in its `redirect_urls`) may be fetched."""
    first = request.meta["redirect_urls"][0]
    document = request.meta.get(DISCOVERY_META) or {}
    if document.get("kind") in _DOCUMENT_KINDS:
        name, is_document = document.get("source"), True
    else:
        info = request.meta.get("newspipe") or {}
        if info.get("via") not in _ARTICLE_VIAS:
            return True
        name, is_document = info.get("source"), False
    source = sources.get(name) if isinstance(name, str) else None
    if source is None:
        return same_site(request.url, first)
    if is_document:
        return document_allowed(source, request.url, first)
    return on_domains(source, request.url)


class OffsiteRedirect(IgnoreRequest):
    """A refused redirect hop; `outcome` is what incremental crawls remember for the first URL."""

    outcome = "offsite_redirect"


class OffsiteRedirectMiddleware:
    def __init__(self, stats: StatsCollector):
        self.stats = stats
        self.crawler: Crawler | None = None
        self._logged: set[tuple[str, str]] = set()  # (source, host) refusals logged at WARNING

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.stats)
        o.crawler = crawler
        return o

    def process_request(self, request: Request) -> None:
        if not request.meta.get("redirect_urls"):
            return
        spider: Any = self.crawler.spider if self.crawler is not None else None
        if redirect_allowed(request, getattr(spider, "sources_by_name", None) or {}):
            return
        self.stats.inc_value(STAT)
        first = request.meta["redirect_urls"][0]
        source = ((request.meta.get(DISCOVERY_META) or request.meta.get("newspipe") or {}).get("source")) or "?"
        host = urlparse_cached(request).netloc
        first_time = (source, host) not in self._logged and len(self._logged) < MAX_LOGGED
        if first_time:
            self._logged.add((source, host))
        log = logger.warning if first_time else logger.debug
        log("refused a redirect of %s to %s: off the domains of source %s", first, request.url, source)
        raise OffsiteRedirect(f"redirect off the domains of source {source!r}: {request.url}")
