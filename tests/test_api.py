"""The analysts' Python API (`import newspipe`): tables of articles and stories, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pytest

import newspipe
from newspipe.api import STORIES_SCHEMA
from dedup.fingerprint import content_hash
from storage.parquet import EXPORT_SCHEMA
from tests.test_export import article, store

PLUS2 = timezone(timedelta(hours=2))


def test_articles_come_as_an_arrow_table_filtered_by_window_and_source(db_url: str) -> None:
    store(db_url, [article(i) for i in range(1, 7)] + [article(20, undated=True, fetched=datetime(2025, 11, 3, tzinfo=timezone.utc))])
    with newspipe.open(db_url) as db:
        everything = db.articles()
        assert isinstance(everything, pa.Table)
        assert everything.schema.equals(EXPORT_SCHEMA, check_metadata=False)
        assert everything.num_rows == 7
        # Published 2025-10-02 .. 10-07 at 09:30 +02:00; a date-only `until` covers its whole day.
        window = db.articles(since="2025-10-03", until=date(2025, 10, 5))
        assert window.column("headline").to_pylist() == ["Story 2", "Story 3", "Story 4"]
        assert db.articles(since=datetime(2025, 10, 4, 7, 30, tzinfo=timezone.utc)).num_rows == 5  # Oct 4-7 (inclusive) + the undated one, fetched later
        herald = db.articles(source="herald")
        assert set(herald.column("source").to_pylist()) == {"herald"} and herald.num_rows == 4
        assert db.articles(source=["herald", "times"]).num_rows == 7
        first = everything.to_pylist()[0]
        assert first["published_at"] == datetime(2025, 10, 2, 7, 30, tzinfo=timezone.utc)
        assert first["published_at_local"] == "2025-10-02T09:30:00+02:00"
        assert first["authors"] == ["Ana Ruiz", "Li Wei"]


def test_stories_one_row_per_story_with_its_original(db_url: str) -> None:
    copy_text = "The valley council approved the bridge budget after a long night of debate. " * 20
    original = article(1, body=copy_text)
    duplicate = article(2, body=copy_text)
    store(db_url, [original, duplicate, article(3)])
    with newspipe.open(db_url) as db:
        stories = db.stories()
        assert stories.schema.equals(STORIES_SCHEMA, check_metadata=False)
        rows = stories.to_pylist()
        assert len(rows) == 2
        shared = next(r for r in rows if r["articles_in_story"] == 2)
        assert shared["headline"] == "Story 1" and shared["canonical_url"] == "https://n.example/1"
        assert db.stories(source="herald").num_rows == 0  # stories are counted by their original's source
        assert db.stories(until="2025-10-01").num_rows == 0
        unique = db.articles(unique_stories=True)
        assert sorted(unique.column("headline").to_pylist()) == ["Story 1", "Story 3"]
        assert content_hash(copy_text) == duplicate.content_hash


def test_opening_a_missing_sqlite_file_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "newspape.db"
    with pytest.raises(FileNotFoundError, match="no newspipe database"):
        newspipe.open(f"sqlite:///{missing}")
    assert not missing.exists() and not missing.parent.exists()


def test_a_database_without_newspipe_tables_is_refused(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (id INTEGER)").connection.commit()
    with pytest.raises(ValueError, match="not a newspipe database"):
        newspipe.open(f"sqlite:///{other}")


def test_dataframes_when_the_library_is_installed(sqlite_url: str) -> None:
    store(sqlite_url, [article(1)])
    with newspipe.open(sqlite_url) as db:
        with pytest.raises(ValueError, match="output must be"):
            db.articles(output="excel")  # type: ignore[arg-type]
        try:
            import pandas  # noqa: F401
        except ModuleNotFoundError:
            with pytest.raises(ModuleNotFoundError):
                db.articles(output="pandas")
        else:
            assert list(db.articles(output="pandas")["headline"]) == ["Story 1"]


def test_extract_article_is_re_exported_and_import_is_light() -> None:
    from pipelines.extraction import extract_article

    assert newspipe.extract_article is extract_article
    code = "import sys, newspipe; heavy = {'scrapy', 'trafilatura', 'pyarrow', 'sqlalchemy'} & set(sys.modules); print(sorted(heavy))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
