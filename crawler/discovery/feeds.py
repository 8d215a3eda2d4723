"""Feeds to article URLs: RSS 0.9x/1.0/2.0 and Atom, parsed with feedparser.

`parse_feed(body, url)` returns a `Discovered`: the entries as `DiscoveredURL`s
(link, title, publication and update dates in UTC or None) and the entries it
skipped or whose dates it dropped (`bad_entries`, see `BadEntry`). It raises
`MalformedFeed` for documents that are not feeds (HTML, binary, broken XML
with nothing recoverable). Gzipped bodies are decompressed up to `max_size`
bytes. Reads no settings; needs no Scrapy crawler.
"""

from __future__ import annotations

import calendar
import io
import re
import time
from datetime import datetime, timezone
from typing import Any

import feedparser

from crawler.discovery.compressed import as_bytes, maybe_gunzip
from crawler.discovery.entries import BadEntry, Discovered, DiscoveredURL, EntryError, MalformedFeed, entry_title
from crawler.discovery.fetchable import entry_url
from crawler.discovery.window import parse_document_date, plausible_date

__all__ = ["parse_feed"]

# An ISO 8601 date (or a 5-digit year): read with the standard library, whose
# range checks are strict, rather than taken from feedparser (which reads 10000-01-01 as 2010-12-01).
_ISO_LIKE = re.compile(r"^\s*[+-]?\d{4,}-\d")  # anchored: linear under search() too
# feedparser's bozo exceptions that lose nothing: a charset label or content type that was off.
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _struct_time_date(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        # feedparser normalises to UTC in a struct_time; timegm reads it as such.
        return plausible_date(datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc))
    except (OverflowError, ValueError, OSError):
        return None


def _entry_date(entry: Any, keys: tuple[str, ...]) -> datetime | None:
    """The first usable date under `keys` (e.g. "published"); raises `EntryError` if the
    entry has one of them but none is usable."""
    problem: EntryError | None = None
    for key in keys:
        # dict.get: FeedParserDict.get maps missing keys to other dates (updated -> published).
        raw, parsed = dict.get(entry, key), dict.get(entry, f"{key}_parsed")
        if raw is None and parsed is None:
            continue
        if raw is not None and not isinstance(raw, str):
            problem = problem or EntryError("wrong_type", f"{key} is a {type(raw).__name__}, not a string")
            continue
        if raw is not None and _ISO_LIKE.match(raw):
            value = parse_document_date(raw)
        else:
            value = _struct_time_date(parsed)
        if value is not None:
            return value
        problem = problem or EntryError("bad_date", f"{key} {str(raw)[:100]!r} is not a usable date")
    if problem is not None:
        raise problem
    return None


def _entry_link(entry: Any) -> Any:
    """The entry's link as given (not checked): link, else an alternate link, else a permalink guid."""
    link = entry.get("link")
    if not link:
        # Atom entries may carry only rel="alternate" links, or RSS a permalink guid.
        for candidate in entry.get("links") or ():
            if isinstance(candidate, dict) and candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link and entry.get("guidislink") and entry.get("id"):
        link = entry["id"]
    return link


def _read_entry(entry: Any, url: str, is_atom: bool, bad: list[BadEntry]) -> DiscoveredURL | None:
    """One feed entry as a DiscoveredURL, or None (skipped, recorded in `bad`)."""
    if not isinstance(entry, dict):
        bad.append(BadEntry("wrong_type", f"entry is a {type(entry).__name__}"))
        return None
    try:
        link = entry_url(_entry_link(entry), url)
    except EntryError as exc:
        bad.append(exc.bad_entry())
        return None
    values: dict[str, Any] = {}
    for name, read in (
        ("title", lambda: entry_title(entry.get("title"))),
        ("published", lambda: _entry_date(entry, ("published", "created"))),
        ("updated", lambda: _entry_date(entry, ("updated",))),
    ):
        try:
            values[name] = read()
        except EntryError as exc:
            bad.append(exc.bad_entry())
            values[name] = None
    published, updated = values["published"], values["updated"]
    if published is None and not is_atom:
        # RSS has no "updated": feedparser files dc:date (RSS 1.0's entry date) there.
        published = updated
    return DiscoveredURL(link, values["title"], published, updated)


def parse_feed(
    body: bytes | str, url: str = "", headers: dict[str, str] | None = None, *, max_size: int = 0
) -> Discovered:
    """Parse a feed document (`bytes`, or `str`: already decoded, whatever its XML declaration
    says); `url` resolves relative links and names the feed in errors.

    `headers` (e.g. {"content-type": ...}) help feedparser pick the encoding;
    `max_size` bounds a gzipped body's decompressed size (0: unbounded).
    Raises `MalformedFeed` when the document is not a feed at all; a feed with
    recoverable errors (bozo) but readable entries is accepted, the break noted
    as a `broken_xml` bad entry.
    """
    if isinstance(body, str):
        # The header's charset wins over the XML declaration (RFC 3023): the text is UTF-8 now.
        headers = {**(headers or {}), "content-type": "application/xml; charset=utf-8"}
    try:
        body = maybe_gunzip(as_bytes(body), max_size=max_size)
    except ValueError as exc:
        raise MalformedFeed(url, str(exc)) from None
    if not body or not body.strip():
        raise MalformedFeed(url, "empty document")
    try:
        # A file object, never a string: feedparser fetches strings that look like URLs.
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers={k.lower(): v for k, v in (headers or {}).items()},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (ValueError, LookupError) as exc:
        # feedparser's charset detection trips over a declared encoding name with NUL or non-ASCII bytes.
        raise MalformedFeed(url, f"unreadable encoding ({type(exc).__name__}: {exc})") from None
    is_atom = str(parsed.get("version") or "").startswith("atom")
    result = Discovered()
    for entry in parsed.get("entries") or ():
        found = _read_entry(entry, url, is_atom, result.bad_entries)
        if found is not None:
            result.entries.append(found)
    problem = parsed.get("bozo_exception")
    if not result.entries and (parsed.get("bozo") or not parsed.get("version")):
        # Nothing usable and not a clean (empty) feed: HTML, binary, or broken XML; one error for the document.
        detail = f"not a feed ({type(problem).__name__}: {problem})" if problem else "not an RSS or Atom feed"
        raise MalformedFeed(url, detail)
    if problem is not None and not isinstance(problem, _HARMLESS_BOZO):
        result.bad_entries.append(BadEntry("broken_xml", f"{type(problem).__name__}: {str(problem)[:200]}"))
    return result
