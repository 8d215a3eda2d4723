"""`crawl_runs.lock_token`: the run lock a run held, so a takeover of that lock (its holder found
dead) closes the run as "killed" instead of leaving it "running". Statuses are now running,
finished, failed, interrupted (SIGINT/SIGTERM) and killed; the column was already wide enough.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_token", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("lock_token")
