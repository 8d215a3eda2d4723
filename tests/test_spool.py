"""The spool keeps what the database refused, survives a torn line, and drains on replay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.repository import NewArticle
from storage.spool import Spool

PLUS2 = timezone(timedelta(hours=2))


def article(i: int) -> NewArticle:
    return NewArticle(
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
    assert first.published_at.utcoffset() == timedelta(hours=2)


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
