"""Sitemaps to URLs: urlsets, sitemap indexes, Google News sitemaps, gzip, robots.txt.

`parse_sitemap(body, url, max_size=...)` returns a `SitemapDocument`: its kind
("urlset" or "sitemapindex"), its entries and the entries it skipped
(`bad_entries`, see `BadEntry`). A urlset entry's `published_at` is the Google
News `news:publication_date`, its `modified_at` the `lastmod`, its title
`news:title`. An index entry's `modified_at` is the child's `lastmod`.
Gzipped bodies are recognised by their magic bytes, whatever the content
type says, and decompressed up to `max_size` bytes (the spider passes
DOWNLOAD_MAXSIZE). A document that cannot be read at all raises `MalformedSitemap`.

`sitemaps_from_robots(body, url)` lists the `Sitemap:` lines of a robots.txt.
Parsing reuses Scrapy's sitemap utilities (lxml without entity resolution,
network access or huge trees; no crawler needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any, Literal

import lxml.etree
from scrapy.utils.sitemap import Sitemap

from crawler.discovery.compressed import is_gzipped, maybe_gunzip
from crawler.discovery.entries import (
    BadEntry,
    Discovered,
    DiscoveredURL,
    EntryError,
    MalformedSitemap,
    entry_title,
)
from crawler.discovery.fetchable import entry_url
from crawler.discovery.window import parse_document_date

__all__ = ["SitemapDocument", "is_gzipped", "parse_sitemap", "sitemaps_from_robots"]


@dataclass(slots=True)
class SitemapDocument:
    kind: Literal["urlset", "sitemapindex"]
    entries: list[DiscoveredURL] = field(default_factory=list)
    bad_entries: list[BadEntry] = field(default_factory=list)


def _xml_parser() -> lxml.etree.XMLParser:
    # The same guarantees as Scrapy's Sitemap: no entities, no DTD or network fetches, no huge trees.
    return lxml.etree.XMLParser(
        recover=True, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )


def _parse_news_entries(body: bytes) -> dict[str, tuple[object, object]]:
    """loc -> (news:publication_date, news:title), read with lxml directly.

    Only called for urlsets that mention the news namespace.
    """
    result: dict[str, tuple[object, object]] = {}
    try:
        root = lxml.etree.fromstring(body, parser=_xml_parser())
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


def _date(text: object, bad: list[BadEntry], what: str) -> datetime | None:
    """A sitemap date, or None (missing, or unusable and recorded in `bad` as `bad_date`)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        bad.append(BadEntry("wrong_type", f"{what} is a {type(text).__name__}, not a string"))
        return None
    value = parse_document_date(text)
    if value is None:
        bad.append(BadEntry("bad_date", f"{what} {text[:100]!r} is not a usable date"))
    return value


def _entry(raw: dict[str, Any], url: str, news: dict[str, tuple[object, object]], bad: list[BadEntry]) -> DiscoveredURL | None:
    """One `<url>`/`<sitemap>` element as a DiscoveredURL, or None (skipped, recorded in `bad`)."""
    loc = raw.get("loc")
    try:
        link = entry_url(loc, url)
    except EntryError as exc:
        bad.append(exc.bad_entry())
        return None
    news_date, news_title = news.get(loc.strip(), (None, None)) if isinstance(loc, str) else (None, None)
    try:
        title = entry_title(news_title)
    except EntryError as exc:
        bad.append(exc.bad_entry())
        title = None
    published = _date(news_date, bad, "news:publication_date")
    modified = _date(raw.get("lastmod"), bad, "lastmod")
    return DiscoveredURL(link, title, published, modified)


def parse_sitemap(body: bytes, url: str = "", *, max_size: int = 0) -> SitemapDocument:
    """Parse a (possibly gzipped) sitemap or sitemap index; `url` resolves relative locs.

    `max_size` bounds the decompressed size (0: unbounded). Raises `MalformedSitemap`
    for a document with no readable root; entries that cannot be used are skipped
    and listed in `bad_entries`.
    """
    try:
        body = maybe_gunzip(body, max_size=max_size)
    except ValueError as exc:
        raise MalformedSitemap(url, str(exc)) from None
    if not body.strip():
        raise MalformedSitemap(url, "empty document")
    bad: list[BadEntry] = []
    try:
        sitemap = Sitemap(body)
        kind = sitemap.type
    except Exception as exc:  # lxml errors on binary or HTML-ish input, or an empty tree
        raise MalformedSitemap(url, f"not XML ({type(exc).__name__}: {exc})") from None
    if kind not in ("urlset", "sitemapindex"):
        raise MalformedSitemap(url, f"root element is <{kind or '?'}>, not <urlset> or <sitemapindex>")
    raw_entries: list[dict[str, Any]] = []
    try:
        raw_entries.extend(sitemap)
    except lxml.etree.LxmlError as exc:
        if not raw_entries:
            raise MalformedSitemap(url, f"not XML ({type(exc).__name__}: {exc})") from None
        bad.append(BadEntry("broken_xml", f"{type(exc).__name__}: {exc}"))
    broken = [e for e in sitemap.xmliter.error_log if e.level_name == "FATAL"]
    if broken and not bad:
        # lxml recovered what it could; entries after the break are lost, so say so.
        bad.append(BadEntry("broken_xml", f"line {broken[0].line}: {broken[0].message}"))
    news = _parse_news_entries(body) if kind == "urlset" and b"publication_date" in body else {}
    entries = [e for raw in raw_entries if (e := _entry(raw, url, news, bad)) is not None]
    return SitemapDocument(kind, entries, bad)  # type: ignore[arg-type]


def sitemaps_from_robots(body: bytes, url: str = "") -> Discovered:
    """The `Sitemap:` URLs of a robots.txt, resolved against its URL, in order, once each.

    Lines whose URL cannot be fetched are skipped and listed in `bad_entries`.
    """
    result = Discovered()
    seen: set[str] = set()
    for line in BytesIO(body):
        if line.lstrip()[:8].lower() != b"sitemap:":
            continue
        try:
            link = entry_url(line.partition(b":")[2].strip().decode("utf-8"), url)
        except UnicodeDecodeError:
            result.bad_entries.append(BadEntry("invalid_url", "Sitemap: line is not UTF-8"))
            continue
        except EntryError as exc:
            result.bad_entries.append(exc.bad_entry())
            continue
        if link not in seen:
            seen.add(link)
            result.entries.append(DiscoveredURL(link))
    return result
