"""`new_article`: a `NewArticle` for tests from flat keywords, the way tests think of an article.

The record's fields (`articles.ArticleRecord`) go into its record, the rest into the storage fields
beside it; `url` is the record's (a test wanting a redirect passes `requested_url` too).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from articles import ArticleRecord
from storage.repository import NewArticle

RECORD_FIELDS = frozenset(f.name for f in fields(ArticleRecord))


def new_article(**values: Any) -> NewArticle:
    record = ArticleRecord(**{k: v for k, v in values.items() if k in RECORD_FIELDS})
    return NewArticle(record=record, **{k: v for k, v in values.items() if k not in RECORD_FIELDS})
