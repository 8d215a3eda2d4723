"""The one article model: `ArticleRecord`, what extraction produces, the crawl's item carries and
storage writes.

Extraction (`pipelines.extraction`) returns it, the Scrapy item (`crawler.items.Article`) carries
it as `record`, the item pipelines settle it (`pipelines.dedup` writes the canonical URL and the
syndication evidence into it) and storage (`storage.repository.NewArticle`) writes it, with what
only storage needs (the source, the content hash, the MinHash signature, ...) kept next to it, not
copied out of it. A field added here reaches the `articles` table or is named in
`storage.repository.RECORD_FIELDS_NOT_STORED` (tests/test_article_model.py checks it).

The lowest layer, below `storage` and `pipelines.extraction`: plain data, imports nothing of the
project and no other distribution, reads no settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

DatePrecision = Literal["second", "minute", "day", "month", "year"]
DateSource = Literal["json-ld", "meta", "microdata", "time-element", "url", "text", "script", "page", "hint", "override"]
_DATETIME_FIELDS = ("published_at", "modified_at")

__all__ = ["ArticleRecord", "DatePrecision", "DateSource"]


@dataclass(slots=True)
class ArticleRecord:
    """One extracted article. Dates are timezone-aware and keep the page's own UTC offset."""

    url: str  # where the page was read (after redirects)
    # The page's own canonical URL as extraction found it; `pipelines.dedup` settles it (a
    # canonical on another site becomes `syndicated_from`, the page's own URL takes its place).
    canonical_url: str
    headline: str
    body: str  # plain text, one paragraph per line
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: DateSource | None = None
    # What the page wrote: "second", "minute", "day" (a date only: its day is the page's own day,
    # the time 00:00 and offset UTC are placeholders), "month" or "year".
    published_precision: DatePrecision | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    language: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    word_count: int = 0
    # Where the page says it was copied from ("Source link", "Originally published at",
    # a cross-domain rel=canonical); evidence for story clustering.
    syndicated_from: str | None = None
    # How sure the filter is that this is an article: 1.0 when every check passed; below 1 when
    # the page failed the length or link-list check but was kept for its article evidence
    # (a dated URL or metadata date, an article slug; see `classify.doubtful_confidence`).
    is_article_confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings with their offset."""
        data = asdict(self)
        for key in _DATETIME_FIELDS:
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        """The record `to_dict` gave (keys it does not know are left out: a file written by a newer version)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in _DATETIME_FIELDS:
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)
