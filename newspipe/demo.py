"""The bundled demo news site, served on 127.0.0.1 for `newspipe demo` and the end-to-end tests.

`examples/demo-site/` holds one directory per publisher. Each publisher has a fixed fictional
host, `<publisher>.example` (the `.example` top-level domain is reserved and never resolves),
so the URLs a crawl stores are the same on every run and every machine. `DemoSite` serves all
of them from one HTTP server on 127.0.0.1 and a free port that works as a forward proxy: a
request names its host in the absolute URL of its request line (or its Host header), e.g.
`curl -x http://127.0.0.1:PORT http://harbour-herald.example/`. The demo's sources file sends
each publisher's requests there (its `proxy` field, see crawler.proxy), so a crawl connects to
127.0.0.1 only and never looks a `.example` name up. Other hosts are not forwarded (404).

Text files hold placeholders that the server fills in: `{{base:<publisher>}}` becomes
`http://<publisher>.example`, `{{host:<publisher>}}` becomes `<publisher>.example` and
`{{proxy}}` the proxy's URL (gzipped files are unpacked, substituted and packed again).
`expected.json` beside them is the truth the end-to-end tests compare a crawl with.

Serving: `/x/` is `x/index.html` (or `x/index.xml`); the query string is ignored; a directory
asked for without its slash redirects (301); missing files are 404. Files carry `Last-Modified`
and `ETag`, and conditional requests get 304. `set_page` overrides a page in memory, so a test
can change an article between two crawls. No settings are read; nothing is logged per request
above DEBUG.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
import mimetypes
import re
import threading
import time
import urllib.request
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

DEMO_ROOT: Path = Path(__file__).resolve().parent.parent / "examples" / "demo-site"

DEMO_HOST = "127.0.0.1"  # the loopback address the demo serves (and `newspipe demo` allows)
DEMO_TLD = "example"  # RFC 2606: reserved for examples, never resolves
_PLACEHOLDER = re.compile(r"\{\{(?:(base|host):([A-Za-z0-9_.-]+)|(proxy))\}\}")
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
}
_TEXT_TYPES = ("text/", "application/xml", "application/rdf+xml", "application/atom+xml", "application/rss+xml", "application/json")
_INDEX_FILES = ("index.html", "index.xml")


class DemoSiteError(RuntimeError):
    """The demo site cannot be found, or is used before it was started."""


def content_type_for(path: Path) -> str:
    """The Content-Type a real server would send for this file, from its name (and for XML, its root)."""
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        ctype = _CONTENT_TYPES[suffix]
    else:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if ctype == "application/xml" and path.name == "index.xml":
        # A WordPress-style /feed/ answers with the feed's own media type.
        head = path.read_bytes()[:512]
        if b"<rss" in head:
            ctype = "application/rss+xml; charset=utf-8"
        elif b"<feed" in head:
            ctype = "application/atom+xml; charset=utf-8"
    return ctype


def _is_text(content_type: str) -> bool:
    return content_type.startswith(_TEXT_TYPES)


class _Page:
    """One thing to serve: raw bytes (before substitution), type and modification time."""

    __slots__ = ("raw", "content_type", "mtime")

    def __init__(self, raw: bytes, content_type: str, mtime: float) -> None:
        self.raw = raw
        self.content_type = content_type
        self.mtime = mtime


class DemoSite:
    """The demo publishers on their `.example` hosts, behind one proxy. Use as a context manager or start()/stop()."""

    def __init__(self, root: Path | None = None, host: str = DEMO_HOST) -> None:
        self.root = Path(root) if root is not None else DEMO_ROOT
        if not self.root.is_dir():
            raise DemoSiteError(
                f"demo site not found at {self.root}: it ships in the source tree (examples/demo-site); "
                "run from a checkout of the repository or pass root="
            )
        self.host = host
        self.publishers: list[str] = sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")) and (p / "robots.txt").is_file()
        )
        if not self.publishers:
            raise DemoSiteError(f"no publishers under {self.root}: expected directories with a robots.txt")
        self.request_log: list[tuple[str, str]] = []
        self._log_lock = threading.Lock()
        self._overrides: dict[tuple[str, str], _Page | None] = {}
        self._overrides_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------

    def start(self, port: int = 0) -> DemoSite:
        """Listen on `host` and `port` (0: a free port)."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, port), _make_handler(self))
        server.daemon_threads = True
        _quiet_errors(server)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-site", daemon=True)
        self._thread.start()
        logger.debug("demo site started: proxy %s for %s", self.proxy_url, ", ".join(self.hostname(p) for p in self.publishers))
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # addresses -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        if self._server is None:
            raise DemoSiteError("the demo site is not started: call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def proxy_url(self) -> str:
        """Where every publisher is served: an HTTP proxy URL."""
        return f"http://{self.host}:{self.port}"

    def hostname(self, publisher: str) -> str:
        self._check_publisher(publisher)
        return f"{publisher}.{DEMO_TLD}"

    def base_url(self, publisher: str) -> str:
        return f"http://{self.hostname(publisher)}"

    def url(self, publisher: str, path: str) -> str:
        return self.base_url(publisher) + path

    def publisher_for(self, host: str) -> str | None:
        """The publisher served at `host` (a port is ignored), or None."""
        name, dot, tld = host.lower().rsplit(":", 1)[0].rstrip(".").rpartition(".")
        return name if dot and tld == DEMO_TLD and name in self.publishers else None

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener that reaches the publishers through the proxy (for tests and scripts)."""
        return urllib.request.build_opener(urllib.request.ProxyHandler({"http": self.proxy_url}))

    def describe(self) -> str:
        """One line: the publishers' addresses and the proxy that serves them."""
        return f"demo site: {', '.join(self.base_url(p) + '/' for p in self.publishers)} through the HTTP proxy {self.proxy_url}"

    def render(self, text: str) -> str:
        """Replace `{{base:X}}`, `{{host:X}}` and `{{proxy}}` placeholders; an unknown publisher raises KeyError."""

        def replace(match: re.Match[str]) -> str:
            kind, publisher, proxy = match.groups()
            if proxy:
                return self.proxy_url
            return self.base_url(publisher) if kind == "base" else self.hostname(publisher)

        return _PLACEHOLDER.sub(replace, text)

    # the sources file and the truth ----------------------------------------------

    def sources_toml(self) -> str:
        return self.render((self.root / "sources.toml").read_text(encoding="utf-8"))

    def write_sources(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(self.sources_toml(), encoding="utf-8")
        return path

    def expected(self) -> dict[str, Any]:
        """expected.json with a `url` key added to every entry (and to each `duplicate_of`)."""
        data: dict[str, Any] = json.loads((self.root / "expected.json").read_text(encoding="utf-8"))
        for key in ("articles", "not_stored", "discovery"):
            for entry in data.get(key, []):
                entry["url"] = self.url(entry["publisher"], entry["path"])
                if entry.get("alias_paths"):
                    entry["alias_urls"] = [self.url(entry["publisher"], p) for p in entry["alias_paths"]]
                original = entry.get("duplicate_of")
                if original:
                    original["url"] = self.url(original["publisher"], original["path"])
        return data

    # overrides -------------------------------------------------------------------

    def set_page(self, publisher: str, path: str, content: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        """Serve `content` at `path` instead of the file (placeholders still substituted in text)."""
        self._check_publisher(publisher)
        raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        key = (publisher, _clean_path(path))
        with self._overrides_lock:
            # Strictly later than what was served before, so If-Modified-Since sees the change
            # even within the same second as the file's own mtime.
            previous = self._lookup(publisher, key[1])
            mtime = max(float(int(time.time())), (int(previous.mtime) + 1) if previous else 0.0)
            self._overrides[key] = _Page(raw, content_type, mtime)

    def remove_page(self, publisher: str, path: str) -> None:
        """Answer 404 at `path` from now on."""
        self._check_publisher(publisher)
        with self._overrides_lock:
            self._overrides[(publisher, _clean_path(path))] = None

    def reset_pages(self) -> None:
        """Drop every override made with set_page or remove_page."""
        with self._overrides_lock:
            self._overrides.clear()

    def requests_for(self, publisher: str, path: str) -> int:
        """How many requests asked for exactly this path (query string included, if given)."""
        with self._log_lock:
            return sum(1 for p, q in self.request_log if p == publisher and q == path)

    def _check_publisher(self, publisher: str) -> None:
        if publisher not in self.publishers:
            raise KeyError(f"unknown demo publisher {publisher!r}; known: {', '.join(self.publishers)}")

    # serving ---------------------------------------------------------------------

    def _log_request(self, publisher: str, raw_path: str) -> None:
        with self._log_lock:
            self.request_log.append((publisher, raw_path))

    def _lookup(self, publisher: str, path: str) -> _Page | None:
        key = (publisher, path)
        if key in self._overrides:
            return self._overrides[key]
        file = self._file_for(publisher, path)
        if file is None:
            return None
        stat = file.stat()
        return _Page(file.read_bytes(), content_type_for(file), stat.st_mtime)

    def _file_for(self, publisher: str, path: str) -> Path | None:
        top = (self.root / publisher).resolve()
        target = (top / path.lstrip("/")).resolve()
        if target != top and top not in target.parents:
            return None  # ../ tricks
        if path.endswith("/"):
            for name in _INDEX_FILES:
                if (target / name).is_file():
                    return target / name
            return None
        return target if target.is_file() else None

    def _is_directory(self, publisher: str, path: str) -> bool:
        top = (self.root / publisher).resolve()
        target = (top / path.lstrip("/")).resolve()
        return (target == top or top in target.parents) and target.is_dir() and any((target / n).is_file() for n in _INDEX_FILES)

    def _body(self, page: _Page) -> bytes:
        if page.content_type == "application/gzip":
            try:
                inner = gzip.decompress(page.raw)
                text = inner.decode("utf-8")
            except (OSError, EOFError, UnicodeDecodeError):
                return page.raw
            return gzip.compress(self.render(text).encode("utf-8"), mtime=int(page.mtime))
        if _is_text(page.content_type):
            try:
                text = page.raw.decode("utf-8")
            except UnicodeDecodeError:
                return page.raw  # garbage served as text on purpose: leave it as it is
            return self.render(text).encode("utf-8")
        return page.raw

    def _respond(self, handler: BaseHTTPRequestHandler, send_body: bool) -> None:
        host, raw_path = _request_target(handler)
        publisher = self.publisher_for(host)
        if publisher is None:
            # A proxy for the demo hosts only: nothing is forwarded anywhere else.
            _send_not_found(handler, send_body, f"{host or 'no host'} is not a demo site host")
            return
        self._log_request(publisher, raw_path)
        path = _clean_path(raw_path)
        with self._overrides_lock:
            page = self._lookup(publisher, path)
        if page is None:
            if not path.endswith("/") and self._is_directory(publisher, path):
                handler.send_response(HTTPStatus.MOVED_PERMANENTLY)
                handler.send_header("Location", self.base_url(publisher) + path + "/")
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            _send_not_found(handler, send_body, "Not Found")
            return
        body = self._body(page)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20]
        last_modified = formatdate(int(page.mtime), usegmt=True)
        if _not_modified(handler, etag, int(page.mtime)):
            handler.send_response(HTTPStatus.NOT_MODIFIED)
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", last_modified)
            handler.end_headers()
            return
        handler.send_response(HTTPStatus.OK)
        handler.send_header("Content-Type", page.content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", last_modified)
        handler.end_headers()
        if send_body:
            handler.wfile.write(body)


def _request_target(handler: BaseHTTPRequestHandler) -> tuple[str, str]:
    """(host, path with query) of a request: absolute-form as sent to a proxy, or origin-form and Host."""
    target = handler.path
    if target.lower().startswith(("http://", "https://")):
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.netloc.rpartition("@")[2], path
    return handler.headers.get("Host", ""), target


def _send_not_found(handler: BaseHTTPRequestHandler, send_body: bool, message: str) -> None:
    body = f"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>{html.escape(message)}</h1></body></html>"
    data = body.encode("utf-8")
    handler.send_response(HTTPStatus.NOT_FOUND)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if send_body:
        handler.wfile.write(data)


def _clean_path(raw_path: str) -> str:
    """The request path without query or fragment, percent-decoded, always starting with '/'."""
    path = unquote(urlsplit(raw_path).path) or "/"
    return path if path.startswith("/") else "/" + path


def _not_modified(handler: BaseHTTPRequestHandler, etag: str, mtime: int) -> bool:
    # RFC 9110 13.1.3: If-None-Match wins over If-Modified-Since.
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since is not None and mtime <= since.timestamp()
    return False


def _make_handler(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newspipe-demo/1.0"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site._respond(self, send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            site._respond(self, send_body=False)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base class)
            logger.debug("demo site: " + format, *args)

    return Handler


def _quiet_errors(server: ThreadingHTTPServer) -> None:
    """Clients that hang up mid-response are normal in crawls; log them at DEBUG, not to stderr."""

    def handle_error(request: Any, client_address: Any) -> None:
        logger.debug("demo site: error serving %s", client_address, exc_info=True)

    server.handle_error = handle_error  # type: ignore[method-assign]


def serve_forever(site: DemoSite) -> None:
    """Serve a started demo site until Ctrl-C, then stop it."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
