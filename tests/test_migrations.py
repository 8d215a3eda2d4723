"""Migrations: the latest one goes down and up again on a database holding data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import inspect, select

from storage.engine import Database
from storage.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from storage.models import Article, ArticleVersion
from dedup.stories import Stories
from storage.repository import ArticleRepository, NewArticle
from tests.newarticles import new_article

FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def _article(body: str, fetched_at: datetime) -> NewArticle:
    from dedup.fingerprint import content_hash

    url = "https://herald.example/a"
    return new_article(
        source="herald", url=url, canonical_url=url, headline="Headline", body=body,
        content_hash=content_hash(body), fetched_at=fetched_at,
    )  # fmt: skip


def _version_indexes(db: Database) -> set[str]:
    return {index["name"] for index in inspect(db.engine).get_indexes("article_versions") if index["name"]}


def test_0005_goes_down_and_up_again_keeping_the_revisions(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.sessions.begin() as session:
            repository = Stories(session)
            repository.save(_article("first text", FETCHED))
            assert repository.save(_article("second text", FETCHED + timedelta(hours=1))).outcome == "updated"
        assert current_revision(db.engine) == head_revision()
        assert "ix_article_versions_article_id" not in _version_indexes(db)

        with db.engine.begin() as connection:
            config = alembic_config(db.engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert current_revision(db.engine) == "0004"
        assert "ix_article_versions_article_id" in _version_indexes(db)

        assert upgrade_to_head(db.engine)
        assert current_revision(db.engine) == head_revision()
        assert "ix_article_versions_article_id" not in _version_indexes(db)
        command.check(alembic_config(db.engine))  # models and migrations agree again
        with db.sessions() as session:
            versions = session.scalars(select(ArticleVersion)).all()
            assert [(v.version, v.body) for v in versions] == [(1, "first text")]
    finally:
        db.close()


def test_0006_adds_the_lock_token_of_runs_and_goes_down_again(db_url: str) -> None:
    from storage.models import CrawlRun

    db = Database(db_url)
    try:
        with db.sessions.begin() as session:
            run_id = ArticleRepository(session).start_run("news", {}, lock_token="abc")
        assert "lock_token" in {c["name"] for c in inspect(db.engine).get_columns("crawl_runs")}
        with db.engine.begin() as connection:
            config = alembic_config(db.engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        assert "lock_token" not in {c["name"] for c in inspect(db.engine).get_columns("crawl_runs")}
        assert upgrade_to_head(db.engine)
        command.check(alembic_config(db.engine))
        with db.sessions() as session:
            run = session.get(CrawlRun, run_id)
            assert run is not None and run.status == "running" and run.lock_token is None
    finally:
        db.close()


def test_0007_adds_the_published_precision_and_goes_down_again(db_url: str) -> None:
    from sqlalchemy import text

    from storage.models import Article

    db = Database(db_url)
    try:
        item = _article("dated text", FETCHED)
        item.record.published_at, item.record.published_precision = datetime(2025, 10, 28, tzinfo=timezone.utc), "day"
        with db.sessions.begin() as session:
            article_id = Stories(session).save(item).article_id
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT published_precision FROM v_articles_latest")).one()
            assert row.published_precision == "day"
        with db.engine.begin() as connection:
            config = alembic_config(db.engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        assert "published_precision" not in {c["name"] for c in inspect(db.engine).get_columns("articles")}
        assert upgrade_to_head(db.engine)
        command.check(alembic_config(db.engine))
        with db.sessions() as session:
            article = session.get(Article, article_id)
            assert article is not None and article.published_precision is None  # lost going down
            assert article.published_at is not None
    finally:
        db.close()


def test_0008_adds_the_is_article_confidence_and_goes_down_again(db_url: str) -> None:
    from sqlalchemy import text

    from storage.models import Article

    db = Database(db_url)
    try:
        item = _article("a page kept in doubt", FETCHED)
        item.record.is_article_confidence = 0.4
        with db.sessions.begin() as session:
            article_id = Stories(session).save(item).article_id
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT is_article_confidence FROM v_articles_latest")).one()
            assert row.is_article_confidence == 0.4
        with db.engine.begin() as connection:
            config = alembic_config(db.engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        assert "is_article_confidence" not in {c["name"] for c in inspect(db.engine).get_columns("articles")}
        assert upgrade_to_head(db.engine)
        command.check(alembic_config(db.engine))
        with db.sessions() as session:
            article = session.get(Article, article_id)
            assert article is not None and article.is_article_confidence is None  # lost going down
    finally:
        db.close()


def test_0009_fills_the_band_keys_of_stored_signatures_and_goes_down_again(db_url: str) -> None:
    from dedup.index import NearDupIndex
    from dedup.signatures import signature_bytes
    from storage.models import NearDupBand

    db = Database(db_url)
    body = " ".join(f"word{i} of the council story number {i % 13}" for i in range(120))
    try:
        with db.sessions.begin() as session:
            stories = Stories(session, near_dups=NearDupIndex(0.8))
            for n, text in enumerate([body, body + " and a closing line", "a short unrelated text " * 20]):
                item = _article(text, FETCHED)
                item.record.url = item.record.canonical_url = f"https://herald.example/{n}"
                item.minhash = signature_bytes(text)
                stories.save(item)
        with db.sessions() as session:
            indexed = session.execute(select(NearDupBand.band_key, NearDupBand.article_id, NearDupBand.created_at)).all()
        assert len(indexed) >= 2 * 18  # the two distinct texts hold every key they have; the copy what is left
        with db.engine.begin() as connection:
            config = alembic_config(db.engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
        assert "near_dup_bands" not in inspect(db.engine).get_table_names()
        assert upgrade_to_head(db.engine)  # 0009 again: the keys come back from the stored signatures
        command.check(alembic_config(db.engine))
        with db.sessions() as session:
            again = session.execute(select(NearDupBand.band_key, NearDupBand.article_id)).all()
            created = dict(session.execute(select(Article.id, Article.created_at)).all())
        assert sorted(again) == sorted((k, a) for k, a, _ in indexed)  # the first article with a key holds it
        with db.sessions() as session:
            dates = session.execute(select(NearDupBand.article_id, NearDupBand.created_at)).all()
        assert all(when == created[a] for a, when in dates)  # dated by their articles
    finally:
        db.close()
