"""A small HTTP/1.1 server answering GETs from memory: the crawl benchmark's stand-in for a remote site.

    server = MemorySite.start()            # 127.0.0.1, a free port, its own thread and event loop
    server.pages["/sitemap.xml"] = b"..."  # path -> body; the content type follows the extension
    server.stop()

The site stands in for a server on another machine, yet it runs on the benchmark's own cores,
beside the workers it serves. So it should cost as little as a real site costs the crawler's
machine: one asyncio loop, persistent connections (HTTP/1.1 keep-alive, which Scrapy's client
uses), bodies served from a dict. A `ThreadingHTTPServer` reading files (a thread and a TCP
connection per request, HTTP/1.0) took a measurable share of the two cores away from the
workers. Anything not in `pages` is a 404 (robots.txt included: everything allowed). GET and
HEAD only; no chunked requests, no ranges. Reads no settings.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import ClassVar

from benchmarks.loop_server import LoopServer, parse_head

_TYPES = {".xml": b"application/xml", ".txt": b"text/plain; charset=utf-8"}
_HTML = b"text/html; charset=utf-8"


@dataclass
class MemorySite(LoopServer):
    pages: dict[str, bytes] = field(default_factory=dict)
    requests: int = 0  # answered, for the benchmark's report and the tests

    REASONS: ClassVar[dict[int, bytes]] = {200: b"OK", 404: b"Not Found", 405: b"Method Not Allowed", 400: b"Bad Request"}

    @classmethod
    def start(cls, host: str = "127.0.0.1") -> MemorySite:
        return cls(host=host)._launch("bench-site")

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        request = parse_head(head)
        if request is None or b"content-length" in request.headers or b"transfer-encoding" in request.headers:
            self._write(writer, 400, b"", b"text/plain", False, False)  # no request bodies here
            return False
        method, target, keep_alive = request.method, request.target, request.keep_alive
        path = target.split(b"?", 1)[0].decode("latin-1")
        if method not in (b"GET", b"HEAD"):
            self._write(writer, 405, b"", b"text/plain", keep_alive, False)
            return keep_alive
        body = self.pages.get(path)
        if body is None:
            self._write(writer, 404, b"", b"text/plain", keep_alive, method == b"HEAD")
        else:
            dot = path.rfind(".")
            content_type = _TYPES.get(path[dot:], _HTML) if dot > path.rfind("/") else _HTML
            self._write(writer, 200, body, content_type, keep_alive, method == b"HEAD")
        return keep_alive

    def _write(self, writer: asyncio.StreamWriter, status: int, body: bytes, content_type: bytes, keep_alive: bool, head_only: bool) -> None:
        self.requests += 1
        writer.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n"
            % (status, self.REASONS[status], content_type, len(body), b"keep-alive" if keep_alive else b"close")
        )
        if body and not head_only:
            writer.write(body)
