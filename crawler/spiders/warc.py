"""The `warc` spider: import captures from WARC/ARC files (CC-NEWS too) instead of fetching.

Spider arguments: `paths` (files or glob patterns; list or comma-separated), plus the
common `sources`, `source`, `since`, `until`. Each HTTP 200 response record becomes an
`Article` item with the capture time as `fetched_at` and the file and record offset as
provenance, and goes through the same pipelines as a live crawl. Nothing is fetched.

Skips, counted under `newspipe/warc/skipped/<reason>`: records that are not HTTP
responses, non-200 captures, captures that are not HTML (feeds, sitemaps, PDFs), captures outside the sources' domains (when a sources file
is given), captures taken before `since` (they cannot hold an article published inside
the window), URLs already stored (a rerun costs no extraction; looked up a chunk of records
at a time), and the rest of a truncated file. Reads NEWSPIPE_WARC_MAX_RECORD (bytes, default
DOWNLOAD_MAXSIZE). Nothing is downloaded, so the spider builds no downloader middlewares,
download handlers or remote-control server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import HtmlResponse
from scrapy.http.headers import Headers

from crawler.archives.reader import ArchivedPage, Skipped, expand_paths, iter_archive
from crawler.database import database_for
from crawler.items import Article
from crawler.sources import Source
from crawler.spiders.base import REMOTE_CONTROL, BaseNewsSpider, _content_type, _text_or_none
from crawler.spiders.options import split_list
from crawler.spiders.urls import archived_source
from pipelines.extraction import canonicalize_url
from storage.repository import ArticleRepository

if TYPE_CHECKING:
    from datetime import datetime

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawler.spiders.options import CrawlOptions

logger = logging.getLogger(__name__)

# Captures are checked against the stored URLs a chunk at a time (one query per chunk, not per
# record); a chunk holds at most this many records and bytes of bodies, so memory stays flat.
LOOKUP_RECORDS = 64
LOOKUP_BYTES = 16 * 1024 * 1024
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REVISIT_TYPE = "warc/revisit"


def wanted_capture(
    options: CrawlOptions, url: str, status: int | None, content_type: str, captured_at: datetime, *, restrict: bool, revisits: bool = False
) -> Source | str:
    """The source of a capture worth extracting, or the reason (a stat name) to skip it.

    Shared by the WARC and CDX spiders. `status` None means the archive did not say (CDX
    revisit rows); with `revisits`, a `warc/revisit` capture is kept (its replay is the page).
    """
    if status is not None and status != 200:
        return f"http_{status}"
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in HTML_TYPES and not (revisits and mime == REVISIT_TYPE):
        # Feeds, sitemaps, robots.txt, images and PDFs a crawl also archives: not article pages.
        return "not_html"
    if not options.window.may_contain_after(captured_at):
        return "out_of_window"
    return archived_source(options.sources, url, restrict=restrict)


def stored_captures(crawler: Crawler, urls: list[str]) -> set[str]:
    """Which of the captures' URLs are stored, as captured or canonicalised: one query for all."""
    forms = {url: (url, canonicalize_url(url)) for url in urls}
    database = database_for(crawler)
    # Bounded: a database that stops answering fails the import (DatabaseNotAnswering) instead of holding it.
    with database.bounded("a look-up of stored captures"), database.sessions() as session:
        known = ArticleRepository(session).known_urls(u for pair in forms.values() for u in pair)
    return {url for url, pair in forms.items() if known.intersection(pair)}


class WarcSpider(BaseNewsSpider):
    name = "warc"
    sources_file_optional = True
    custom_settings = {"ROBOTSTXT_OBEY": False}  # nothing is fetched

    def __init__(self, *args: Any, paths: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.paths = expand_paths(split_list(paths))
        # With a sources file, only its sources' domains are imported; without one, every capture,
        # each under a source named after its host.
        self.restrict_to_sources = bool(self.options.sources)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Nothing is downloaded: no downloader middlewares or download handlers to build. Loading
        # them imports Scrapy's HTTP/TLS stack, about a second of an import's start-up.
        for name in ("DOWNLOADER_MIDDLEWARES_BASE", "DOWNLOADER_MIDDLEWARES", "DOWNLOAD_HANDLERS_BASE", "DOWNLOAD_HANDLERS"):
            settings.set(name, {}, priority="spider")
        # Nor Scrapy's remote-control HTTP server (telnet is off project-wide too). Taken out of the
        # base list: a None in EXTENSIONS still imports the module (and aiohttp) to resolve the key.
        extensions = {k: v for k, v in settings.getdict("EXTENSIONS_BASE").items() if k != REMOTE_CONTROL}
        settings.set("EXTENSIONS_BASE", extensions, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        max_body = self.crawler.settings.getint("NEWSPIPE_WARC_MAX_RECORD") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        for path in self.paths:
            logger.info("importing %s", path)
            self._inc("newspipe/warc/files")
            pending: list[tuple[ArchivedPage, Source]] = []
            pending_bytes = 0
            for entry in iter_archive(path, max_body=max_body):
                if isinstance(entry, Skipped):
                    self._warc_skip(entry.reason)
                    continue
                self._inc("newspipe/warc/records")
                source = self._wanted(entry)
                if source is None:
                    continue
                pending.append((entry, source))
                pending_bytes += len(entry.body)
                if len(pending) >= LOOKUP_RECORDS or pending_bytes >= LOOKUP_BYTES:
                    for item in self._not_stored(pending):
                        yield item
                    pending, pending_bytes = [], 0
            for item in self._not_stored(pending):
                yield item

    def _not_stored(self, pages: list[tuple[ArchivedPage, Source]]) -> Iterator[Article]:
        """Items for the pages whose URL is not stored yet: one query for the whole chunk."""
        if not pages:
            return
        stored = stored_captures(self.crawler, [page.url for page, _ in pages])
        for page, source in pages:
            if page.url in stored:
                self._warc_skip("already_stored")
                continue
            yield self._article(page, source)

    def _wanted(self, page: ArchivedPage) -> Source | None:
        """The source of a capture worth extracting, or None (counted) for one that is not."""
        verdict = wanted_capture(
            self.options, page.url, page.status, page.content_type, page.captured_at, restrict=self.restrict_to_sources
        )
        if isinstance(verdict, str):
            self._warc_skip(verdict)
            return None
        return verdict

    def _article(self, page: ArchivedPage, source: Source) -> Article:
        response = HtmlResponse(page.url, status=page.status, headers=Headers(page.headers), body=page.body)
        return Article(
            url=page.url,
            response_url=page.url,
            source=source.name,
            status=page.status,
            content_type=_content_type(response),
            html=_text_or_none(response),
            fetched_at=page.captured_at,
            discovered_via="warc",
            language_hint=source.language,
            archive_file=page.archive,
            archive_offset=page.offset,
        )

    def _warc_skip(self, reason: str) -> None:
        self._inc(f"newspipe/warc/skipped/{reason}")
