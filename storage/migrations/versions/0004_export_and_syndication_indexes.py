"""Indexes for export, coverage and syndication look-ups.

`ix_articles_published_at`: `export --since` and `coverage` select a window of publication
dates across all sources (the (source_id, published_at) index only serves one source).
`ix_articles_syndicated_from`: storing a new article looks for stored copies that name one of
its URLs as their source.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:43:59.783930
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_published_at", ["published_at"], unique=False)
        batch_op.create_index("ix_articles_syndicated_from", ["syndicated_from"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_syndicated_from")
        batch_op.drop_index("ix_articles_published_at")
