"""`newspipe crawl --dry-run`: discover as usual, fetch no article, list what would be fetched.

A spider middleware that lets discovery requests (feeds, sitemaps, robots.txt, section pages)
through and takes every other request out of the spider's output, writing its URL and source as
one JSON line to the file named by NEWSPIPE_DRY_RUN_FILE (switched off when that is empty). The
CLI also switches off the item pipelines, the run recorder and incremental state, so nothing is
stored.
"""

from __future__ import annotations

import json
from typing import IO, Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.spiders.base import DISCOVERY_META


class DryRunMiddleware(BaseSpiderMiddleware):
    """Records article requests instead of letting them be scheduled (stat `newspipe/dry_run/would_fetch`)."""

    def __init__(self, crawler: Crawler, path: str):
        super().__init__(crawler)
        self.path = path
        self._file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DryRunMiddleware:
        path = crawler.settings.get("NEWSPIPE_DRY_RUN_FILE")
        if not path:
            raise NotConfigured  # off unless --dry-run: no message, so no warning on every crawl
        middleware = cls(crawler, str(path))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if DISCOVERY_META in request.meta:
            return request
        info: dict[str, Any] = request.meta.get("newspipe") or {}
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed at spider_closed)
        self._file.write(json.dumps({"url": request.url, "source": info.get("source"), "via": info.get("via")}) + "\n")
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newspipe/dry_run/would_fetch")
        return None

    def spider_closed(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
