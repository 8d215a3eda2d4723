"""What discovery finds: article (or child sitemap) URLs with the hints that came with them.

Shared by the feed, sitemap and section-page parsers, which raise the errors
defined here for documents they cannot read. Entries they cannot use are not
errors of the document: the parsers skip them and report each as a `BadEntry`
(reason and detail), which the spiders count as `newspipe/discovery/bad_entry/<reason>`.
Reads no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

# Control characters (NUL included), DEL and lone surrogates: no title holds them, PostgreSQL refuses NUL.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]+")
_SPACES = re.compile(r"\s+")
MAX_TITLE_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class DiscoveredURL:
    """One URL found in a feed, sitemap or section page.

    `published_at` is the publication date the document gave (feed entry date,
    Google News publication date), `modified_at` its last-modified date
    (feed `updated`, sitemap `lastmod`); both timezone-aware UTC or None.
    `title` is the entry title (or link text) when there is one. Google News sitemaps
    also give `keywords` and `genres` (comma-separated lists, split), the `publication`
    name and its `language` (ISO 639); image sitemaps the `image_captions`. All are
    hints: the extract pipeline uses them only where the page has none.
    """

    url: str
    title: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    keywords: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    publication: str | None = None
    language: str | None = None
    image_captions: tuple[str, ...] = ()

    @property
    def date(self) -> datetime | None:
        """The date the crawl window is checked against: publication first, else last-modified."""
        return self.published_at or self.modified_at


@dataclass(frozen=True, slots=True)
class BadEntry:
    """One entry a parser skipped, or one of its values it dropped, and why.

    Reasons: `invalid_url`, `url_too_long`, `no_url` (the entry is skipped);
    `wrong_type` (a value that is not a string: for the link the entry is
    skipped, a title or date is dropped); `bad_date` (a date that cannot be read
    or is out of range: the entry is kept as undated); `broken_xml` (the
    document is broken, entries after the break may be missing; once per document).
    """

    reason: str
    detail: str


class EntryError(ValueError):
    """Raised by the entry checks; the parsers turn it into a `BadEntry`."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    def bad_entry(self) -> BadEntry:
        return BadEntry(self.reason, self.detail)


def entry_title(value: object) -> str | None:
    """An entry's title as a hint: one line, printable, at most MAX_TITLE_LENGTH characters.

    None for a missing or blank title; raises `EntryError("wrong_type")` for a value that is not a string.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryError("wrong_type", f"title is a {type(value).__name__}, not a string")
    text = _SPACES.sub(" ", _UNPRINTABLE.sub(" ", value[: MAX_TITLE_LENGTH * 4])).strip()
    return text[:MAX_TITLE_LENGTH] or None


@dataclass(slots=True)
class Discovered:
    """What a feed or robots.txt gave: the usable entries, in order, and the skipped ones."""

    entries: list[DiscoveredURL] = field(default_factory=list)
    bad_entries: list[BadEntry] = field(default_factory=list)


class DiscoveryError(ValueError):
    """A discovery document that could not be read; the spider counts it as a skip."""

    reason = "malformed"

    def __init__(self, url: str, message: str):
        super().__init__(f"{url or '<document>'}: {message}")
        self.url = url
        self.message = message


class MalformedFeed(DiscoveryError):
    reason = "malformed_feed"


class MalformedSitemap(DiscoveryError):
    reason = "malformed_sitemap"
