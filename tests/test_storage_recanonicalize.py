"""`newspipe db recanonicalize`: stored keys re-keyed by the current rules, articles that now
share a key merged into the older one, no URL lost (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from newspipe.cli import app
from pipelines.extraction import canonicalize_url
from dedup.fingerprint import content_hash
from storage.engine import Database
from storage.models import Article, ArticleUrl, DuplicateLink, Story
from storage.recanonicalize import MERGE_METHOD, recanonicalize
from dedup.stories import Stories
from storage.repository import ArticleRepository, NewArticle
from tests.newarticles import new_article

FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def make(key: str, url: str, text: str, **kw: object) -> NewArticle:
    body = " ".join(f"{text} sentence {i} with enough words to be a body of its own." for i in range(30))
    return new_article(
        source="herald", url=url, canonical_url=key, headline=f"Headline {text}", body=body,
        content_hash=content_hash(body), fetched_at=FETCHED, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


# Keys as the earlier rules stored them.
STORED = [
    # id 1: lower-case escapes; no other article has the new key -> re-keyed.
    make("https://herald.example/caf%c3%a9-opens", "https://herald.example/caf%c3%a9-opens?utm_source=rss", "cafe"),
    # id 2 and 4: itm_* was not a tracking parameter; 4 is the same page as 2 -> merged into 2.
    make("https://herald.example/news/harbour", "https://herald.example/news/harbour", "harbour"),
    # id 3: a raw non-ASCII key; id 5 stored the escaped spelling -> 3 (older) keeps the key.
    make("https://herald.example/straße", "https://herald.example/stra%C3%9Fe?ref=x", "street"),
    make(
        "https://herald.example/news/harbour?itm_source=home", "https://herald.example/news/harbour?itm_source=home",
        "harbour copy", alias_urls=["https://herald.example/news/harbour?itm_source=home&amp;x=1"],
    ),
    make("https://herald.example/stra%C3%9Fe", "https://www.herald.example/stra%C3%9Fe", "street again"),
    # id 6: a copy naming its source with a tracking parameter the earlier rules kept.
    make("https://other.example/wire", "https://other.example/wire", "wire",
         syndicated_from="https://herald.example/news/harbour?itm_campaign=x"),  # fmt: skip
    # id 7: a key already in the current form.
    make("https://herald.example/ok", "https://herald.example/ok", "ok"),
]


@pytest.fixture
def db(db_url: str):
    database = Database(db_url)
    with database.sessions.begin() as session:
        repository = Stories(session)
        for item in STORED:
            repository.save(item)
    yield database
    database.close()


def url_owners(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {row[0]: row[1] for row in session.execute(select(ArticleUrl.url, ArticleUrl.article_id))}


def keys(database: Database) -> dict[int, str]:
    with database.sessions() as session:
        return {row[0]: row[1] for row in session.execute(select(Article.id, Article.canonical_url))}


def test_rekeys_merges_and_keeps_every_url(db: Database) -> None:
    before = url_owners(db)
    with db.sessions() as session:
        stories_before = session.scalar(select(func.count(Story.id)))
    counts = recanonicalize(db.sessions, canonicalize_url, batch_size=2)  # batches split the merged pairs

    assert (counts.articles, counts.rekeyed, counts.merged, counts.stories_merged, counts.syndication_rekeyed) == (7, 2, 2, 2, 1)
    after = url_owners(db)
    assert set(before) <= set(after)  # no URL lost
    stored_keys = keys(db)
    assert len(stored_keys) == 7  # no article row lost
    assert stored_keys[1] == "https://herald.example/caf%C3%A9-opens"
    assert stored_keys[2] == "https://herald.example/news/harbour"
    assert stored_keys[3] == "https://herald.example/stra%C3%9Fe"  # the older article keeps the key
    assert stored_keys[5] == "https://herald.example/straße"  # ... and the newer one its freed former key
    assert stored_keys[7] == "https://herald.example/ok"
    # Every URL of a merged article leads to the one that kept the key.
    for url, owner in before.items():
        expected = {4: 2, 5: 3}.get(owner, owner)
        assert after[url] == expected, url
    assert after["https://herald.example/caf%C3%A9-opens"] == 1
    assert after["https://herald.example/caf%c3%a9-opens"] == 1  # the former key, now an alias
    with db.sessions() as session:
        kinds = {row[0]: row[1] for row in session.execute(select(ArticleUrl.url, ArticleUrl.kind))}
        links = {tuple(row) for row in session.execute(select(DuplicateLink.duplicate_id, DuplicateLink.original_id, DuplicateLink.method))}
        stories = {row[0]: row[1] for row in session.execute(select(Article.id, Article.story_id))}
        stories_after = session.scalar(select(func.count(Story.id)))
        syndicated = session.scalar(select(Article.syndicated_from).where(Article.id == 6))
    assert kinds["https://herald.example/stra%C3%9Fe"] == "canonical"
    assert kinds["https://herald.example/straße"] == "alias"
    assert {(4, 2, MERGE_METHOD), (5, 3, MERGE_METHOD)} <= links
    assert stories[4] == stories[2] and stories[5] == stories[3]
    assert stories_after == stories_before - 2
    assert syndicated == "https://herald.example/news/harbour"


def test_running_again_changes_nothing(db: Database) -> None:
    recanonicalize(db.sessions, canonicalize_url)
    before_urls, before_keys = url_owners(db), keys(db)
    again = recanonicalize(db.sessions, canonicalize_url)
    assert (again.articles, again.rekeyed, again.merged, again.urls_moved, again.syndication_rekeyed) == (7, 0, 0, 0, 0)
    assert url_owners(db) == before_urls and keys(db) == before_keys


def test_a_rekeyed_url_is_a_revisit_not_a_new_article(db: Database) -> None:
    """After re-keying, the page fetched again under its new key is the stored article."""
    recanonicalize(db.sessions, canonicalize_url)
    again = make("https://herald.example/news/harbour", "https://herald.example/news/harbour?itm_source=home", "harbour")
    with db.sessions.begin() as session:
        result = Stories(session).save(again)
    assert (result.outcome, result.article_id) == ("existing", 2)


def test_cli_prints_the_counts(db: Database, db_url: str) -> None:
    result = CliRunner().invoke(app, ["db", "recanonicalize", "--db", db_url, "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    assert "7 articles checked, 2 re-keyed, 2 merged" in " ".join(result.output.split())


def test_latin1_escapes_are_two_articles(db_url: str) -> None:
    """`?q=%e9` and `?q=%e8` are two pages: under the old key (both `?q=%EF%BF%BD`) the second was
    taken for a revisit of the first and never stored."""
    urls = ["https://archiv.example/artikel?titel=caf%e9", "https://archiv.example/artikel?titel=caf%e8"]
    with Database(db_url) as database, database.sessions.begin() as session:
        repository = Stories(session)
        results = [repository.save(make(canonicalize_url(u), u, f"page {i}")) for i, u in enumerate(urls)]
    assert [r.outcome for r in results] == ["new", "new"]
