"""Test helpers for crawls: a local fixture HTTP server and `run_crawl` in a fresh process.

`run_crawl(spider_name, settings, spider_kwargs)` runs a real Scrapy crawl
with the project settings (overridden by TEST_SETTINGS, then by `settings`)
in a spawned subprocess, so each crawl gets a fresh reactor, and returns the
scraped items and the final stats.

`FixtureServer` serves routes (path -> status, headers, body; or a sequence
of such responses, the last one repeating) and files from
`tests/fixtures/discovery/`, with `__BASE__` in text files replaced by the
server's base URL, on 127.0.0.1 (or `host`, another loopback address) and a free port, counting
the connections it accepts (`connections`) and when each request came (`times`). Unknown paths get
`catch_all` (a small article page) or 404. `fixture_server` is the pytest
fixture; import it into a test module to use it.
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"

TEST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "LOG_LEVEL": "WARNING",
    "HTTPCACHE_ENABLED": False,
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {},
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 15,
    "NEWSPIPE_RETRY_BACKOFF_BASE": 0.01,
    "NEWSPIPE_RETRY_BACKOFF_MAX": 5.0,
    # Private addresses are refused: open only the loopback address the test servers listen on.
    "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],
}

_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".gz": "application/x-gzip",
}


# -- the crawl ----------------------------------------------------------------------------------


@dataclass
class CrawlResult:
    items: list[Any] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # traceback text when the crawl could not start or failed

    def stat(self, key: str, default: Any = 0) -> Any:
        return self.stats.get(key, default)

    @property
    def urls(self) -> set[str]:
        return {item.url for item in self.items}


class _Collector:
    """Holds the items; a bound method, because Scrapy's signals keep weak references."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def item_scraped(self, item: Any, **kwargs: Any) -> None:
        self.items.append(item)


def _crawl_in_child(spider_name: str, settings: dict[str, Any], spider_kwargs: dict[str, Any], out: Any) -> None:
    result = CrawlResult()
    try:
        from scrapy import signals
        from scrapy.crawler import CrawlerProcess
        from scrapy.settings import Settings

        merged = Settings()
        merged.setmodule("crawler.settings", priority="project")
        # As the CLI does: the environment's database (conftest's scratch one) unless the test names one.
        merged.set("NEWSPIPE_DATABASE_URL", os.environ.get("NEWSPIPE_DATABASE_URL"), priority="project")
        merged.setdict({**TEST_SETTINGS, **settings}, priority="cmdline")
        process = CrawlerProcess(merged)
        crawler = process.create_crawler(spider_name)
        collector = _Collector()
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        failures: list[str] = []
        deferred = process.crawl(crawler, **spider_kwargs)
        deferred.addErrback(lambda failure: failures.append(failure.getTraceback()))
        process.start(install_signal_handlers=False)
        result.items = collector.items
        try:
            result.stats = dict(crawler.stats.get_stats())
        except Exception:  # no stats when the spider failed to start
            result.stats = {}
        result.error = "\n".join(failures) or None
    except BaseException:
        result.error = traceback.format_exc()
    try:
        out.put(pickle.dumps(result))
    except Exception:
        out.put(pickle.dumps(CrawlResult(error=traceback.format_exc())))


def run_crawl(
    spider_name: str, settings: dict[str, Any], spider_kwargs: dict[str, Any] | None = None, timeout: float = 60
) -> CrawlResult:
    """Run spider `spider_name` in a spawned process and return its items and stats."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_crawl_in_child, args=(spider_name, settings, spider_kwargs or {}, out))
    process.start()
    try:
        payload = out.get(timeout=timeout)
    except queue.Empty:
        process.kill()
        process.join(5)
        raise TimeoutError(f"crawl of {spider_name!r} did not finish within {timeout}s") from None
    process.join(10)
    if process.is_alive():
        process.kill()
    return pickle.loads(payload)


# -- the server ---------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class _CountingHTTPServer(ThreadingHTTPServer):
    connections = 0

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections += 1  # every accepted connection, before a byte is read
        return True


class FixtureServer:
    def __init__(self, root: Path = FIXTURES, host: str = "127.0.0.1"):
        self.root = root
        self.routes: dict[str, list[Reply]] = {}
        self.hits: Counter[str] = Counter()
        self.requested: list[str] = []  # paths in the order they were asked for
        self.times: list[float] = []  # time.monotonic() of each request in `requested`
        self.catch_all: Reply | None = None
        self._lock = threading.Lock()
        self._httpd = _CountingHTTPServer((host, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self.catch_all = Reply(200, self.render("article.html"), {"Content-Type": "text/html; charset=utf-8"})
        self.route("/robots.txt", status=404, body="not found", content_type="text/plain")

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def connections(self) -> int:
        return self._httpd.connections

    @property
    def netloc(self) -> str:
        return self.base.split("://", 1)[1]

    def url(self, path: str) -> str:
        return self.base + path

    def render(self, name: str) -> bytes:
        """A fixture file with __BASE__ replaced by this server's base URL."""
        return (self.root / name).read_bytes().replace(b"__BASE__", self.base.encode())

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        file: str | None = None,
        gzipped: bool = False,
    ) -> None:
        """Serve one response at `path` (path plus query, as requested)."""
        self.routes[path] = [self._reply(body, status, content_type, headers, file, gzipped)]

    def sequence(self, path: str, replies: list[Reply]) -> None:
        """Serve `replies` one after another at `path`; the last one repeats."""
        self.routes[path] = list(replies)

    def _reply(
        self, body: bytes | str, status: int, content_type: str | None, headers: dict[str, str] | None,
        file: str | None, gzipped: bool,
    ) -> Reply:
        if file is not None:
            body = self.render(file)
            content_type = content_type or _CONTENT_TYPES.get(Path(file).suffix, "application/octet-stream")
        data = body.encode("utf-8") if isinstance(body, str) else body
        if gzipped:
            data = gzip.compress(data)
            content_type = content_type if content_type and "gzip" in content_type else "application/x-gzip"
        all_headers = {"Content-Type": content_type or "text/html; charset=utf-8", **(headers or {})}
        return Reply(status, data, all_headers)

    def _next(self, path: str) -> Reply | None:
        with self._lock:
            self.hits[path] += 1
            self.requested.append(path)
            self.times.append(time.monotonic())
            replies = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
            if replies:
                return replies.pop(0) if len(replies) > 1 else replies[0]
            return self.catch_all

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                reply = server._next(self.path) or Reply(404, b"not found", {"Content-Type": "text/plain"})
                body = reply.encoded()
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        return Handler

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def fixture_server():
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


def write_sources(path: Path, text: str) -> str:
    """Write a sources TOML file and return its path as a string."""
    path.write_text(text, encoding="utf-8")
    return str(path)
