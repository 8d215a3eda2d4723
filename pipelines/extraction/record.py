"""The records that `extract_article` returns: an article, or a rejection with its reason.

`ArticleRecord` is the project's one article model (`articles`), re-exported here: extraction
produces it, the crawl's item carries it and storage writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from articles import ArticleRecord, DatePrecision, DateSource

__all__ = ["ArticleRecord", "DatePrecision", "DateSource", "ExtractionResult", "NotAnArticle"]


@dataclass(frozen=True, slots=True)
class NotAnArticle:
    """Why a page gave no article. Falsy, so `if result:` reads naturally."""

    reason: str  # short, stable, usable as a stats key: "not_html", "too_short", "index_page", "error_page"
    detail: str = ""

    def __bool__(self) -> bool:
        return False


ExtractionResult = ArticleRecord | NotAnArticle
