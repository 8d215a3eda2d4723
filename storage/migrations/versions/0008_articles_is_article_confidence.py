"""`articles.is_article_confidence`: how sure the article filter was that the page is an article
(1.0 when every check passed; below 1 for a page that failed the length or link-list check but
was kept for its article evidence), so an analyst can leave out or review the doubtful ones.
`v_articles_latest` lists it too. Articles stored before have NULL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 13:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The view's columns as 0007 left them (a migration never imports another).
_COLUMNS = """a.id, s.name AS source, a.url, a.canonical_url, a.headline,
       a.published_at, a.published_offset_minutes, a.modified_at, a.date_source,
       a.authors, a.body, a.description, a.language, a.site_name, a.section, a.tags,
       a.image_url, a.word_count, a.fetched_at, a.version, a.story_id, a.stored_as,
       o.canonical_url AS duplicate_of, a.archive_file, a.archive_offset, a.published_precision{extra}"""
_FROM = """
FROM articles a
JOIN sources s ON s.id = a.source_id
LEFT JOIN duplicate_links d ON d.duplicate_id = a.id
LEFT JOIN articles o ON o.id = d.original_id
"""


# Unchanged since 0003; dropped and made again around the change of the articles table.
_STORIES = """
CREATE VIEW v_stories AS
SELECT st.id AS story_id, a.id AS article_id, s.name AS source, a.canonical_url, a.headline,
       a.published_at, a.published_offset_minutes, a.language, a.word_count, a.body,
       (SELECT COUNT(*) FROM articles m WHERE m.story_id = st.id) AS articles_in_story,
       st.created_at, st.updated_at
FROM stories st
JOIN articles a ON a.id = st.original_article_id
JOIN sources s ON s.id = a.source_id
"""


def _view(extra: str) -> str:
    return "CREATE VIEW v_articles_latest AS\nSELECT " + _COLUMNS.format(extra=extra) + _FROM


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_stories")
    op.execute("DROP VIEW IF EXISTS v_articles_latest")
    op.add_column("articles", sa.Column("is_article_confidence", sa.Float(), nullable=True))
    op.execute(_view(", a.is_article_confidence"))
    op.execute(_STORIES)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_stories")
    op.execute("DROP VIEW IF EXISTS v_articles_latest")
    # Plain ALTER TABLE, as in 0007: a batch rebuild would cascade-delete versions and URLs.
    op.execute("ALTER TABLE articles DROP COLUMN is_article_confidence")
    op.execute(_view(""))
    op.execute(_STORIES)
