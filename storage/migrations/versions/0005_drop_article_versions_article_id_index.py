"""Drop `ix_article_versions_article_id`: the unique constraint on (article_id, version) is an
index that starts with `article_id`, and serves every query on it (an article's versions in
order, the foreign key's cascade) by itself. Each revision stored wrote both.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_article_versions_article_id")


def downgrade() -> None:
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.create_index("ix_article_versions_article_id", ["article_id"], unique=False)
