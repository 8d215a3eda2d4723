"""Which discovered URLs stay on a source's sites: the off-domain policy, as pure functions.

- Articles (feed and sitemap entries, section-page links, redirect hops of article
  requests) must be on the source's `domains`, subdomains included (`Source.owns`), unless
  the source says `follow_offsite = true` (aggregators, URL shorteners): `on_domains`.
- Discovery documents found while crawling (sitemap-index children, `Sitemap:` lines of a
  robots.txt) and redirect hops of discovery documents may also stay on the site of the
  document that named them (or was first requested): the same registrable domain (public
  suffix list: `pipelines.extraction.domains.same_site`) and the same port, an IP address being a site of its own. So
  `www.example.com`'s index may list `static.example.com/s.xml`, not `example.net/s.xml`:
  `document_allowed`. Feeds, sitemaps and sections listed in the sources file are the
  operator's choice and are never checked here.

Reads no settings; needs no Scrapy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.extraction.domains import same_site

if TYPE_CHECKING:
    from crawler.sources import Source

__all__ = ["document_allowed", "on_domains", "same_site"]


def on_domains(source: Source | None, url: str) -> bool:
    """Whether an article URL may be fetched for `source` (no source: no restriction)."""
    if source is None or source.follow_offsite:
        return True
    try:
        return source.owns(url)
    except ValueError:  # not a URL urlsplit can read: on no one's domains
        return False


def document_allowed(source: Source | None, url: str, parent: str) -> bool:
    """Whether a discovery document named by (or redirected to from) `parent` may be fetched."""
    return on_domains(source, url) or same_site(url, parent)
