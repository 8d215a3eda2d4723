"""Sitemaps to URLs: urlsets, sitemap indexes, Google News sitemaps, gzip, robots.txt.

`parse_sitemap(body, url, max_size=...)` returns a `SitemapDocument`: its kind
("urlset" or "sitemapindex") and its entries. A urlset entry's `published_at`
is the Google News `news:publication_date`, its `modified_at` the `lastmod`,
its title `news:title`. An index entry's `modified_at` is the child's `lastmod`.
Gzipped bodies are recognised by their magic bytes, whatever the content
type says, and decompressed up to `max_size` bytes (the spider passes
DOWNLOAD_MAXSIZE). Anything else raises `MalformedSitemap`.

`sitemaps_from_robots(body, url)` lists the `Sitemap:` lines of a robots.txt.
Parsing reuses Scrapy's sitemap utilities (plain lxml underneath, no crawler
needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.discovery.entries import DiscoveredURL, MalformedSitemap
from crawler.discovery.window import parse_document_date

__all__ = ["SitemapDocument", "is_gzipped", "parse_sitemap", "sitemaps_from_robots"]

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(slots=True)
class SitemapDocument:
    kind: Literal["urlset", "sitemapindex"]
    entries: list[DiscoveredURL] = field(default_factory=list)


def is_gzipped(body: bytes) -> bool:
    return body[:2] == GZIP_MAGIC


def _parse_news_entries(body: bytes) -> dict[str, tuple[str | None, str | None]]:
    """loc -> (news:publication_date, news:title), read with lxml directly.

    Only called for urlsets that mention the news namespace.
    """
    import lxml.etree

    result: dict[str, tuple[str | None, str | None]] = {}
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return result
    if root is None:
        return result
    for url_el in root.iter("{*}url"):
        loc = url_el.findtext("{*}loc")
        if not loc:
            continue
        date = title = None
        for news in url_el.iter("{*}news"):
            date = date or (news.findtext("{*}publication_date") or "").strip() or None
            title = title or (news.findtext("{*}title") or "").strip() or None
        result[loc.strip()] = (date, title)
    return result


def parse_sitemap(body: bytes, url: str = "", *, max_size: int = 0) -> SitemapDocument:
    """Parse a (possibly gzipped) sitemap or sitemap index; `url` resolves relative locs.

    `max_size` bounds the decompressed size (0: unbounded). Raises `MalformedSitemap`.
    """
    if is_gzipped(body):
        try:
            body = gunzip(body, max_size=max_size)
        except Exception as exc:  # corrupt gzip (OSError/EOFError) or over max_size (_DecompressionMaxSizeExceeded)
            raise MalformedSitemap(url, f"cannot gunzip ({type(exc).__name__}: {exc})") from None
    if not body.strip():
        raise MalformedSitemap(url, "empty document")
    try:
        sitemap = Sitemap(body)
        kind = sitemap.type
        raw_entries = list(sitemap)
    except Exception as exc:  # lxml errors on binary or HTML-ish input, or an empty tree
        raise MalformedSitemap(url, f"not XML ({type(exc).__name__}: {exc})") from None
    if kind not in ("urlset", "sitemapindex"):
        raise MalformedSitemap(url, f"root element is <{kind or '?'}>, not <urlset> or <sitemapindex>")
    news = _parse_news_entries(body) if kind == "urlset" and b"publication_date" in body else {}
    entries: list[DiscoveredURL] = []
    for raw in raw_entries:
        loc = (raw.get("loc") or "").strip()
        if not loc:
            continue
        link = urljoin(url, loc)
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        news_date, news_title = news.get(loc, (None, None))
        entries.append(DiscoveredURL(link, news_title, parse_document_date(news_date), parse_document_date(raw.get("lastmod"))))
    return SitemapDocument(kind, entries)  # type: ignore[arg-type]


def sitemaps_from_robots(body: bytes, url: str = "") -> list[str]:
    """The `Sitemap:` URLs of a robots.txt, resolved against its URL, in order, once each."""
    seen: dict[str, None] = {}
    for link in sitemap_urls_from_robots(body, base_url=url):
        if link and urlsplit(link).scheme in ("http", "https"):
            seen.setdefault(link, None)
    return list(seen)
