"""Sitemaps to URLs: urlsets, sitemap indexes, Google News sitemaps, gzip, robots.txt.

`parse_sitemap(body, url, max_size=...)` (body: `bytes`, or `str` read as UTF-8)
returns a `SitemapDocument`: its kind ("urlset" or "sitemapindex"), its form
("xml"; "text" for a plain-text sitemap, one absolute URL per line, UTF-8;
"feed" for an RSS or Atom document listed as a sitemap, read with `parse_feed`),
its entries and the entries it skipped (`bad_entries`, see `BadEntry`). A urlset entry's `published_at` is the Google
News `news:publication_date`, its `modified_at` the `lastmod`, its title
`news:title`, its keywords, genres, publication name and language the other
`news:` values, its image captions the image sitemap's `image:caption`s. An index entry's `modified_at` is the child's `lastmod`.
Gzipped bodies are recognised by their magic bytes, whatever the content
type says, and decompressed up to `max_size` bytes (the spider passes
DOWNLOAD_MAXSIZE). A document that cannot be read at all raises `MalformedSitemap`.

`sitemaps_from_robots(body, url)` (`bytes` or `str`) lists the `Sitemap:` lines of a robots.txt:
any case, `Site-map:` and `sitemap :` spellings, a leading byte-order mark, inline
`# comments`, surrounding whitespace, URLs relative to the robots.txt.
Parsing reuses Scrapy's sitemap utilities (lxml without entity resolution,
network access or huge trees; no crawler needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import re
from typing import Any, Literal

import lxml.etree
from scrapy.utils.sitemap import Sitemap

from crawler.discovery.compressed import as_bytes, is_gzipped, maybe_gunzip
from crawler.discovery.entries import (
    BadEntry,
    Discovered,
    DiscoveredURL,
    EntryError,
    MalformedFeed,
    MalformedSitemap,
    entry_title,
)
from crawler.discovery.feeds import parse_feed
from crawler.discovery.fetchable import entry_url
from crawler.discovery.window import parse_document_date

__all__ = ["SitemapDocument", "is_gzipped", "parse_sitemap", "sitemaps_from_robots"]


# Root elements of the feed formats parse_feed reads (RSS 0.9x/2.0, RSS 1.0's rdf:RDF, Atom).
_FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
_BOM = "\ufeff".encode()
# A robots.txt sitemap line: "Sitemap:", any case, also "Site-map:" and "sitemap :".
_ROBOTS_SITEMAP = re.compile(r"^\s*site-?map\s*:(.*)$", re.IGNORECASE)


@dataclass(slots=True)
class SitemapDocument:
    kind: Literal["urlset", "sitemapindex"]
    entries: list[DiscoveredURL] = field(default_factory=list)
    bad_entries: list[BadEntry] = field(default_factory=list)
    form: Literal["xml", "text", "feed"] = "xml"


def _text_sitemap(body: bytes, url: str) -> SitemapDocument:
    """A plain-text sitemap: one absolute http(s) URL per line (blank lines ignored).

    Raises `MalformedSitemap` when no line is a URL (an HTML page, a binary file).
    """
    text = body.removeprefix(_BOM).decode("utf-8", "replace")
    bad: list[BadEntry] = []
    entries: list[DiscoveredURL] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.lower().startswith(("http://", "https://")):
            bad.append(BadEntry("invalid_url", f"text sitemap line {line[:200]!r} is not an absolute http(s) URL"))
            continue
        try:
            entries.append(DiscoveredURL(entry_url(line)))
        except EntryError as exc:
            bad.append(exc.bad_entry())
    if not entries:
        raise MalformedSitemap(url, "neither XML nor a text sitemap (no line is a URL)")
    return SitemapDocument("urlset", entries, bad, "text")


def _feed_as_sitemap(body: bytes, url: str, max_size: int) -> SitemapDocument:
    try:
        feed = parse_feed(body, url, max_size=max_size)
    except MalformedFeed as exc:
        raise MalformedSitemap(url, f"an RSS/Atom document that cannot be read: {exc.message}") from None
    return SitemapDocument("urlset", feed.entries, feed.bad_entries, "feed")


def _xml_parser() -> lxml.etree.XMLParser:
    # The same guarantees as Scrapy's Sitemap: no entities, no DTD or network fetches, no huge trees.
    return lxml.etree.XMLParser(
        recover=True, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )


@dataclass(slots=True)
class _Extras:
    """What a Google News or image sitemap says about one `<url>` besides its loc and lastmod."""

    date: str | None = None
    title: str | None = None
    keywords: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    publication: str | None = None
    language: str | None = None
    image_captions: tuple[str, ...] = ()


# Namespaces (or, in sitemaps that forgot to declare them, element names) of the extensions read here.
_EXTENSION_MARKERS = (b"sitemap-news", b"sitemap-image", b"publication_date", b"image:caption")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)?")
MAX_HINTS = 50  # keywords, genres or captions kept per entry


def _text(element: Any, path: str) -> str | None:
    return entry_title(element.findtext(path)) if element is not None else None


def _split_list(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for part in (text or "").split(",") if (t := part.strip())))[:MAX_HINTS]


def _parse_extensions(body: bytes) -> dict[str, _Extras]:
    """loc -> its Google News (`news:*`) and image (`image:caption`) values, read with lxml directly.

    Only called for urlsets that mention one of those extensions.
    """
    result: dict[str, _Extras] = {}
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
        extras = _Extras()
        news = url_el.find("{*}news")
        if news is not None:
            extras.date = (news.findtext("{*}publication_date") or "").strip() or None
            extras.title = (news.findtext("{*}title") or "").strip() or None
            extras.keywords = _split_list(_text(news, "{*}keywords"))
            extras.genres = _split_list(_text(news, "{*}genres"))
            publication = news.find("{*}publication")
            extras.publication = _text(publication, "{*}name")
            language = _text(publication, "{*}language")
            extras.language = language.lower() if language and _LANGUAGE.fullmatch(language) else None
        captions = (entry_title(c.text) for c in url_el.iter("{*}caption"))
        extras.image_captions = tuple(c for c in captions if c)[:MAX_HINTS]
        result[loc.strip()] = extras
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


def _entry(raw: dict[str, Any], url: str, extensions: dict[str, _Extras], bad: list[BadEntry]) -> DiscoveredURL | None:
    """One `<url>`/`<sitemap>` element as a DiscoveredURL, or None (skipped, recorded in `bad`)."""
    loc = raw.get("loc")
    try:
        link = entry_url(loc, url)
    except EntryError as exc:
        bad.append(exc.bad_entry())
        return None
    extras = extensions.get(loc.strip(), _Extras()) if isinstance(loc, str) else _Extras()
    try:
        title = entry_title(extras.title)
    except EntryError as exc:
        bad.append(exc.bad_entry())
        title = None
    published = _date(extras.date, bad, "news:publication_date")
    modified = _date(raw.get("lastmod"), bad, "lastmod")
    return DiscoveredURL(
        link,
        title,
        published,
        modified,
        keywords=extras.keywords,
        genres=extras.genres,
        publication=extras.publication,
        language=extras.language,
        image_captions=extras.image_captions,
    )


def parse_sitemap(body: bytes | str, url: str = "", *, max_size: int = 0) -> SitemapDocument:
    """Parse a (possibly gzipped) sitemap or sitemap index; `url` resolves relative locs.

    XML urlsets and indexes, plain-text sitemaps and RSS/Atom feeds are all read.

    `max_size` bounds the decompressed size (0: unbounded). Raises `MalformedSitemap`
    for a document with no readable root; entries that cannot be used are skipped
    and listed in `bad_entries`.
    """
    try:
        body = maybe_gunzip(as_bytes(body), max_size=max_size)
    except ValueError as exc:
        raise MalformedSitemap(url, str(exc)) from None
    if not body.strip():
        raise MalformedSitemap(url, "empty document")
    if not body.removeprefix(_BOM).lstrip().startswith(b"<"):
        return _text_sitemap(body, url)
    bad: list[BadEntry] = []
    try:
        sitemap = Sitemap(body)
        kind = sitemap.type
    except Exception as exc:  # lxml errors on binary or HTML-ish input, or an empty tree
        raise MalformedSitemap(url, f"not XML ({type(exc).__name__}: {exc})") from None
    if kind in _FEED_ROOTS:
        return _feed_as_sitemap(body, url, max_size)
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
    extended = kind == "urlset" and any(marker in body for marker in _EXTENSION_MARKERS)
    extensions = _parse_extensions(body) if extended else {}
    entries = [e for raw in raw_entries if (e := _entry(raw, url, extensions, bad)) is not None]
    return SitemapDocument(kind, entries, bad)  # type: ignore[arg-type]


def sitemaps_from_robots(body: bytes | str, url: str = "") -> Discovered:
    """The `Sitemap:` URLs of a robots.txt, resolved against its URL, in order, once each.

    Lines whose URL cannot be fetched are skipped and listed in `bad_entries`.
    """
    result = Discovered()
    seen: set[str] = set()
    for raw in as_bytes(body).removeprefix(_BOM).splitlines():
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if _ROBOTS_SITEMAP.match(raw.decode("latin-1")):
                result.bad_entries.append(BadEntry("invalid_url", "Sitemap: line is not UTF-8"))
            continue
        match = _ROBOTS_SITEMAP.match(line)
        if match is None:
            continue
        try:
            link = entry_url(match.group(1).partition("#")[0].strip(), url)
        except EntryError as exc:
            result.bad_entries.append(exc.bad_entry())
            continue
        if link not in seen:
            seen.add(link)
            result.entries.append(DiscoveredURL(link))
    return result
