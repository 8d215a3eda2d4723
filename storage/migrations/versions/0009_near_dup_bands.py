"""`near_dup_bands`: the near-duplicate index every writer shares (see `dedup.index`), one row per
LSH band key naming the article that claimed it, and its claim time for the horizon.

The keys of every stored signature are filled in here, oldest article first (so each key's holder
is the first article that had it, as if stored with the index), each key dated by its article's
`created_at` (look-ups then apply the horizon to them as to new ones). Articles without a stored
signature (empty bodies, and rows stored before 0002 whose signature no run has written back) get
no keys: their signature would need the dedup code, which a migration does not import.

The band layout is frozen here as `dedup.index` has it: 18 bands of 7 uint32 values, each hashed
with its band number by BLAKE2b to a signed 64-bit key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from hashlib import blake2b
from typing import Any

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BANDS, _ROWS = 18, 7
_CHUNK = 1_000  # articles read and keys written per round trip


def _keys(signature: bytes) -> list[int]:
    step = _ROWS * 4
    if len(signature) < _BANDS * step:
        return []
    return [
        int.from_bytes(blake2b(bytes((band,)) + signature[band * step : (band + 1) * step], digest_size=8).digest(), "little", signed=True)
        for band in range(_BANDS)
    ]


def _rows(connection: sa.Connection) -> Iterator[list[dict[str, Any]]]:
    """Key rows in chunks, oldest article first; created_at is passed on as the driver gives it."""
    last = 0
    select = sa.text(
        "SELECT id, minhash, created_at FROM articles WHERE minhash IS NOT NULL AND id > :last ORDER BY id LIMIT :n"
    )
    while True:
        articles = connection.execute(select, {"last": last, "n": _CHUNK}).all()
        if not articles:
            return
        yield [{"k": key, "a": a, "c": created} for a, signature, created in articles for key in _keys(bytes(signature))]
        last = articles[-1][0]


def upgrade() -> None:
    op.create_table(
        "near_dup_bands",
        sa.Column("band_key", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_near_dup_bands_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band_key", name=op.f("pk_near_dup_bands")),
    )
    with op.batch_alter_table("near_dup_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_near_dup_bands_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_near_dup_bands_created_at"), ["created_at"], unique=False)
    connection = op.get_bind()
    insert = sa.text("INSERT INTO near_dup_bands (band_key, article_id, created_at) VALUES (:k, :a, :c) ON CONFLICT (band_key) DO NOTHING")
    for rows in _rows(connection):
        if rows:
            connection.execute(insert, rows)


def downgrade() -> None:
    with op.batch_alter_table("near_dup_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_near_dup_bands_created_at"))
        batch_op.drop_index(batch_op.f("ix_near_dup_bands_article_id"))
    op.drop_table("near_dup_bands")
