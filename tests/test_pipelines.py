"""The item pipelines one by one: dates, dedup and store, with plain values and a real database."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.items import Article
from crawler.discovery.window import Window
from pipelines.dates import NormaliseDatesPipeline
from pipelines.dedup import DedupPipeline, RecentUrls
from pipelines.extraction.record import ArticleRecord
from pipelines.store import StorePipeline
from pipelines.writer import ArticleWriter, is_transient
from storage.engine import Database
from storage.models import Article as ArticleRow
from storage.models import DuplicateLink

FETCHED = datetime(2025, 11, 6, 9, 0, tzinfo=timezone.utc)


def stats():
    return get_crawler().stats


def item(url: str, body: str = "Words of a story. " * 20, *, published: datetime | None = None, canonical: str | None = None, **kw) -> Article:
    article = Article(
        url=url, response_url=url, source="herald", status=200, content_type="text/html", html="<html></html>",
        fetched_at=FETCHED, discovered_via="feed", **kw,
    )  # fmt: skip
    article.record = ArticleRecord(url=url, canonical_url=canonical or url, headline="A headline", body=body, published_at=published)
    return article


class TestDates:
    def test_hint_fills_a_missing_date(self) -> None:
        hint = datetime(2025, 11, 5, 8, 0, tzinfo=timezone.utc)
        it = NormaliseDatesPipeline(Window(), stats()).process_item(item("https://h.example/a", hint_published_at=hint))
        assert it.record.published_at == hint and it.record.date_source == "hint"
        assert it.record.published_precision == "minute"
        day_only = datetime(2025, 11, 5, tzinfo=timezone.utc)  # a sitemap's <lastmod>2025-11-05</lastmod>
        it = NormaliseDatesPipeline(Window(), stats()).process_item(item("https://h.example/b", hint_published_at=day_only))
        assert it.record.published_precision == "day"

    def test_future_dates_are_forgotten_and_naive_ones_made_utc(self) -> None:
        s = stats()
        pipeline = NormaliseDatesPipeline(Window(), s)
        future = pipeline.process_item(item("https://h.example/f", published=FETCHED + timedelta(days=30)))
        assert future.record.published_at is None and s.get_value("newspipe/dates/future_date_dropped") == 1
        naive = pipeline.process_item(item("https://h.example/n", published=datetime(2025, 11, 1, 10, 0)))
        assert naive.record.published_at == datetime(2025, 11, 1, 10, 0, tzinfo=timezone.utc)

    def test_window_drops_articles_outside_it(self) -> None:
        s = stats()
        pipeline = NormaliseDatesPipeline(Window.parse("2025-11-01", "2025-11-05"), s)
        with pytest.raises(DropItem, match="outside the crawl window"):
            pipeline.process_item(item("https://h.example/old", published=datetime(2025, 10, 1, tzinfo=timezone.utc)))
        kept = pipeline.process_item(item("https://h.example/in", published=datetime(2025, 11, 5, 22, tzinfo=timezone.utc)))
        assert kept.record.published_at is not None
        assert s.get_value("newspipe/dates/out_of_window") == 1


@pytest.fixture
def database(sqlite_url: str):
    db = Database(sqlite_url)
    yield db
    db.close()


class TestDedup:
    def test_cross_domain_canonical_is_syndication_evidence(self, database: Database) -> None:
        pipeline = DedupPipeline(stats())
        it = pipeline.process_item(item("https://copy.example/story/?utm_source=rss", canonical="https://orig.example/story"))
        assert it.record.canonical_url == "https://copy.example/story/"  # settled in the record, which storage writes
        assert it.record.syndicated_from == "https://orig.example/story"
        assert "https://copy.example/story/?utm_source=rss" in it.alias_urls
        assert it.content_hash and len(it.content_hash) == 64

    def test_repeats_in_the_run_are_dropped_and_stored_urls_go_on_as_revisits(self, database: Database) -> None:
        s = stats()
        pipeline = DedupPipeline(s)
        pipeline.process_item(item("https://h.example/a"))
        with pytest.raises(DropItem, match="already seen"):
            pipeline.process_item(item("https://h.example/a?utm_medium=x", canonical="https://h.example/a"))
        store = StorePipeline(ArticleWriter(database.sessions), s, batch_size=10)
        store.process_item(DedupPipeline(s).process_item(item("https://h.example/b")))
        store.finish()
        again = DedupPipeline(s).process_item(item("https://h.example/b"))
        assert again.record.canonical_url == "https://h.example/b"  # on to the store, which compares versions
        store.process_item(again)
        store.finish()
        assert s.get_value("newspipe/dedup/same_url_in_run") == 1
        assert s.get_value("newspipe/store/existing") == 1 and s.get_value("newspipe/store/revisit") == 1


    def test_the_urls_remembered_are_bounded_and_a_forgotten_repeat_is_still_stored_once(self, database: Database) -> None:
        # Every URL of the run used to stay in a set: about 380 bytes an article for the whole of a long import.
        s = stats()
        pipeline = DedupPipeline(s, recent_urls=3)
        store = StorePipeline(ArticleWriter(database.sessions), s, batch_size=1)
        for n in range(8):
            store.process_item(pipeline.process_item(item(f"https://h.example/{n}", body=f"Story number {n}. " * 30)))
        assert len(pipeline.seen) == 3
        with pytest.raises(DropItem, match="already seen"):  # a recent repeat is still dropped here
            pipeline.process_item(item("https://h.example/7", body="Story number 7. " * 30))
        # A forgotten one goes on: the store finds its URL stored, keeps one row and counts the repeat.
        store.process_item(pipeline.process_item(item("https://h.example/0", body="Story number 0. " * 30)))
        store.finish()
        assert _stored_count(database) == 8
        assert s.get_value("newspipe/dedup/same_url_in_run") == 1
        assert s.get_value("newspipe/store/new") == 8 and s.get_value("newspipe/store/existing") == 1

    def test_recent_urls_forget_the_least_recently_seen_first(self) -> None:
        recent = RecentUrls(2)
        recent.update(["a", "b"])
        recent.update(["a"])  # seen again: now the most recent
        recent.update(["c"])
        assert "a" in recent and "c" in recent and "b" not in recent and len(recent) == 2


class CountingSessions:
    """Wraps a sessionmaker: counts transactions, and fails the first `failures` of them."""

    def __init__(self, inner, failures: int = 0, error: Exception | None = None) -> None:
        self.inner, self.failures, self.error, self.begun = inner, failures, error, 0

    def begin(self):
        self.begun += 1
        if self.failures:
            self.failures -= 1
            raise self.error  # type: ignore[misc]
        return self.inner.begin()

    def __call__(self):
        return self.inner()


def _prepared(database: Database, n: int, s) -> list[Article]:
    dedup = DedupPipeline(s)
    return [dedup.process_item(item(f"https://h.example/{i}", body=f"Story number {i}. " * 30)) for i in range(n)]


class _Call:
    def active(self) -> bool:
        return False


def _step(awaitable: Any) -> tuple[bool, Any]:
    """Run a coroutine as far as it goes without a reactor: (finished, its value)."""
    try:
        awaitable.send(None)
    except StopIteration as done:
        return True, done.value
    return False, None


def _stored_count(database: Database) -> int:
    with database.sessions() as session:
        return len(session.scalars(select(ArticleRow.id)).all())


class TestStore:
    def test_batches_are_transactions_not_one_per_article(self, database: Database) -> None:
        s = stats()
        sessions = CountingSessions(database.sessions)
        store = StorePipeline(ArticleWriter(sessions), s, batch_size=4)
        for it in _prepared(database, 10, s):
            store.process_item(it)
        store.finish()
        assert sessions.begun == 3  # 4 + 4 + 2
        assert s.get_value("newspipe/store/new") == 10
        with database.sessions() as session:
            assert len(session.scalars(select(ArticleRow.id)).all()) == 10

    def test_in_a_crawl_an_item_is_done_only_once_its_batch_is_committed(self, database: Database, monkeypatch) -> None:
        # A request counts as finished (and a distributed worker acknowledges it) when its item is done.
        # No reactor here: the item's wait is awaited as a plain Deferred, step by step.
        monkeypatch.setattr("pipelines.store.maybe_deferred_to_future", lambda d: d)
        s = stats()
        delayed: list[tuple[float, Any]] = []
        store = StorePipeline(
            ArticleWriter(database.sessions), s, batch_size=3, hold_seconds=2.5, call_later=lambda t, f: delayed.append((t, f)) or _Call()
        )
        items = _prepared(database, 5, s)
        first = [store.process_item(it) for it in items[:2]]
        assert [_step(w) for w in first] == [(False, None)] * 2  # waiting: nothing is stored yet
        assert _stored_count(database) == 0 and [t for t, _ in delayed] == [2.5]
        third = store.process_item(items[2])  # fills the batch: written now, all three done
        assert _stored_count(database) == 3
        assert [_step(w) for w in [*first, third]] == [(True, it) for it in items[:3]]
        rest = [store.process_item(it) for it in items[3:]]
        assert [_step(w) for w in rest] == [(False, None)] * 2
        delayed[-1][1]()  # the part-filled batch's time is up
        assert _stored_count(database) == 5 and [_step(w) for w in rest] == [(True, it) for it in items[3:]]

    def test_transient_errors_are_retried(self, database: Database) -> None:
        s = stats()
        locked = OperationalError("INSERT", {}, Exception("database is locked"))
        assert is_transient(locked)
        sessions = CountingSessions(database.sessions, failures=2, error=locked)
        store = StorePipeline(ArticleWriter(sessions, max_wait=0.01), s, batch_size=100)
        for it in _prepared(database, 3, s):
            store.process_item(it)
        store.finish()
        assert sessions.begun == 3 and s.get_value("newspipe/store/new") == 3

    def test_a_unique_key_race_is_retried_without_calling_the_database_busy(self, database: Database, caplog: pytest.LogCaptureFixture) -> None:
        # Two workers creating the same `sources` row: the loser retries and sees the winner's row.
        s = stats()
        race = IntegrityError("INSERT INTO sources", {}, Exception('duplicate key value violates unique constraint "uq_sources_name"'))
        store = StorePipeline(ArticleWriter(CountingSessions(database.sessions, failures=1, error=race), max_wait=0.01), s, batch_size=100)
        with caplog.at_level(logging.INFO, logger="pipelines.writer"):
            for it in _prepared(database, 2, s):
                store.process_item(it)
            store.finish()
        assert s.get_value("newspipe/store/new") == 2
        assert "stored the same row first" in caplog.text
        assert "database busy" not in caplog.text

    def test_a_batch_that_keeps_failing_is_counted_and_logged(self, database: Database, caplog: pytest.LogCaptureFixture) -> None:
        s = stats()
        broken = OperationalError("INSERT", {}, Exception("no such table: articles"))
        assert not is_transient(broken)
        store = StorePipeline(ArticleWriter(CountingSessions(database.sessions, failures=1, error=broken)), s, batch_size=100)
        for it in _prepared(database, 2, s):
            store.process_item(it)
        store.finish()
        assert s.get_value("newspipe/store/failed") == 2
        assert "could not store a batch of 2 articles" in caplog.text

    def test_same_body_elsewhere_is_linked_as_duplicate(self, database: Database) -> None:
        s = stats()
        dedup, store = DedupPipeline(s), StorePipeline(ArticleWriter(database.sessions), s, batch_size=10)
        store.process_item(dedup.process_item(item("https://a.example/x", body="Shared wire copy. " * 20)))
        store.process_item(dedup.process_item(item("https://b.example/y", body="Shared   wire copy! " * 20)))
        store.finish()
        assert s.get_value("newspipe/store/duplicate") == 1
        with database.sessions() as session:
            assert session.scalar(select(DuplicateLink.method)) == "content_hash"


    def test_a_refused_batch_is_spooled_and_loaded_back_by_the_next_run(self, database: Database, tmp_path) -> None:
        from storage.spool import Spool

        s = stats()
        down = OperationalError("INSERT", {}, Exception("connection refused"))
        spool = Spool(tmp_path / "spool.jsonl")
        writer = ArticleWriter(CountingSessions(database.sessions, failures=99, error=down), attempts=2, max_wait=0.01)
        store = StorePipeline(writer, s, batch_size=100, spool=spool)
        for it in _prepared(database, 3, s):
            store.process_item(it)
        store.finish()
        assert s.get_value("newspipe/store/spooled") == 3 and len(spool) == 3
        with database.sessions() as session:
            assert session.scalar(select(ArticleRow.id)) is None

        s2 = stats()
        next_run = StorePipeline(ArticleWriter(database.sessions), s2, spool=spool)
        next_run.replay_spool()
        assert s2.get_value("newspipe/store/replayed") == 3 and s2.get_value("newspipe/store/new") == 3
        assert len(spool) == 0
        with database.sessions() as session:
            assert len(session.scalars(select(ArticleRow.id)).all()) == 3
