"""`Stories.save_batch` gives what `save` one by one gives, in far fewer statements (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, select

from dedup.fingerprint import content_hash
from dedup.index import NearDupIndex
from dedup.signatures import signature_bytes
from pipelines.writer import ArticleWriter
from storage.engine import Database
from storage.models import Article, ArticleUrl, DuplicateLink, Story
from dedup.stories import Stories
from storage.repository import NewArticle, SaveResult
from tests.conftest import POSTGRES_URL, require_postgres
from tests.newarticles import new_article

T0 = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def body(topic: str, n: int = 40) -> str:
    return " ".join(f"Sentence {i} about {topic} says the {topic} committee will spend {i * 7} thousand on {topic}." for i in range(n))


def make(url: str, text: str, *, minutes: int = 0, **kw: Any) -> NewArticle:
    values: dict[str, Any] = dict(
        source=kw.pop("source", "herald"), url=url, canonical_url=kw.pop("canonical_url", url), headline=f"Headline of {url}",
        body=text, content_hash=content_hash(text), fetched_at=T0 + timedelta(minutes=minutes), minhash=signature_bytes(text),
    )  # fmt: skip
    values.update(kw)
    return new_article(**values)  # type: ignore[arg-type]


NEAR = body("harbour")
NEAR_COPY = " ".join(NEAR.split()[:-12]) + " Reporting by the wire desk; editing by staff."

# Batch 1: plain new articles mixed with every kind of collision inside the batch.
FIRST = [
    make("https://a.example/plain-1", body("library")),
    make("https://a.example/harbour", NEAR, published_at=T0),
    make("https://b.example/plain-2", body("railway"), alias_urls=["https://b.example/plain-2?amp=1"]),
    make("https://c.example/harbour-copy", NEAR_COPY),  # near-identical to an earlier item of the batch
    make("https://a.example/plain-1?utm=x", body("library"), canonical_url="https://a.example/plain-1"),  # a URL repeat
    make("https://d.example/same-text", body("railway")),  # the same text as plain-2
    make("https://e.example/wire", body("election"), syndicated_from="https://f.example/original"),  # names a later item
    make("https://f.example/original", body("election") + " Extra closing line.", published_at=T0 - timedelta(hours=1)),
    make("https://g.example/plain-3", body("museum"), source="gazette", source_domains=["g.example"]),
    make("https://h.example/early", body("stadium"), published_at=T0 + timedelta(hours=2)),
    make("https://i.example/earlier-copy", body("stadium"), published_at=T0 - timedelta(hours=2)),  # leads its story
]
# Batch 2, against what batch 1 stored: revisits, copies of stored stories, an original of a stored copy.
SECOND = [
    make("https://j.example/plain-4", body("airport"), minutes=5),
    make("https://a.example/plain-1", body("library") + " Updated.", minutes=10),  # a new version
    make("https://b.example/plain-2?amp=1", body("railway"), minutes=10, canonical_url="https://b.example/plain-2"),  # unchanged
    make("https://k.example/harbour-again", NEAR, minutes=5),  # a stored story's text
    make("https://l.example/cites-plain-3", body("zoo"), minutes=5, syndicated_from="https://g.example/plain-3"),
    make("https://m.example/plain-5", body("bridge"), minutes=5),
    make("https://n.example/near-stored", NEAR_COPY + " One more line.", minutes=5),
    make("https://o.example/copy-first", body("festival"), minutes=5, syndicated_from="https://p.example/festival"),
    make("https://r.example/railway-copy", body("railway"), minutes=5),  # two copies of one stored text
    make("https://s.example/railway-copy-2", body("railway"), minutes=5),
    make("https://t.example/museum-copy", body("museum"), minutes=5),
]
# Batch 3: a copy published before its story's original takes the lead; plain copies around it.
THIRD_COPIES = [
    make("https://u.example/library-copy", body("library") + " Updated.", minutes=12),
    make("https://v.example/stadium-first", body("stadium"), minutes=12, published_at=T0 - timedelta(hours=5)),
    make("https://w.example/stadium-late", body("stadium"), minutes=12, published_at=T0 + timedelta(hours=9)),
    make("https://x.example/plain-7", body("orchard"), minutes=12),
]
THIRD = [
    make("https://p.example/festival", body("festival") + " Original wording.", minutes=9),  # the original of a stored copy
    make("https://q.example/plain-6", body("harvest"), minutes=9),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Database, Database]]:
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'batch.db'}"]
        schemas: list[str] = []
    else:
        require_postgres()
        import psycopg

        schemas = [f"np_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
        dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        urls = [f"{POSTGRES_URL}?options=-csearch_path%3D{schema}" for schema in schemas]
    databases = [Database(url) for url in urls]
    try:
        yield databases[0], databases[1]
    finally:
        for database in databases:
            database.close()
        if schemas:
            with psycopg.connect(dsn, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def store(db: Database, batches: list[list[NewArticle]], *, batched: bool, policy: str = "keep", near: bool = True) -> list[SaveResult]:
    index = NearDupIndex(0.8) if near else None
    results: list[SaveResult] = []
    for batch in batches:
        with db.sessions.begin() as s:
            repo = Stories(s, near_dups=index, duplicate_policy=policy)
            results += repo.save_batch(batch) if batched else [repo.save(item) for item in batch]
    return results


def snapshot(db: Database) -> dict[str, Any]:
    with db.sessions() as s:
        return {
            "articles": s.execute(
                select(Article.id, Article.canonical_url, Article.story_id, Article.version, Article.stored_as, Article.headline,
                       Article.body, Article.source_id, Article.minhash).order_by(Article.id)
            ).all(),  # fmt: skip
            "urls": s.execute(select(ArticleUrl.url, ArticleUrl.article_id, ArticleUrl.kind).order_by(ArticleUrl.url)).all(),
            "links": s.execute(
                select(DuplicateLink.duplicate_id, DuplicateLink.original_id, DuplicateLink.method, DuplicateLink.score)
                .order_by(DuplicateLink.duplicate_id)
            ).all(),
            "stories": s.execute(select(Story.id, Story.original_article_id).order_by(Story.id)).all(),
        }


@pytest.mark.parametrize(("policy", "near"), [("keep", True), ("link", True), ("keep", False)])
def test_a_batch_gives_what_saving_one_by_one_gives(two_databases: tuple[Database, Database], policy: str, near: bool) -> None:
    one_by_one, batched = two_databases
    batches = [FIRST, SECOND, THIRD, THIRD_COPIES]
    expected = store(one_by_one, batches, batched=False, policy=policy, near=near)
    got = store(batched, batches, batched=True, policy=policy, near=near)
    assert got == expected
    assert snapshot(batched) == snapshot(one_by_one)
    # The batch meets every path: new stories, copies by each method, revisits, relinks.
    outcomes = {r.outcome for r in got}
    assert outcomes == {"new", "duplicate", "existing", "updated"}
    methods = {r.method for r in got if r.outcome == "duplicate"}
    assert {"content_hash", "syndication"} <= methods and (("minhash" in methods) == near)
    assert any(r.relinked for r in got)


def test_plainly_new_articles_are_written_in_a_few_statements(db_url: str) -> None:
    database = Database(db_url)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    items = [make(f"https://news.example/{i}", body(f"topic{i}"), alias_urls=[f"https://news.example/{i}?amp"]) for i in range(40)]
    try:
        results = store(database, [items], batched=True)
        assert [r.outcome for r in results] == ["new"] * 40
        assert len(statements) < 20  # one by one, each article takes about ten
        with database.sessions() as s:
            assert [a for a, in s.execute(select(Article.canonical_url).order_by(Article.id))] == [i.canonical_url for i in items]
            assert s.scalar(select(ArticleUrl.kind).where(ArticleUrl.url == "https://news.example/7?amp")) == "fetched"
            for story_id, original in s.execute(select(Story.id, Story.original_article_id)):
                assert s.scalar(select(Article.story_id).where(Article.id == original)) == story_id
        # Copies of stored texts under new URLs: linked to their originals, in bulk too.
        copies = [make(f"https://wire.example/{i}", body(f"topic{i % 10}"), minutes=1) for i in range(40)]
        statements.clear()
        linked = store(database, [copies], batched=True)
        assert [r.outcome for r in linked] == ["duplicate"] * 40
        assert [r.duplicate_of for r in linked] == [results[i % 10].article_id for i in range(40)]
        assert [r.story_id for r in linked] == [results[i % 10].story_id for i in range(40)]
        assert len(statements) < 25
    finally:
        database.close()


def test_the_writer_stores_batches_with_the_same_outcomes_on_a_rerun(db_url: str) -> None:
    database = Database(db_url)
    try:
        writer = ArticleWriter(database.sessions)
        first = writer.write(FIRST, None)
        assert [r.outcome for r in first].count("new") == 8
        again = writer.write(FIRST, None)  # everything stored already: nothing new, nothing doubled
        assert {r.outcome for r in again} == {"existing"}
        assert [r.article_id for r in again] == [r.article_id for r in first]
    finally:
        database.close()
