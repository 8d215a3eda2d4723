"""The Python API for analysts: a newspipe database's articles and stories as pyarrow Tables.

`NewsDatabase.open(url)` opens an existing database for reading: it never creates one (a
mistyped SQLite path is an error, not a new empty file) and never migrates one. `articles()`
gives the export records (the schema of `newspipe export --format parquet`,
`storage.parquet.EXPORT_SCHEMA`); `stories()` one row per story, from its original article.
Both filter by publication date (undated articles by fetch time), source, and return a
`pyarrow.Table`, or a pandas / polars DataFrame with `output="pandas"` / `"polars"` when that
library is installed (neither is a dependency).

Reads $NEWSPIPE_DATABASE_URL when no URL is given (storage reads no environment).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
from sqlalchemy import func, select

from storage.engine import Database, missing_sqlite_file, normalise_database_url, not_a_newspipe_database, resolve_database_url
from storage.models import Article, Source, Story
from storage.parquet import UTC_TS, export_table
from storage.repository import ArticleRepository

if TYPE_CHECKING:
    from typing_extensions import Self

Output = Literal["arrow", "pandas", "polars"]
DateLike = date | datetime | str | None

STORIES_SCHEMA = pa.schema(
    [
        pa.field("story_id", pa.int64(), nullable=False),
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("published_at", UTC_TS),
        pa.field("language", pa.string()),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("articles_in_story", pa.int64(), nullable=False),
        pa.field("created_at", UTC_TS, nullable=False),
        pa.field("updated_at", UTC_TS, nullable=False),
    ]
)


class NewsDatabase:
    """An open newspipe database, read-only by intent; close it (or use `with`) when done."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def open(cls, url: str | None = None) -> Self:
        """Open the database at `url` (default: $NEWSPIPE_DATABASE_URL, else ./newspipe.db).

        Raises FileNotFoundError for a SQLite file that does not exist and ValueError for a
        database without newspipe's tables.
        """
        resolved = normalise_database_url(resolve_database_url(url or os.environ.get("NEWSPIPE_DATABASE_URL")))
        missing = missing_sqlite_file(resolved)
        if missing is not None:
            raise FileNotFoundError(f"no newspipe database at {missing}")
        database = Database(resolved, upgrade=False)
        problem = not_a_newspipe_database(database)
        if problem is not None:
            database.close()
            raise ValueError(problem)
        return cls(database)

    def articles(
        self,
        *,
        since: DateLike = None,
        until: DateLike = None,
        source: str | Sequence[str] = (),
        unique_stories: bool = False,
        all_versions: bool = False,
        output: Output = "arrow",
    ) -> Any:
        """Articles published in [since, until] (a date-only `until` covers its day), oldest stored first.

        `source` is a name or a list of names; `unique_stories` keeps each story's original;
        `all_versions` adds superseded versions (`latest` false). Columns: `EXPORT_SCHEMA`.
        """
        window = _window(since, until)
        sources = [source] if isinstance(source, str) else list(source)
        with self.database.sessions() as session:
            records = ArticleRepository(session).iter_export(
                since=window.since, until=window.until, sources=sources,
                unique_stories=unique_stories, all_versions=all_versions,
            )  # fmt: skip
            table = export_table(records)
        return _convert(table, output)

    def stories(
        self, *, since: DateLike = None, until: DateLike = None, source: str | Sequence[str] = (), output: Output = "arrow"
    ) -> Any:
        """One row per story whose original was published in [since, until]: `STORIES_SCHEMA`."""
        window = _window(since, until)
        sources = [source] if isinstance(source, str) else list(source)
        members = select(Article.story_id, func.count(Article.id).label("n")).group_by(Article.story_id).subquery()
        stmt = (
            select(
                Story.id, Article.id, Source.name, Article.canonical_url, Article.headline, Article.published_at,
                Article.language, Article.word_count, members.c.n, Story.created_at, Story.updated_at,
            )  # fmt: skip
            .join(Article, Article.id == Story.original_article_id)
            .join(Source, Source.id == Article.source_id)
            .join(members, members.c.story_id == Story.id)
            .order_by(Story.id)
        )
        if window.since is not None:
            stmt = stmt.where(Article.published_at >= window.since)
        if window.until is not None:
            stmt = stmt.where(Article.published_at <= window.until)
        if sources:
            stmt = stmt.where(Source.name.in_(sources))
        with self.database.sessions() as session:
            rows = [dict(zip(STORIES_SCHEMA.names, row, strict=True)) for row in session.execute(stmt)]
        return _convert(pa.Table.from_pylist(rows, schema=STORIES_SCHEMA), output)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<newspipe database {self.database.display_url()}>"


def _window(since: DateLike, until: DateLike) -> Any:
    from crawler.discovery.window import Window

    return Window.parse(since, until)


def _convert(table: pa.Table, output: Output) -> Any:
    if output == "arrow":
        return table
    if output == "pandas":
        return table.to_pandas()  # raises ModuleNotFoundError naming pandas when it is not installed
    if output == "polars":
        import polars

        return polars.from_arrow(table)
    raise ValueError(f"output must be 'arrow', 'pandas' or 'polars', not {output!r}")
