"""Migrations: the latest one goes down and up again on a database holding data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import inspect, select

from storage.engine import Database
from storage.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from storage.models import ArticleVersion
from dedup.stories import Stories
from storage.repository import NewArticle

FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def _article(body: str, fetched_at: datetime) -> NewArticle:
    from dedup.fingerprint import content_hash

    url = "https://herald.example/a"
    return NewArticle(
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
            run_id = Stories(session).start_run("news", {}, lock_token="abc")
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
        item.published_at, item.published_precision = datetime(2025, 10, 28, tzinfo=timezone.utc), "day"
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
        item.is_article_confidence = 0.4
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
