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
import threading
from dataclasses import dataclass, field
from typing import ClassVar

_TYPES = {".xml": b"application/xml", ".txt": b"text/plain; charset=utf-8"}
_HTML = b"text/html; charset=utf-8"
_MAX_HEAD = 64 * 1024


@dataclass
class MemorySite:
    host: str = "127.0.0.1"
    port: int = 0
    pages: dict[str, bytes] = field(default_factory=dict)
    requests: int = 0  # answered, for the benchmark's report and the tests
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _server: asyncio.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    REASONS: ClassVar[dict[int, bytes]] = {200: b"OK", 404: b"Not Found", 405: b"Method Not Allowed", 400: b"Bad Request"}

    @classmethod
    def start(cls, host: str = "127.0.0.1") -> MemorySite:
        site = cls(host=host)
        ready = threading.Event()
        site._thread = threading.Thread(target=site._run, args=(ready,), name="bench-site", daemon=True)
        site._thread.start()
        ready.wait(10)
        if site._server is None:
            raise RuntimeError("the benchmark site did not start")
        return site

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    # -- the loop's thread ---------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, self.host, 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
        finally:
            ready.set()
            if self._server is not None:
                self._server.close()
            # Connections still open: end their handlers before the loop goes.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if len(head) > _MAX_HEAD:
                    return
                keep_alive = self._answer(head, writer)
                try:
                    await writer.drain()
                except ConnectionError:
                    return  # the client went away (a crawler stopped mid-response): nothing to report
                if not keep_alive:
                    return
        finally:
            writer.close()

    def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        """Write the response to one request head; whether the connection stays open."""
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3:
            self._write(writer, 400, b"", b"text/plain", False, False)
            return False
        method, target, version = parts
        headers = {k.strip().lower(): v.strip().lower() for k, _, v in (line.partition(b":") for line in lines[1:] if line)}
        if b"content-length" in headers or b"transfer-encoding" in headers:
            self._write(writer, 400, b"", b"text/plain", False, False)  # no request bodies here
            return False
        connection = headers.get(b"connection", b"")
        keep_alive = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
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
