"""The `Article` item that flows from the spiders through the item pipelines.

Spiders fill in only what they fetched (the page and what discovery knew about it);
the pipelines fill in the rest, one stage each: the article itself is `record`, the project's one
article model (`articles.ArticleRecord`), which extraction produces and storage writes as it is
(`pipelines.store`); the canonical URL is settled in the record (`pipelines.dedup`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from articles import ArticleRecord


@dataclass(slots=True)
class Article:
    # Filled by the spider.
    url: str  # the URL as discovered and requested
    response_url: str  # after redirects
    source: str  # name of the source in the registry
    status: int
    content_type: str
    html: str | None = field(repr=False)  # decoded page text; None when the response was not text
    fetched_at: datetime
    discovered_via: str  # "feed", "sitemap", "section", "url", "warc"
    hint_title: str | None = None  # from the feed entry or news sitemap
    hint_published_at: datetime | None = None
    language_hint: str | None = None
    hint_tags: list[str] = field(default_factory=list)  # news sitemap keywords: tags when the page has none
    # Where an archived capture came from (`newspipe backfill --warc`): file and record offset.
    archive_file: str | None = None
    archive_offset: int | None = None
    # Filled by the pipelines.
    record: ArticleRecord | None = None  # the one article model: extraction fills it, storage writes it
    alias_urls: list[str] = field(default_factory=list)
    content_hash: str | None = None
