"""What discovery finds: article (or child sitemap) URLs with the hints that came with them.

Shared by the feed, sitemap and section-page parsers, which raise the errors
defined here for documents they cannot read. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DiscoveredURL:
    """One URL found in a feed, sitemap or section page.

    `published_at` is the publication date the document gave (feed entry date,
    Google News publication date), `modified_at` its last-modified date
    (feed `updated`, sitemap `lastmod`); both timezone-aware UTC or None.
    `title` is the entry title (or link text) when there is one.
    """

    url: str
    title: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None

    @property
    def date(self) -> datetime | None:
        """The date the crawl window is checked against: publication first, else last-modified."""
        return self.published_at or self.modified_at


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
