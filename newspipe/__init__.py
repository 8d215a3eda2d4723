"""newspipe for analysts: open a newspipe database and read its articles and stories as tables.

    import newspipe
    db = newspipe.open("sqlite:///newspipe.db")       # or a postgresql:// URL; None: $NEWSPIPE_DATABASE_URL
    table = db.articles(since="2025-11-01", source="guardian", unique_stories=True)   # a pyarrow.Table
    frame = db.articles(since="2025-11-01", output="pandas")                           # when pandas is installed

`newspipe.extract_article(html, url)` is the extractor itself (`pipelines.extraction`).

This package is the application: the public Python API (`api`), the `newspipe` command line
(`cli` and its command modules), the settings layers (`config`: newspipe.toml and the
environment, the only environment reads), the demo server, reports and health statistics. It may
import every layer below (`storage`, `dedup`, `pipelines`, `crawler`); nothing but benchmarks,
examples and tests imports it (tests/test_import_layers.py). Importing it is cheap: the database
code, pyarrow and the extractor are loaded when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newspipe.api import NewsDatabase

__all__ = ["NewsDatabase", "extract_article", "open"]


def open(url: str | None = None) -> NewsDatabase:  # noqa: A001 (the public name analysts expect)
    """Open an existing newspipe database for reading (see `newspipe.api.NewsDatabase`)."""
    from newspipe.api import NewsDatabase

    return NewsDatabase.open(url)


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `import newspipe` does not import lxml and trafilatura.
    if name == "extract_article":
        from pipelines.extraction import extract_article

        return extract_article
    if name == "NewsDatabase":
        from newspipe.api import NewsDatabase

        return NewsDatabase
    raise AttributeError(f"module 'newspipe' has no attribute {name!r}")
