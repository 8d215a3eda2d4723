"""Discovery: feeds, sitemaps and section pages to article URLs, as pure functions.

Each parser takes a document's bytes (or text) and its URL and returns
`DiscoveredURL`s; documents that cannot be read raise a `DiscoveryError`
subclass, which the spiders count as a skip. Entries that cannot be used are
skipped one at a time and returned as `BadEntry`s with their reason. Nothing here needs a running
crawler, so every parser is testable on fixture files.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.discovery.entries import (
        BadEntry,
        Discovered,
        DiscoveredURL,
        DiscoveryError,
        MalformedFeed,
        MalformedSitemap,
    )
    from crawler.discovery.feeds import parse_feed
    from crawler.discovery.fetchable import entry_url
    from crawler.discovery.links import SectionLinks, looks_like_article, parse_section
    from crawler.discovery.sitemaps import SitemapDocument, parse_sitemap, sitemaps_from_robots
    from crawler.discovery.urls import dedup_key, strip_tracking
    from crawler.discovery.window import Window, WindowError, parse_bound

# Each name's module, imported on first use (PEP 562): the parsers import lxml, feedparser and
# Scrapy, and `newspipe export --since` needs only `crawler.discovery.window`.
_MODULES = {
    "BadEntry": "entries", "Discovered": "entries", "DiscoveredURL": "entries", "DiscoveryError": "entries",
    "MalformedFeed": "entries", "MalformedSitemap": "entries",
    "parse_feed": "feeds",
    "entry_url": "fetchable",
    "SectionLinks": "links", "looks_like_article": "links", "parse_section": "links",
    "SitemapDocument": "sitemaps", "parse_sitemap": "sitemaps", "sitemaps_from_robots": "sitemaps",
    "dedup_key": "urls", "strip_tracking": "urls",
    "Window": "window", "WindowError": "window", "parse_bound": "window",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "BadEntry",
    "Discovered",
    "DiscoveredURL",
    "DiscoveryError",
    "MalformedFeed",
    "MalformedSitemap",
    "SectionLinks",
    "SitemapDocument",
    "Window",
    "WindowError",
    "dedup_key",
    "entry_url",
    "looks_like_article",
    "parse_bound",
    "parse_feed",
    "parse_section",
    "parse_sitemap",
    "sitemaps_from_robots",
    "strip_tracking",
]
