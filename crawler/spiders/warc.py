"""The `warc` spider: import captures from WARC/ARC files (CC-NEWS too) instead of fetching.

Spider arguments: `paths` (files or glob patterns; list or comma-separated), plus the
common `sources`, `source`, `since`, `until`. Each HTTP 200 response record becomes an
`Article` item with the capture time as `fetched_at` and the file and record offset as
provenance, and goes through the same pipelines as a live crawl. Nothing is fetched.

Skips, counted under `newspipe/warc/skipped/<reason>`: records that are not HTTP
responses, non-200 captures, captures that are not HTML (feeds, sitemaps, PDFs), captures outside the sources' domains (when a sources file
is given), captures taken before `since` (they cannot hold an article published inside
the window), URLs already stored (a rerun costs no extraction), and the rest of a
truncated file. Reads NEWSPIPE_WARC_MAX_RECORD (bytes, default DOWNLOAD_MAXSIZE).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import HtmlResponse
from scrapy.http.headers import Headers

from crawler.archives.reader import ArchivedPage, Skipped, expand_paths, iter_archive
from crawler.database import database_for
from crawler.items import Article
from crawler.sources import source_for_url
from crawler.spiders.base import BaseNewsSpider, _content_type, _text_or_none
from crawler.spiders.options import split_list
from crawler.spiders.urls import host_source
from pipelines.extraction import canonicalize_url
from storage.repository import ArticleRepository

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


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

    async def start(self) -> AsyncIterator[Any]:
        max_body = self.crawler.settings.getint("NEWSPIPE_WARC_MAX_RECORD") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        repository_sessions = database_for(self.crawler).sessions
        for path in self.paths:
            logger.info("importing %s", path)
            self._inc("newspipe/warc/files")
            for entry in iter_archive(path, max_body=max_body):
                if isinstance(entry, Skipped):
                    self._warc_skip(entry.reason)
                    continue
                self._inc("newspipe/warc/records")
                item = self._article(entry)
                if item is None:
                    continue
                with repository_sessions() as session:
                    known = ArticleRepository(session).known_urls({entry.url, canonicalize_url(entry.url)})
                if known:
                    self._warc_skip("already_stored")
                    continue
                yield item

    def _article(self, page: ArchivedPage) -> Article | None:
        if page.status != 200:
            self._warc_skip(f"http_{page.status}")
            return None
        mime = page.content_type.split(";", 1)[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            # Feeds, sitemaps, robots.txt, images and PDFs a crawl also archives: not article pages.
            self._warc_skip("not_html")
            return None
        if not self.options.window.may_contain_after(page.captured_at):
            self._warc_skip("out_of_window")
            return None
        source = source_for_url(list(self.options.sources), page.url)
        if source is None:
            if self.restrict_to_sources:
                self._warc_skip("not_in_sources")
                return None
            source = host_source(page.url)
        if source is None:
            self._warc_skip("invalid_url")
            return None
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
