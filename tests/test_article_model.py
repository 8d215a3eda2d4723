"""The article is modelled once: extraction's record is what the item carries and storage writes.

Every field of `articles.ArticleRecord` reaches the articles table (a column of the same name
holding its value), through both ways of inserting (one by one and in bulk), or is named in
`storage.repository.RECORD_FIELDS_NOT_STORED` with its reason: a field added to the record and
forgotten by storage fails here. And the store pipeline hands the extracted record through as it
is, no field copied.
"""

from __future__ import annotations

import types
import typing
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from articles import ArticleRecord
from dedup.fingerprint import content_hash
from dedup.stories import Stories
from pipelines.extraction import ArticleRecord as ExtractionRecord
from storage.engine import Database
from storage.models import Article
from storage.repository import RECORD_FIELDS_NOT_STORED, NewArticle

FETCHED = datetime(2025, 11, 3, 10, 0, tzinfo=timezone.utc)


def _value(name: str, kind: Any, n: int) -> Any:
    """A value of the field's type, unlike its default and unlike any other field's."""
    options = [a for a in typing.get_args(kind) if a is not type(None)] if typing.get_origin(kind) in (typing.Union, types.UnionType) else [kind]
    kind = options[0]
    if typing.get_origin(kind) is typing.Literal:
        return typing.get_args(kind)[1]
    if kind is str:
        return f"https://model{n}.example/{name}" if name.endswith("url") or name == "syndicated_from" else f"{name} {n}"
    if kind is datetime:
        return datetime(2025, 10, 1 + n, 9, 30 + len(name), tzinfo=timezone(timedelta(hours=2)))
    if typing.get_origin(kind) is list:
        return [f"{name} {n} one", f"{name} {n} two"]
    if kind is bool:
        return n % 2 == 1
    if kind is int:
        return 400 + n
    if kind is float:
        return 0.5 + n / 100
    raise AssertionError(f"no test value for {name}: {kind!r}; teach _value the new type")


def record(n: int) -> ArticleRecord:
    hints = typing.get_type_hints(ArticleRecord)
    return ArticleRecord(**{f.name: _value(f.name, hints[f.name], n) for f in fields(ArticleRecord)})


def _same(stored: Any, given: Any) -> bool:
    if isinstance(given, datetime) and isinstance(stored, datetime):
        return stored.replace(tzinfo=stored.tzinfo or timezone.utc) == given
    return bool(stored == given)


@pytest.mark.parametrize("batch", [False, True], ids=["one-by-one", "bulk"])
def test_every_record_field_reaches_the_articles_table(tmp_path: Path, batch: bool) -> None:
    records = [record(1), record(2)]
    items = [NewArticle(record=r, source="herald", content_hash=content_hash(r.body), fetched_at=FETCHED) for r in records]
    with Database(f"sqlite:///{tmp_path / 'n.db'}") as database:
        with database.sessions.begin() as session:
            stories = Stories(session)
            results = stories.save_batch(items) if batch else [stories.save(item) for item in items]
        assert [r.outcome for r in results] == ["new", "new"]
        with database.sessions() as session:
            rows = list(session.scalars(select(Article).order_by(Article.id)))
    columns = set(Article.__table__.columns.keys())
    for given, row in zip(records, rows):
        for f in fields(ArticleRecord):
            if f.name in RECORD_FIELDS_NOT_STORED:
                continue
            assert f.name in columns, f"ArticleRecord.{f.name} has no column: store it or name it in RECORD_FIELDS_NOT_STORED"
            value = getattr(given, f.name)
            assert _same(getattr(row, f.name), value), f"ArticleRecord.{f.name} is not stored: {getattr(row, f.name)!r} != {value!r}"
    assert rows[0].published_at_local() == records[0].published_at  # the page's own offset too


def test_fields_named_as_not_stored_are_record_fields_with_a_reason() -> None:
    names = {f.name for f in fields(ArticleRecord)}
    assert set(RECORD_FIELDS_NOT_STORED) <= names
    assert all(reason.strip() for reason in RECORD_FIELDS_NOT_STORED.values())


def test_the_check_notices_a_field_storage_forgets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a forgotten field looks like to the test above: storage writing the record without it.
    from storage.repository import ArticleRepository

    original = ArticleRepository._article_values

    def forgetting(self: ArticleRepository, item: NewArticle, run_id: int | None, created_at: datetime) -> dict[str, Any]:
        return {**original(self, item, run_id, created_at), "section": None}

    monkeypatch.setattr(ArticleRepository, "_article_values", forgetting)
    with pytest.raises(AssertionError, match=r"ArticleRecord\.section is not stored"):
        test_every_record_field_reaches_the_articles_table(tmp_path, batch=False)


def test_extraction_returns_the_one_model() -> None:
    assert ExtractionRecord is ArticleRecord


def test_the_store_pipeline_hands_the_record_through_as_it_is() -> None:
    from crawler.items import Article as Item
    from pipelines.store import to_new_article

    given = record(1)
    item = Item(url="https://model.example/requested", response_url=given.url, source="herald", status=200,
                content_type="text/html", html="<html></html>", fetched_at=FETCHED, discovered_via="feed",
                record=given, alias_urls=[given.url], content_hash=content_hash(given.body))  # fmt: skip
    stored = to_new_article(item)
    assert stored.record is given
    assert (stored.url, stored.canonical_url) == ("https://model.example/requested", given.canonical_url)
    # Nothing of the record is kept twice: the storage fields are only what the record has not.
    assert not {f.name for f in fields(NewArticle)} & {f.name for f in fields(ArticleRecord)}
