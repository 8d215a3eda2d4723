"""The records that `extract_article` returns: an article, or a rejection with its reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

DatePrecision = Literal["second", "minute", "day", "month", "year"]
DateSource = Literal["json-ld", "meta", "microdata", "time-element", "url", "text", "script", "page", "hint", "override"]


@dataclass(slots=True)
class ArticleRecord:
    """One extracted article. Dates are timezone-aware and keep the page's own UTC offset."""

    url: str
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
        for key in ("published_at", "modified_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


@dataclass(frozen=True, slots=True)
class NotAnArticle:
    """Why a page gave no article. Falsy, so `if result:` reads naturally."""

    reason: str  # short, stable, usable as a stats key: "not_html", "too_short", "index_page", "error_page"
    detail: str = ""

    def __bool__(self) -> bool:
        return False


ExtractionResult = ArticleRecord | NotAnArticle
