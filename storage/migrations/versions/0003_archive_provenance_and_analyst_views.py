"""Archive provenance on articles, and read-only views for analysts.

`v_articles_latest`: one row per article as it reads now (latest version), with its source
name, story and the canonical URL of the original it copies (`duplicate_of`).
`v_stories`: one row per story, from its original article, with the number of copies.
The same SQL runs on SQLite and PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:41:25.640298
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


import storage.models

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ARTICLES_LATEST = """
CREATE VIEW v_articles_latest AS
SELECT a.id, s.name AS source, a.url, a.canonical_url, a.headline,
       a.published_at, a.published_offset_minutes, a.modified_at, a.date_source,
       a.authors, a.body, a.description, a.language, a.site_name, a.section, a.tags,
       a.image_url, a.word_count, a.fetched_at, a.version, a.story_id, a.stored_as,
       o.canonical_url AS duplicate_of, a.archive_file, a.archive_offset
FROM articles a
JOIN sources s ON s.id = a.source_id
LEFT JOIN duplicate_links d ON d.duplicate_id = a.id
LEFT JOIN articles o ON o.id = d.original_id
"""

STORIES = """
CREATE VIEW v_stories AS
SELECT st.id AS story_id, a.id AS article_id, s.name AS source, a.canonical_url, a.headline,
       a.published_at, a.published_offset_minutes, a.language, a.word_count, a.body,
       (SELECT COUNT(*) FROM articles m WHERE m.story_id = st.id) AS articles_in_story,
       st.created_at, st.updated_at
FROM stories st
JOIN articles a ON a.id = st.original_article_id
JOIN sources s ON s.id = a.source_id
"""


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archive_file", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("archive_offset", sa.BigInteger(), nullable=True))
    op.execute(ARTICLES_LATEST)
    op.execute(STORIES)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_stories")
    op.execute("DROP VIEW IF EXISTS v_articles_latest")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("archive_offset")
        batch_op.drop_column("archive_file")
