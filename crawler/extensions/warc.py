"""Extension: write every response a crawl downloads to a WARC file, to replay it later.

Reads NEWSPIPE_WARC_DIR (off when empty: `NotConfigured`). One gzipped file per run,
`newspipe-<UTC time>-<pid>.warc.gz`, with a request and a response record per download;
`newspipe backfill --warc` imports it again without fetching anything.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def _headers(raw: object) -> list[tuple[str, str]]:
    items = raw.items() if hasattr(raw, "items") else []  # scrapy Headers: bytes -> [bytes]
    return [
        (k.decode("latin-1") if isinstance(k, bytes) else str(k), v.decode("latin-1") if isinstance(v, bytes) else str(v))
        for k, values in items
        for v in values
    ]


class WarcRecorder:
    def __init__(self, directory: Path, stats: StatsCollector) -> None:
        self.directory = directory
        self.stats = stats
        self.path: Path | None = None
        self.handle: IO[bytes] | None = None
        self.writer: WARCWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        directory = crawler.settings.get("NEWSPIPE_WARC_DIR")
        if not directory:
            # Off by default; no message, or Scrapy warns on every run (NEWSPIPE_WARC_DIR is not set).
            raise NotConfigured
        extension = cls(Path(directory), crawler.stats)
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.close, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = self.directory / f"newspipe-{stamp}-{os.getpid()}.warc.gz"
        self.handle = self.path.open("wb")
        self.writer = WARCWriter(self.handle, gzip=True)
        self.stats.set_value("newspipe/warc/output", str(self.path))
        logger.info("writing downloads to %s", self.path)

    def response_received(self, response: Response, request: Request) -> None:
        if self.writer is None or request.url.endswith("/robots.txt"):
            return
        date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        protocol = response.protocol or "HTTP/1.1"
        status_line = f"{response.status} {_reason(response.status)}"
        http_headers = StatusAndHeaders(status_line, _headers(response.headers), protocol=protocol)
        record = self.writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        request_headers = StatusAndHeaders(f"{request.method} {request.url} {protocol}", _headers(request.headers), is_http_request=True)
        request_record = self.writer.create_warc_record(
            request.url, "request", payload=BytesIO(request.body or b""), http_headers=request_headers,
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        self.writer.write_request_response_pair(request_record, record)
        self.stats.inc_value("newspipe/warc/written")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle, self.writer = None, None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
