"""The `cdx` spider: backfill from a Wayback-style archive, through a CDX query.

Spider arguments: `queries` (URL prefixes to look up, or whole CDX query URLs; list or
comma-separated), `cdx_server` (default the Wayback Machine's CDX API) and `replay` (where
captures are replayed, default https://web.archive.org/web), plus the common `sources`,
`source`, `since`, `until`. The spider asks the CDX server for the captures in the window,
then fetches each wanted capture's raw bytes (`<replay>/<timestamp>id_/<url>`) politely: one
request at a time per host with NEWSPIPE_CDX_DELAY seconds between them (default 1.0), and
robots.txt obeyed. Each page becomes an `Article` under its original URL, with the capture
time as `fetched_at` and the replay URL as provenance (`archive_file`), and goes through the
same pipelines as a live crawl.

Skips, counted under `newspipe/cdx/skipped/<reason>`: rows the CDX answer could not use
(`bad_row`), captures that are not HTTP 200 HTML, captured before `since`, outside the
sources' domains (when a sources file is given), a URL listed again (`duplicate`: the first
capture listed is fetched), and URLs already stored (`already_stored`: a rerun fetches nothing
again). `newspipe/cdx/captures` counts the captures listed, `newspipe/cdx/requested` those fetched.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response

from crawler import settings as defaults
from crawler.archives.cdx import DEFAULT_CDX_SERVER, DEFAULT_REPLAY, CdxError, cdx_query_url, parse_cdx, replay_url
from crawler.items import Article
from crawler.spiders.base import DISCOVERY_META, BaseNewsSpider, _content_type, _text_or_none
from crawler.spiders.options import split_list
from crawler.spiders.warc import stored_captures, wanted_capture
from pipelines.extraction import canonicalize_url

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from crawler.archives.cdx import Capture
    from crawler.sources import Source

logger = logging.getLogger(__name__)

CAPTURE_META = "newspipe_capture"
LOOKUP_CHUNK = 200  # captures whose URLs are looked up in the database in one query


class CdxSpider(BaseNewsSpider):
    name = "cdx"
    sources_file_optional = True
    # Replay URLs are not the articles' URLs: the incremental bookkeeping of live crawls stays out.
    incremental_discovery = False

    def __init__(self, *args: Any, queries: Any = None, cdx_server: str | None = None, replay: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.queries = split_list(queries)
        self.cdx_server = cdx_server or DEFAULT_CDX_SERVER
        self.replay = replay or DEFAULT_REPLAY
        self.restrict_to_sources = bool(self.options.sources)
        self._wanted_keys: set[str] = set()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # An archive is one host serving everyone's pages: one request at a time, spaced out.
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="spider")
        settings.set("DOWNLOAD_DELAY", settings.getfloat("NEWSPIPE_CDX_DELAY", defaults.NEWSPIPE_CDX_DELAY), priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        if not self.queries:
            logger.warning("no CDX query given: pass -a queries=URL_PREFIX[,...]")
        for query in self.queries:
            url = cdx_query_url(query, server=self.cdx_server, since=self.options.window.since, until=self.options.window.until)
            self._inc("newspipe/discovery/seeds")
            meta = {DISCOVERY_META: {"kind": "cdx", "source": None, "depth": 0, "root": None, "seed": True}}
            yield Request(url, callback=self.parse_cdx, errback=self.on_error, meta=meta, priority=10)

    def parse_cdx(self, response: Response) -> Iterator[Request]:
        self._count_seed_fetched(response)
        if response.status != 200:
            self._inc(f"newspipe/fetch/http_{response.status}")
            logger.error("CDX query failed: HTTP %d for %s", response.status, response.url)
            return
        try:
            answer = parse_cdx(response.body)
        except CdxError as exc:
            self._cdx_skip("bad_answer")
            logger.error("CDX query %s: %s", response.url, exc)
            return
        self._inc("newspipe/cdx/captures", len(answer.captures))
        if answer.bad_rows:
            self._cdx_skip("bad_row", answer.bad_rows)
        logger.info("CDX query %s: %d captures", response.url, len(answer.captures))
        wanted = [(c, s) for c in answer.captures if (s := self._wanted(c)) is not None]
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            yield from self._not_stored(wanted[start : start + LOOKUP_CHUNK])

    def _wanted(self, capture: Capture) -> Source | None:
        source = wanted_capture(
            self.options, capture.url, capture.status, capture.mimetype, capture.captured_at,
            restrict=self.restrict_to_sources, revisits=True,
        )  # fmt: skip
        if isinstance(source, str):
            self._cdx_skip(source)
            return None
        key = canonicalize_url(capture.url)
        if key in self._wanted_keys:
            self._cdx_skip("duplicate")
            return None
        self._wanted_keys.add(key)
        return source

    def _not_stored(self, wanted: list[tuple[Capture, Source]]) -> Iterator[Request]:
        stored = stored_captures(self.crawler, [capture.url for capture, _ in wanted])
        for capture, source in wanted:
            if capture.url in stored:
                self._cdx_skip("already_stored")
                continue
            self.sources_by_name.setdefault(source.name, source)
            self._inc("newspipe/cdx/requested")
            meta = {
                "newspipe": {"source": source.name, "via": "cdx"},
                CAPTURE_META: {"url": capture.url, "captured_at": capture.captured_at.isoformat()},
            }
            yield Request(replay_url(self.replay, capture), callback=self.parse_capture, errback=self.on_error, meta=meta)

    def parse_capture(self, response: Response) -> Iterator[Article]:
        if response.status != 200:
            self._inc(f"newspipe/fetch/http_{response.status}")
            logger.warning("capture not replayed: HTTP %d for %s", response.status, response.url)
            return
        capture = response.meta[CAPTURE_META]
        source = self.sources_by_name.get(response.meta["newspipe"]["source"])
        yield Article(
            url=capture["url"],
            response_url=capture["url"],  # links and canonicals resolve against the original, not the replay
            source=response.meta["newspipe"]["source"],
            status=response.status,
            content_type=_content_type(response),
            html=_text_or_none(response),
            fetched_at=datetime.fromisoformat(capture["captured_at"]),
            discovered_via="cdx",
            language_hint=source.language if source is not None else None,
            archive_file=response.url,
        )

    def _cdx_skip(self, reason: str, count: int = 1) -> None:
        self._inc(f"newspipe/cdx/skipped/{reason}", count)
