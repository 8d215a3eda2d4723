"""Build WARC files for tests: captures of pages served on 127.0.0.1, written with warcio."""

from __future__ import annotations

import urllib.error
import urllib.request
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def capture(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of `url` as served now (through `opener`, e.g. the demo site's proxy)."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
            return response.status, list(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, list(exc.headers.items()), exc.read()


def write_warc(
    path: Path, urls: list[str], *, date: str = "2025-11-06T10:00:00Z", extra_records: int = 0,
    opener: urllib.request.OpenerDirector | None = None,
) -> Path:
    """A gzipped WARC with a warcinfo record, then a response record per URL (as served now)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newspipe tests"}))
        for url in urls:
            status, headers, body = capture(url, opener)
            http_headers = StatusAndHeaders(f"{status} X", headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=http_headers, warc_headers_dict={"WARC-Date": date}
            )
            writer.write_record(record)
        for i in range(extra_records):
            record = writer.create_warc_record(f"urn:test:{i}", "metadata", payload=BytesIO(b"x"), warc_content_type="text/plain")
            writer.write_record(record)
    return path
