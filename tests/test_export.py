"""Exports for analysts: Parquet with a fixed schema (read back with pyarrow), partitions,
and incremental exports by cursor (new articles and new versions only)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from newspipe.cli import app
from dedup.fingerprint import content_hash
from storage.engine import Database
from storage.parquet import EXPORT_SCHEMA
from dedup.stories import Stories
from storage.repository import ExportCursor, NewArticle
from tests.newarticles import new_article

PLUS2 = timezone(timedelta(hours=2))
runner = CliRunner()


def article(i: int, body: str | None = None, fetched: datetime | None = None, undated: bool = False) -> NewArticle:
    text = body or f"Story number {i} about the valley council and its budget. " * 20
    return new_article(
        source="times" if i % 2 else "herald", url=f"https://n.example/{i}", canonical_url=f"https://n.example/{i}",
        headline=f"Story {i}", body=text, content_hash=content_hash(text),
        fetched_at=fetched or datetime(2025, 11, 1, tzinfo=timezone.utc),
        published_at=None if undated else datetime(2025, 10, 1 + i, 9, 30, tzinfo=PLUS2),
        authors=["Ana Ruiz", "Li Wei"], tags=["council"], word_count=200, language="en",
        published_precision=None if undated else "minute",
    )  # fmt: skip


def store(db_url: str, items: list[NewArticle]) -> None:
    with Database(db_url) as database, database.sessions.begin() as session:
        repository = Stories(session)
        for item in items:
            repository.save(item)


def test_parquet_round_trip_keeps_types(db_url: str, tmp_path: Path) -> None:
    store(db_url, [article(i) for i in range(3)] + [article(9, undated=True)])
    out = tmp_path / "articles.parquet"
    result = runner.invoke(app, ["export", "--format", "parquet", "--output", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.schema.equals(EXPORT_SCHEMA, check_metadata=False)
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    rows = table.to_pylist()
    assert len(rows) == 4
    first = rows[0]
    assert first["published_at"] == datetime(2025, 10, 1, 7, 30, tzinfo=timezone.utc)
    assert first["published_at_local"] == "2025-10-01T09:30:00+02:00"
    assert first["authors"] == ["Ana Ruiz", "Li Wei"] and first["version"] == 1 and first["latest"] is True
    assert first["published_precision"] == "minute"
    assert rows[-1]["published_at"] is None and rows[-1]["published_precision"] is None


def test_parquet_partitions_by_day(sqlite_url: str, tmp_path: Path) -> None:
    store(sqlite_url, [article(i) for i in range(3)] + [article(9, undated=True)])
    out = tmp_path / "by-day"
    result = runner.invoke(app, ["export", "-f", "parquet", "--partition", "day", "-o", str(out), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in out.iterdir())
    assert folders == ["published_day=2025-10-01", "published_day=2025-10-02", "published_day=2025-10-03", "published_day=undated"]
    dataset = ds.dataset(out, format="parquet", partitioning="hive")
    assert dataset.count_rows() == 4


def test_incremental_export_by_cursor_file(db_url: str, tmp_path: Path) -> None:
    store(db_url, [article(i) for i in range(3)])
    cursor = tmp_path / "cursor.txt"

    def export() -> list[dict]:
        result = runner.invoke(app, ["export", "--cursor-file", str(cursor), "--db", db_url])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

    assert len(export()) == 3
    assert export() == []  # nothing changed since
    later = datetime(2025, 11, 5, tzinfo=timezone.utc)
    store(db_url, [article(3), article(1, body="A corrected story about the valley council budget. " * 20, fetched=later)])
    changed = export()
    assert sorted((r["canonical_url"], r["version"]) for r in changed) == [("https://n.example/1", 2), ("https://n.example/3", 1)]
    assert ExportCursor.parse(cursor.read_text()).article_id == 4


def test_bad_cursor_and_options_are_usage_errors(sqlite_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", "--after-cursor", "yesterday", "--db", sqlite_url]).exit_code == 2
    assert runner.invoke(app, ["export", "--format", "parquet", "--db", sqlite_url]).exit_code == 2
    assert runner.invoke(app, ["export", "--partition", "day", "--db", sqlite_url]).exit_code == 2
    with pytest.raises(ValueError):
        ExportCursor.parse("a1")
