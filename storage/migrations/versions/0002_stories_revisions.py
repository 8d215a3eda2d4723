"""Stories, article versions, MinHash signatures, fetch state and run locks.

Every existing article gets a story: an original (no duplicate link) starts one, with the
story id equal to its article id; its copies join it. Signatures are left empty and
computed when the near-duplicate index is first built.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:49:04.756681
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('crawl_locks',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('hostname', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('acquired_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_crawl_locks'))
    )
    op.create_table('fetch_state',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=60), nullable=True),
    sa.Column('checked_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fetch_state')),
    sa.UniqueConstraint('url', name=op.f('uq_fetch_state_url'))
    )
    op.create_table('stories',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('original_article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_original_article_id'), ['original_article_id'], unique=False)
        # Added after the table (articles and stories point at each other).
        batch_op.create_foreign_key(
            batch_op.f('fk_stories_original_article_id_articles'), 'articles', ['original_article_id'], ['id'], ondelete='SET NULL'
        )

    op.create_table('article_versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('modified_at', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_versions_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_versions')),
    sa.UniqueConstraint('article_id', 'version', name=op.f('uq_article_versions_article_id'))
    )
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_versions_article_id'), ['article_id'], unique=False)

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('stored_as', sa.String(length=10), server_default='full', nullable=False))
        batch_op.add_column(sa.Column('minhash', sa.LargeBinary(), nullable=True))

    # One story per original; copies join their original's story.
    op.execute(
        "INSERT INTO stories (id, original_article_id, created_at, updated_at) "
        "SELECT id, id, created_at, created_at FROM articles "
        "WHERE id NOT IN (SELECT duplicate_id FROM duplicate_links)"
    )
    op.execute(
        "UPDATE articles SET story_id = COALESCE("
        "(SELECT original_id FROM duplicate_links WHERE duplicate_id = articles.id), id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('stories', 'id'), COALESCE((SELECT MAX(id) FROM stories), 0) + 1, false)"
        )

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.alter_column('story_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False)
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_articles_story_id_stories'), 'stories', ['story_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stories_original_article_id_articles'), type_='foreignkey')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_articles_story_id_stories'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_column('minhash')
        batch_op.drop_column('stored_as')
        batch_op.drop_column('version')
        batch_op.drop_column('story_id')

    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_versions_article_id'))

    op.drop_table('article_versions')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_original_article_id'))

    op.drop_table('stories')
    op.drop_table('fetch_state')
    op.drop_table('crawl_locks')
