"""The `urls` spider: fetch explicit article URLs (`newspipe fetch URL...`).

Spider argument `urls`: a list, or a comma/whitespace-separated string. Each
URL's source is the registry source owning its host
(`crawler.sources.source_for_url`), else an ad-hoc source named after the
host. The sources file is optional here: a missing file means no registry;
an invalid one is still an error. Tracking parameters are stripped and
duplicates fetched once, as in discovery.

The user named each URL, so one that is not fetched (HTTP error, connection failure, refusal,
not an http(s) URL) is logged at WARNING with its reason and counted in
`newspipe/urls/not_fetched`; the CLI's `fetch` then exits 1.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.discovery import DiscoveredURL
from crawler.sources import Source, source_for_url
from crawler.spiders.base import BaseNewsSpider
from crawler.spiders.options import split_list

from scrapy.spidermiddlewares.httperror import HttpError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.http import Request
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


def host_source(url: str) -> Source | None:
    """An ad-hoc source for a URL outside the registry, named after its host."""
    host = (urlsplit(url).hostname or "").lower()
    return Source(name=host, domains=(host,)) if host else None


def archived_source(sources: Iterable[Source], url: str, *, restrict: bool) -> Source | str:
    """The source of an archived capture (WARC record, CDX row), or the reason to skip it.

    With `restrict`, only the registry's sources are imported; otherwise a capture outside
    them goes under an ad-hoc source named after its host.
    """
    source = source_for_url(list(sources), url)
    if source is None:
        if restrict:
            return "not_in_sources"
        source = host_source(url)
    return "invalid_url" if source is None else source


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


NOT_FETCHED = "newspipe/urls/not_fetched"


class UrlsSpider(BaseNewsSpider):
    name = "urls"
    sources_file_optional = True

    def __init__(self, *args: Any, urls: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.urls: list[str] = split_list(urls)

    async def start(self) -> AsyncIterator[Any]:
        if not self.urls:
            logger.warning("no URLs given: pass -a urls=URL[,URL...]")
        for raw in self.urls:
            url = raw if "://" in raw else f"https://{raw}"
            if not _is_http(url):
                self._skip("invalid_url")
                self._inc(NOT_FETCHED)
                logger.error("not an http(s) URL: %r", raw)
                continue
            source = source_for_url(list(self.options.sources), url) or host_source(url)
            if source is not None and source.name not in self.sources_by_name:
                self.sources_by_name[source.name] = source
            request = self.article_request(DiscoveredURL(url), source, "url", check_patterns=False)
            if request is not None:
                yield request

    def on_error(self, failure: Failure) -> None:
        super().on_error(failure)
        request: Request = failure.request  # type: ignore[attr-defined]  # always one the user named
        self._inc(NOT_FETCHED)
        if not failure.check(HttpError):  # the base spider warns of HTTP errors, not of refusals or connection failures
            logger.warning("not fetched: %s: %s", request.url, failure.value)
