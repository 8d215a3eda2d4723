"""Storage: migrations, the repository's dedup decisions, export records and stats, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select

from storage.engine import Database, normalise_database_url
from storage.migrate import alembic_config, current_revision, head_revision
from storage.models import Article, ArticleUrl, DuplicateLink
from dedup.stories import Stories
from storage.repository import ArticleRepository, NewArticle
from tests.newarticles import new_article

PLUS2 = timezone(timedelta(hours=2))
FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def make(url: str, body: str = "body text", **kw: object) -> NewArticle:
    from dedup.fingerprint import content_hash

    values: dict[str, object] = dict(
        source="herald", url=url, canonical_url=url, headline=f"Headline of {url}", body=body,
        content_hash=content_hash(body), fetched_at=FETCHED,
    )  # fmt: skip
    values.update(kw)
    return new_article(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(db_url: str):
    database = Database(db_url)
    yield database
    database.close()


def test_new_database_gets_schema_from_migrations(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert {"sources", "articles", "article_urls", "duplicate_links", "crawl_runs", "alembic_version"} <= tables


def test_models_and_migrations_agree(db: Database) -> None:
    # `alembic check` raises when autogenerate would produce operations.
    command.check(alembic_config(db.engine))


@pytest.mark.postgres
def test_postgres_connections_time_out_and_keep_alive_unless_the_url_says_otherwise(postgres_url: str) -> None:
    # A vanished database host must fail a write (retried, then spooled), not block a crawl for hours.
    from storage.engine import POSTGRES_CONNECT_DEFAULTS, make_engine

    engine = make_engine(postgres_url + ("&" if "?" in postgres_url else "?") + "keepalives_idle=5")
    try:
        with engine.connect() as connection:
            parameters = connection.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert parameters["keepalives_idle"] == "5"  # the URL's own value wins
    for name in ("connect_timeout", "keepalives", "keepalives_interval", "keepalives_count", "tcp_user_timeout"):
        assert parameters[name] == str(POSTGRES_CONNECT_DEFAULTS[name])


@pytest.mark.postgres
def test_postgres_statements_wait_for_a_lock_a_minute_at_most(postgres_url: str) -> None:
    # A schema change or a transaction left open elsewhere must fail a write (retried, then
    # spooled), not block a cron crawl, and its run lock, for good.
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from pipelines.writer import is_transient
    from storage.engine import make_engine

    db = Database(postgres_url)
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1min"
        short = make_engine(postgres_url + "%20-c%20lock_timeout%3D200")  # the URL's own value wins
        try:
            with db.engine.connect() as holder, short.connect() as waiter:
                holder.exec_driver_sql("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")  # held until rollback
                with pytest.raises(OperationalError) as refused:  # while the lock is still held
                    waiter.execute(text("SELECT count(*) FROM articles"))
                holder.rollback()
        finally:
            short.dispose()
    finally:
        db.close()
    assert "lock timeout" in str(refused.value) and is_transient(refused.value)  # retried, then spooled


def test_short_urls_are_normalised() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("news.db") == "sqlite:///news.db"


def test_save_new_existing_and_duplicate(db: Database) -> None:
    with db.sessions.begin() as s:
        repo = Stories(s)
        first = repo.save(make("https://a.example/1", body="The same words in the same order."))
        again = repo.save(make("https://a.example/1?utm_source=x", canonical_url="https://a.example/1"))
        copy = repo.save(make("https://b.example/copy", body="The SAME words, in the same order!"))
        other = repo.save(make("https://a.example/2", body="Completely different story."))
    assert first.outcome == "new"
    assert again.outcome == "existing" and again.article_id == first.article_id
    assert copy.outcome == "duplicate" and copy.duplicate_of == first.article_id
    assert other.outcome == "new"
    with db.sessions() as s:
        assert s.scalar(select(ArticleUrl.article_id).where(ArticleUrl.url == "https://a.example/1?utm_source=x")) == first.article_id
        links = s.execute(select(DuplicateLink.duplicate_id, DuplicateLink.original_id, DuplicateLink.method)).all()
        assert links == [(copy.article_id, first.article_id, "content_hash")]
        assert s.scalar(select(Article.id).where(Article.canonical_url == "https://b.example/copy")) == copy.article_id


def test_copy_stored_before_its_original_is_relinked(db: Database) -> None:
    with db.sessions.begin() as s:
        repo = Stories(s)
        copy = repo.save(make("https://copy.example/x", body="Copied text with a footer.", syndicated_from="https://orig.example/x"))
        original = repo.save(make("https://orig.example/x", body="Copied text."))
    assert copy.outcome == "new"  # nothing to link to yet
    assert original.outcome == "new" and original.relinked == 1
    with db.sessions() as s:
        assert ArticleRepository(s).original_of(copy.article_id) == original.article_id


def test_earlier_publication_leads_a_content_duplicate_group(db: Database) -> None:
    with db.sessions.begin() as s:
        repo = Stories(s)
        late = repo.save(make("https://late.example/x", body="Wire story.", published_at=datetime(2025, 10, 2, tzinfo=timezone.utc)))
        early = repo.save(make("https://early.example/x", body="Wire story.", published_at=datetime(2025, 10, 1, tzinfo=timezone.utc)))
    assert early.outcome == "new"
    with db.sessions() as s:
        assert ArticleRepository(s).original_of(late.article_id) == early.article_id


def test_export_keeps_the_pages_offset_and_duplicate_of(db: Database) -> None:
    published = datetime(2025, 10, 28, 9, 30, tzinfo=PLUS2)
    with db.sessions.begin() as s:
        repo = Stories(s)
        repo.save(make("https://a.example/1", body="Story one.", published_at=published, authors=["Ana Ruiz"]))
        repo.save(make("https://b.example/1", body="Story one.", source="other", published_at=published + timedelta(hours=1)))
        repo.save(make("https://a.example/old", body="Old story.", published_at=datetime(2024, 1, 1, tzinfo=timezone.utc)))
    with db.sessions() as s:
        rows = list(ArticleRepository(s).iter_export())
        recent = list(ArticleRepository(s).iter_export(since=datetime(2025, 1, 1, tzinfo=timezone.utc), sources=["herald"]))
    assert rows[0]["published_at"] == "2025-10-28T09:30:00+02:00"
    assert rows[0]["authors"] == ["Ana Ruiz"]
    assert rows[1]["duplicate_of"] == "https://a.example/1"
    assert rows[1]["source"] == "other"
    assert [r["url"] for r in recent] == ["https://a.example/1"]


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        with db.sessions.begin() as s:
            Stories(s).save(make("https://a.example/naive", fetched_at=datetime(2025, 1, 1)))


def test_failed_batch_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(Exception):
        with db.sessions.begin() as s:
            repo = Stories(s)
            repo.save(make("https://a.example/ok", body="fine"))
            repo.save(make("https://a.example/bad", body="broken", fetched_at=datetime(2025, 1, 1)))
    with db.sessions() as s:
        assert s.scalar(select(Article.id)) is None


def test_runs_and_stats(db: Database) -> None:
    with db.sessions.begin() as s:
        repo = Stories(s)
        run_id = repo.repository.start_run("news", {"sources": ["herald"]})
        repo.save(make("https://a.example/1", body="One.", published_at=datetime(2025, 10, 1, 8, tzinfo=timezone.utc)), run_id)
        repo.save(make("https://a.example/2", body="One."), run_id)
        repo.repository.finish_run(run_id, status="finished", reason="finished", counts={"articles_new": 1}, error_count=0)
    with db.sessions() as s:
        stats = ArticleRepository(s).stats()
    assert stats["articles"] == 2 and stats["duplicates"] == 1
    assert {"source": "herald", "day": "2025-10-01", "articles": 1} in stats["by_source_day"]
    assert stats["runs"][0]["status"] == "finished" and stats["runs"][0]["counts"] == {"articles_new": 1}
