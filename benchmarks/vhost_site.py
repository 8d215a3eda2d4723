"""Many small news sites on one loopback port: the stand-in for thousands of sources.

    site = HostsSite.start(hosts=1000, articles=3)   # s0000.bench.test ... on 127.0.0.1, a free port
    sources_toml = site.sources()                    # one source per host, proxied to the site
    site.counts()                                    # requests by kind: robots, feed, sitemap, article
    site.stop()

The site is an HTTP forward proxy for `*.bench.test` (the `.test` TLD never resolves): a request
names its host in its absolute URL (or Host header), as `newspipe demo` does, so a crawl reaches
thousands of hosts, each a download slot of its own, through one socket, and nothing leaves
127.0.0.1. Every host serves /robots.txt (optionally naming /sitemap.xml and disallowing
/private/), /feed.xml (RSS 2.0 listing `articles` pages, and /private/1.html when `private`),
the articles at /a/<n>.html (about 150 distinct words each), /sitemap.xml (one more article,
/s/1.html) and the private page. Every 200 has an ETag; a request whose If-None-Match matches it
gets 304. Each request is logged as (seconds since start, host, path, status). One asyncio loop on
a thread of its own, keep-alive; bodies are made once per host and path.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from benchmarks.loop_server import LoopServer, parse_head

DOMAIN = "bench.test"
_WORDS = (
    "council budget river harbour school transport election court museum weather festival housing "
    "market energy water hospital bridge library council police rail station farm village forest "
    "report minister debate vote tax price wage strike union company plant factory road traffic "
    "storm flood heat summer winter season team match league player coach stadium fans result "
    "study science research data survey health doctor nurse patient clinic city mayor plan park"
).split()


def host_name(n: int) -> str:
    return f"s{n:05d}.{DOMAIN}"


def kind_of(path: str) -> str:
    """The kind of request a path is, for counting: robots, feed, sitemap, article, other."""
    if path == "/robots.txt":
        return "robots"
    if path == "/feed.xml":
        return "feed"
    if path == "/sitemap.xml":
        return "sitemap"
    if path.startswith(("/a/", "/s/", "/private/")):
        return "article"
    return "other"


@dataclass
class HostsSite(LoopServer):
    hosts: int = 10
    articles: int = 3
    sitemap: bool = False
    private: bool = False
    log: list[tuple[float, str, str, int]] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)
    _bodies: dict[tuple[str, str], tuple[bytes, bytes, bytes] | None] = field(default_factory=dict, repr=False)

    REASONS: ClassVar[dict[int, bytes]] = {200: b"OK", 304: b"Not Modified", 404: b"Not Found", 400: b"Bad Request"}

    @classmethod
    def start(cls, **options: object) -> HostsSite:
        return cls(**options)._launch("bench-hosts")  # type: ignore[arg-type]

    @property
    def proxy_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base(self, n: int) -> str:
        return f"http://{host_name(n)}"

    def sources(self, *, delay: float | None = 0.0, robots_sitemaps: bool | None = None) -> str:
        """A sources file: one source per host, its feed, proxied here."""
        robots = self.sitemap if robots_sitemaps is None else robots_sitemaps
        parts = []
        for n in range(self.hosts):
            lines = [
                "[[source]]", f'name = "{host_name(n)}"', f'domains = ["{host_name(n)}"]',
                f'feeds = ["{self.base(n)}/feed.xml"]', f"robots_sitemaps = {'true' if robots else 'false'}",
                f'proxy = "{self.proxy_url}"',
            ]  # fmt: skip
            if delay is not None:
                lines.append(f"delay = {delay}")
            parts.append("\n".join(lines))
        return "\n\n".join(parts) + "\n"

    def reset_log(self) -> None:
        self.log = []
        self.began = time.monotonic()

    def counts(self) -> Counter[str]:
        """Requests by kind (see `kind_of`); 304s also as "<kind>/304"."""
        counts: Counter[str] = Counter()
        for _, _, path, status in list(self.log):
            counts[kind_of(path)] += 1
            if status == 304:
                counts[f"{kind_of(path)}/304"] += 1
        return counts

    # -- pages -------------------------------------------------------------------------------

    def body(self, host: str, path: str) -> tuple[bytes, bytes, bytes] | None:
        """(body, content type, ETag) of a page, None for a 404."""
        key = (host, path)
        if key not in self._bodies:
            self._bodies[key] = self._make(host, path)
        return self._bodies[key]

    def _make(self, host: str, path: str) -> tuple[bytes, bytes, bytes] | None:
        if not host.endswith("." + DOMAIN):
            return None
        base = f"http://{host}"
        if path == "/robots.txt":
            lines = ["User-agent: *", "Disallow: /private/" if self.private else "Allow: /"]
            if self.sitemap:
                lines.append(f"Sitemap: {base}/sitemap.xml")
            return self._page("\n".join(lines) + "\n", b"text/plain; charset=utf-8")
        if path == "/feed.xml":
            links = [f"{base}/a/{k}.html" for k in range(1, self.articles + 1)]
            if self.private:
                links.append(f"{base}/private/1.html")
            items = "".join(
                f"<item><title>Story {i} of {host}</title><link>{link}</link>"
                f"<pubDate>Sat, 05 Dec 2026 10:{i:02d}:00 GMT</pubDate></item>"
                for i, link in enumerate(links)
            )
            rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{host}</title><link>{base}/</link>{items}</channel></rss>'
            return self._page(rss, b"application/rss+xml")
        if path == "/sitemap.xml" and self.sitemap:
            xml = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/s/1.html</loc><lastmod>2026-12-05</lastmod></url></urlset>"
            )
            return self._page(xml, b"application/xml")
        if (path.startswith("/a/") and path[3:-5].isdigit() and 1 <= int(path[3:-5]) <= self.articles) or path in (
            "/s/1.html", "/private/1.html",
        ):  # fmt: skip
            return self._page(_article(host, path), b"text/html; charset=utf-8")
        return None

    @staticmethod
    def _page(text: str, content_type: bytes) -> tuple[bytes, bytes, bytes]:
        body = text.encode()
        return body, content_type, b'"%08x"' % zlib.crc32(body)

    # -- answers -------------------------------------------------------------------------------

    def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        request = parse_head(head)
        if request is None:
            self._write(writer, 400, b"", b"text/plain", b"", False)
            return False
        headers, keep_alive = request.headers, request.keep_alive
        text = request.target.decode("latin-1")
        if text.startswith("http://"):
            host, _, rest = text[7:].partition("/")
            path = "/" + rest
        else:
            host, path = headers.get(b"host", b"").decode("latin-1"), text
        host, path = host.split(":", 1)[0].lower(), path.split("?", 1)[0]
        page = self.body(host, path)
        if page is None:
            status, body, content_type, etag = 404, b"", b"text/plain", b""
        elif headers.get(b"if-none-match") == page[2]:
            status, body, content_type, etag = 304, b"", page[1], page[2]
        else:
            status, (body, content_type, etag) = 200, page
        self.log.append((time.monotonic() - self.began, host, path, status))
        self._write(writer, status, body, content_type, etag, keep_alive)
        return keep_alive

    def _write(self, writer: asyncio.StreamWriter, status: int, body: bytes, content_type: bytes, etag: bytes, keep_alive: bool) -> None:
        extra = b"ETag: %s\r\n" % etag if etag else b""
        writer.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%sConnection: %s\r\n\r\n"
            % (status, self.REASONS[status], content_type, len(body), extra, b"keep-alive" if keep_alive else b"close")
        )
        if body:
            writer.write(body)


def _article(host: str, path: str) -> str:
    rng = random.Random(f"{host}{path}")
    paragraphs = [" ".join(rng.choice(_WORDS) for _ in range(30)).capitalize() + "." for _ in range(5)]
    title = f"{' '.join(rng.choice(_WORDS) for _ in range(6)).capitalize()} ({host}{path})"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2026-12-05T10:00:00+00:00"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )
