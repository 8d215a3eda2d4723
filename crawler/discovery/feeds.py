"""Feeds to article URLs: RSS 0.9x/1.0/2.0 and Atom, parsed with feedparser.

`parse_feed(body, url)` returns the entries as `DiscoveredURL`s (link, title,
publication and update dates in UTC or None) and raises `MalformedFeed` for documents that
are not feeds (HTML, binary, broken XML with nothing recoverable). Reads no
settings; needs no Scrapy.
"""

from __future__ import annotations

import calendar
import io
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from crawler.discovery.entries import DiscoveredURL, MalformedFeed

__all__ = ["parse_feed"]

def _entry_date(entry: Any, keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        # dict.get: FeedParserDict.get maps missing keys to other dates (updated -> published).
        value = dict.get(entry, key)
        if isinstance(value, time.struct_time):
            try:
                # feedparser normalises to UTC in a struct_time; timegm reads it as such.
                return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _entry_link(entry: Any, base_url: str) -> str | None:
    link = entry.get("link")
    if not link:
        # Atom entries may carry only rel="alternate" links, or RSS a permalink guid.
        for candidate in entry.get("links") or ():
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link and entry.get("guidislink") and entry.get("id"):
        link = entry["id"]
    if not link or not isinstance(link, str):
        return None
    link = urljoin(base_url, link.strip())
    if urlsplit(link).scheme not in ("http", "https"):
        return None
    return link


def parse_feed(body: bytes, url: str = "", headers: dict[str, str] | None = None) -> list[DiscoveredURL]:
    """Parse a feed document; `url` resolves relative links and names the feed in errors.

    `headers` (e.g. {"content-type": ...}) help feedparser pick the encoding.
    Raises `MalformedFeed` when the document is not a feed at all; a feed with
    recoverable errors (bozo) but readable entries is accepted.
    """
    if not body or not body.strip():
        raise MalformedFeed(url, "empty document")
    # A file object, never a string: feedparser fetches strings that look like URLs.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={k.lower(): v for k, v in (headers or {}).items()},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    is_atom = str(parsed.get("version") or "").startswith("atom")
    found: list[DiscoveredURL] = []
    for entry in parsed.get("entries") or ():
        link = _entry_link(entry, url)
        if link is None:
            continue
        title = (entry.get("title") or "").strip() or None
        published = _entry_date(entry, ("published_parsed", "created_parsed"))
        updated = _entry_date(entry, ("updated_parsed",))
        if published is None and not is_atom:
            # RSS has no "updated": feedparser files dc:date (RSS 1.0's entry date) there.
            published = updated
        found.append(DiscoveredURL(link, title, published, updated))
    if not found and (parsed.get("bozo") or not parsed.get("version")):
        # Nothing usable and not a clean (empty) feed: HTML, binary, or broken XML.
        problem = parsed.get("bozo_exception")
        detail = f"not a feed ({type(problem).__name__}: {problem})" if problem else "not an RSS or Atom feed"
        raise MalformedFeed(url, detail)
    return found
