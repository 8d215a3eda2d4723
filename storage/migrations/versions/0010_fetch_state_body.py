"""`fetch_state.body`: the robots.txt of each host, kept with its validators so a run within
NEWSPIPE_ROBOTS_TTL reads it from the database and a later one asks for it conditionally
(see crawler.robots). Empty for every other kind of row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.drop_column("body")
