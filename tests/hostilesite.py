"""A hostile news site for end-to-end safety tests, served on three loopback addresses.

The publisher lives on 127.0.0.1 (the only network a test crawl allows). Its feed, sitemap,
section page and redirects also point at 127.0.0.2 (a "private" host the source claims as its own
domain, so only the private-network rule can refuse it) and at 127.0.0.3 (another site, refused
as off-domain). Both of those serve a page to anyone who asks and count every connection, so a
test can show that nothing reached them.

What the site throws at a crawl, besides its good articles: feed and sitemap entries with invalid
URLs and impossible dates, a section page with 100,000 article-looking links, pages that fail
twice before answering, redirects to the refused hosts, bodies whose declared charset is wrong in
both directions, JSON-LD dates of `1e999` and `NaN`, a 2 MB author field, and control characters
in a meta description. `expected` lists the good articles (path -> a phrase the body must keep).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_WORDS = (
    "harbour council ferry quay tide budget school bridge market festival river library storm rail "
    "hospital vote mayor farmers fishing museum station winter summer road permit tower garden "
    "lighthouse engineers residents petition timber granite pier ferrymen schedule repairs"
).split()


def _story(seed: int, lead: str) -> str:
    """Six paragraphs of text unlike any other seed's (so no two articles are near-duplicates)."""
    rng = random.Random(seed)
    paragraphs = [lead]
    for _ in range(6):
        words = [rng.choice(_WORDS) for _ in range(40)]
        paragraphs.append(" ".join(words).capitalize() + ".")
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _page(headline: str, body: str, *, head: str = "", published: str = "2025-10-28T09:30:00+01:00") -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{headline}</title>'
        f'<meta property="article:published_time" content="{published}">{head}</head>'
        f"<body><article><h1>{headline}</h1>{body}</article></body></html>"
    )


class _Host:
    """One loopback address with a hit counter; `pages` maps path -> (status, headers, body)."""

    def __init__(self, address: str) -> None:
        self.pages: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.hits: Counter[str] = Counter()
        self.connections = 0
        self._lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                with host._lock:
                    host.connections += 1
                super().setup()

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                with host._lock:
                    host.hits[self.path] += 1
                    replies = host.pages.get(self.path)
                    if replies:
                        reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    else:
                        reply = (404, {"Content-Type": "text/plain"}, b"not found")
                status, headers, body = reply
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer((address, 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://{address}:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body: str | bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, times: int = 1) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages.setdefault(path, []).extend([(status, {"Content-Type": content_type, **(headers or {})}, data)] * times)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class HostileSite:
    """The publisher (127.0.0.1), a private host it links to (127.0.0.2) and another site (127.0.0.3)."""

    SECTION_LINKS = 100_000

    def __init__(self) -> None:
        self.site = _Host("127.0.0.1")
        self.private = _Host("127.0.0.2")
        self.other = _Host("127.0.0.3")
        self.expected: dict[str, str] = {}
        self._build()

    @property
    def base(self) -> str:
        return self.site.base

    def _article(self, path: str, headline: str, lead: str, seed: int, **page: Any) -> str:
        self.site.serve(path, _page(headline, _story(seed, lead), **page))
        self.expected[path] = lead
        return path

    def _build(self) -> None:
        site, base = self.site, self.site.base
        for host in (self.private, self.other):
            host.serve("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
            host.serve("/news/2025/10/28/taken/", _page("Taken", _story(99, "This page must never be fetched.")))
        feed_good = [
            self._article("/news/2025/10/28/quay-vote/", "Quay vote passes", "The council voted to rebuild the quay.", 1),
            self._article("/news/2025/10/28/ferry-timetable/", "Ferry timetable changes", "The winter ferry timetable starts on Monday.", 2),
            self._article(
                "/news/2025/10/28/json-ld-infinity/", "Library opens late", "The library will open late on Thursdays.", 3,
                head='<script type="application/ld+json">{"@type":"NewsArticle","headline":"Library opens late",'
                     '"datePublished":1e999,"dateModified":NaN,"author":{"name":["Ann",{"x":1}]}}</script>',
            ),
            self._article(
                "/news/2025/10/28/huge-author/", "Storm closes the pier", "A storm closed the pier for two days.", 4,
                head=f'<meta name="author" content="{"a" * 1_000_000}@{"b" * 1_000_000}">',
            ),
            self._article(
                "/news/2025/10/28/control-characters/", "Market moves indoors", "The winter market moves into the hall.", 5,
                head='<meta name="description" content="Market\x00 moves\x01 in\x1fdoors\x7f">',
            ),
        ]
        # Fails twice, then answers: retried, stored once.
        site.serve("/news/2025/10/28/flaky-server/", "busy", status=503, content_type="text/plain", times=2)
        feed_good.append(self._article("/news/2025/10/28/flaky-server/", "Bridge reopens", "The old bridge reopened to traffic.", 6))

        # Bodies whose declared charset is wrong, in both directions.
        cafe = "Le café du port rouvre après l’été"
        cp1252 = _page(cafe, _story(7, "Le café « Chez Léa » a rouvert ses portes.")).replace('<meta charset="utf-8">', "")
        site.serve("/news/2025/10/28/cp1252-called-utf8/", cp1252.encode("cp1252"), content_type="text/html; charset=utf-8")
        self.expected["/news/2025/10/28/cp1252-called-utf8/"] = "Le café « Chez Léa » a rouvert ses portes."
        utf8 = _page("Fête du village", _story(8, "La fête du village aura lieu à l’église.")).replace('<meta charset="utf-8">', "")
        site.serve("/news/2025/10/28/utf8-called-cp1252/", utf8.encode("utf-8"), content_type="text/html; charset=windows-1252")
        self.expected["/news/2025/10/28/utf8-called-cp1252/"] = "La fête du village aura lieu à l’église."

        # Redirects off the site: to the private host (on the source's domains) and to another site.
        site.serve("/news/2025/10/28/moved-private/", "", status=302, headers={"Location": f"{self.private.base}/news/2025/10/28/taken/"})
        site.serve("/news/2025/10/28/moved-away/", "", status=302, headers={"Location": f"{self.other.base}/news/2025/10/28/taken/"})

        items = [f"<item><title>{p}</title><link>{base}{p}</link><pubDate>Tue, 28 Oct 2025 09:30:00 +0100</pubDate></item>" for p in feed_good]
        items += [
            "<item><title>broken url</title><link>http://[::1</link></item>",
            f"<item><title>year one</title><link>{base}/news/2025/10/28/year-one/</link><pubDate>0001-01-01T00:00:00+14:00</pubDate></item>",
            f"<item><title>private</title><link>{self.private.base}/news/2025/10/28/taken/</link></item>",
            f"<item><title>elsewhere</title><link>{self.other.base}/news/2025/10/28/taken/</link></item>",
            f"<item><title>moved</title><link>{base}/news/2025/10/28/moved-private/</link></item>",
            f"<item><title>moved away</title><link>{base}/news/2025/10/28/moved-away/</link></item>",
        ]
        site.serve("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile Herald</title>{"".join(items)}</channel></rss>',
                   content_type="application/rss+xml")

        sitemap = [f"<url><loc>{base}{p}</loc><lastmod>2025-10-28</lastmod></url>" for p in
                   ("/news/2025/10/28/cp1252-called-utf8/", "/news/2025/10/28/utf8-called-cp1252/")]
        sitemap += [
            "<url><loc>http://exa mple.com/[bad</loc></url>",
            f"<url><loc>{base}/news/2025/10/28/year-9999/</loc><lastmod>9999-99-99T99:99:99+99:00</lastmod></url>",
            f"<url><loc>{self.private.base}/news/2025/10/28/taken/</loc></url>",
        ]
        site.serve("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f'{"".join(sitemap)}</urlset>', content_type="application/xml")
        site.serve("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", content_type="text/plain")

        # A section page with 100,000 article-looking links (none of them exists) and one real one.
        links = "".join(f'<a href="/news/2025/10/27/harbour-{i}/">{i}</a>' for i in range(self.SECTION_LINKS))
        section_only = self._article("/news/2025/10/28/section-only/", "Rail line reopens", "The coastal rail line reopened on Sunday.", 9)
        site.serve("/local/", f'<html><body><h1>Local</h1><ul><li><a href="{section_only}">Rail line reopens</a></li>{links}</ul></body></html>')

    def sources(self, *, max_links_per_page: int = 50) -> str:
        """The sources file: the publisher claims both 127.0.0.1 and the private 127.0.0.2 as its domains."""
        return (
            '[[source]]\nname = "hostile-herald"\ndomains = ["127.0.0.1", "127.0.0.2"]\n'
            f'feeds = ["{self.base}/feed.xml"]\nsections = ["{self.base}/local/"]\n'
            f"max_links_per_page = {max_links_per_page}\ndelay = 0\nconcurrency = 8\n"
        )

    def stop(self) -> None:
        for host in (self.site, self.private, self.other):
            host.stop()
