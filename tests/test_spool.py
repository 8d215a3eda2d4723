"""The spool keeps what the database refused, survives a torn line, and drains on replay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.repository import NewArticle
from storage.spool import Spool
from tests.newarticles import new_article

PLUS2 = timezone(timedelta(hours=2))


def article(i: int) -> NewArticle:
    return new_article(
        source="herald", url=f"https://h.example/{i}", canonical_url=f"https://h.example/{i}", headline=f"H{i}",
        body=f"Body {i}", content_hash=f"{i:064d}", fetched_at=datetime(2025, 11, 1, tzinfo=timezone.utc),
        published_at=datetime(2025, 10, 31, 9, 30, tzinfo=PLUS2), authors=["Ana Ruiz"],
    )  # fmt: skip


def test_round_trip_keeps_values_and_offsets(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append([article(1), article(2)], run_id=7)
    assert len(spool) == 2
    (first, run_id), _ = list(spool.entries())
    assert run_id == 7 and first == article(1)
    assert first.record.published_at.utcoffset() == timedelta(hours=2)


def test_replay_stores_and_empties_the_spool(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append([article(i) for i in range(5)])
    stored: list[str] = []
    assert spool.replay(lambda batch, _run: stored.extend(a.url for a in batch), batch_size=2) == 5
    assert len(stored) == 5 and not spool.path.exists() and len(spool) == 0


def test_replay_keeps_what_is_still_refused(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append([article(i) for i in range(5)])
    calls = []

    def flaky(batch: list[NewArticle], _run: int | None) -> None:
        calls.append(len(batch))
        if len(calls) == 2:
            raise ConnectionError("database down again")

    assert spool.replay(flaky, batch_size=2) == 2
    assert [a.url for a, _ in spool.entries()] == [f"https://h.example/{i}" for i in (2, 3, 4)]


def test_a_torn_last_line_is_skipped_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append([article(1)])
    with spool.path.open("a", encoding="utf-8") as handle:
        handle.write('{"run_id": null, "article": {"source": "her')
    assert [a.url for a, _ in spool.entries()] == ["https://h.example/1"]
    assert "unreadable" in caplog.text


# A line as the spool wrote it before the article model was one (every field of the old, flat
# `NewArticle` side by side), by the code of commit 35404d5: spools left by an older crawl still replay.
OLD_LINE = (
    '{"run_id": 7, "article": {"source": "herald", "url": "https://h.example/old?utm_source=rss", "canonical_url": '
    '"https://h.example/old", "headline": "An old line", "body": "Body of the old line", "content_hash": '
    '"abababababababababababababababababababababababababababababababab", "fetched_at": "2025-11-01T08:00:00+00:00", '
    '"published_at": "2025-10-31T09:30:00+02:00", "modified_at": null, "date_source": "json-ld", "published_precision": '
    '"minute", "is_article_confidence": 0.75, "authors": ["Ana Ruiz"], "description": "Old", "language": "en", '
    '"site_name": "Herald", "section": "city", "tags": ["harbour"], "image_url": "https://h.example/old.jpg", '
    '"word_count": 5, "syndicated_from": "https://wire.example/old", "alias_urls": ["https://h.example/old?utm_source=rss"], '
    '"source_domains": ["h.example"], "minhash": "AQAAAAIAAAA=", "archive_file": "crawl.warc.gz", "archive_offset": 1234}}'
)


def test_a_line_of_the_old_flat_format_still_loads(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.path.write_text(OLD_LINE + "\n", encoding="utf-8")
    ((loaded, run_id),) = list(spool.entries())
    assert run_id == 7
    assert loaded == new_article(
        source="herald", url="https://h.example/old?utm_source=rss", canonical_url="https://h.example/old",
        headline="An old line", body="Body of the old line", content_hash="ab" * 32,
        fetched_at=datetime(2025, 11, 1, 8, 0, tzinfo=timezone.utc), published_at=datetime(2025, 10, 31, 9, 30, tzinfo=PLUS2),
        date_source="json-ld", published_precision="minute", is_article_confidence=0.75, authors=["Ana Ruiz"],
        description="Old", language="en", site_name="Herald", section="city", tags=["harbour"],
        image_url="https://h.example/old.jpg", word_count=5, syndicated_from="https://wire.example/old",
        alias_urls=["https://h.example/old?utm_source=rss"], source_domains=["h.example"],
        minhash=b"\x01\x00\x00\x00\x02\x00\x00\x00", archive_file="crawl.warc.gz", archive_offset=1234,
    )  # fmt: skip
    assert loaded.record.published_at.utcoffset() == timedelta(hours=2)
    # Written again (a replay that stops keeps it) in today's format, it reads back the same.
    spool._rewrite([(loaded, run_id)])
    assert '"record": {' in spool.path.read_text(encoding="utf-8")
    assert list(spool.entries()) == [(loaded, 7)]


def test_an_old_line_replays_into_the_database(tmp_path: Path) -> None:
    from sqlalchemy import select

    from pipelines.writer import ArticleWriter
    from storage.engine import Database
    from storage.models import Article, ArticleUrl

    spool = Spool(tmp_path / "spool.jsonl")
    spool.path.write_text(OLD_LINE.replace('"run_id": 7', '"run_id": null') + "\n", encoding="utf-8")  # no crawl run 7 here
    with Database(f"sqlite:///{tmp_path / 'n.db'}") as database:
        writer = ArticleWriter(database.sessions, near_dup_threshold=0)
        assert spool.replay(writer.write) == 1
        with database.sessions() as session:
            row = session.scalars(select(Article)).one()
            urls = sorted((url, kind) for url, kind in session.execute(select(ArticleUrl.url, ArticleUrl.kind)))
    assert not spool.path.exists()
    assert (row.url, row.canonical_url, row.headline, row.run_id) == ("https://h.example/old?utm_source=rss", "https://h.example/old", "An old line", None)
    assert row.published_at_local() == datetime(2025, 10, 31, 9, 30, tzinfo=PLUS2) and row.published_offset_minutes == 120
    assert (row.is_article_confidence, row.authors, row.syndicated_from, row.archive_file, row.archive_offset) == (
        0.75, ["Ana Ruiz"], "https://wire.example/old", "crawl.warc.gz", 1234,
    )
    assert row.minhash == b"\x01\x00\x00\x00\x02\x00\x00\x00"
    assert urls == [("https://h.example/old", "canonical"), ("https://h.example/old?utm_source=rss", "fetched")]


def test_round_trip_keeps_the_storage_fields(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    redirected = new_article(
        source="herald", url="https://h.example/after", canonical_url="https://h.example/after", headline="H", body="B",
        content_hash="cd" * 32, fetched_at=datetime(2025, 11, 1, tzinfo=timezone.utc), requested_url="https://h.example/before",
        alias_urls=["https://h.example/before"], minhash=b"\x00\x01\x02\x03", archive_file="a.warc.gz", archive_offset=9,
    )  # fmt: skip
    spool.append([redirected], run_id=None)
    assert list(spool.entries()) == [(redirected, None)]
    assert redirected.url == "https://h.example/before"  # the row's url is the one requested
