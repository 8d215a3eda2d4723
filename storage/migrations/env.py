"""Alembic environment: runs migrations on the connection newspipe hands in, or on sqlalchemy.url."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = config.attributes.get("engine")
    if engine is None:
        import os

        from storage.engine import make_engine, resolve_database_url

        # The `alembic` command's own entry point: the one place under storage/ that reads the
        # environment, as the CLI does for `newspipe db upgrade`.
        url = config.get_main_option("sqlalchemy.url") or resolve_database_url(os.environ.get("NEWSPIPE_DATABASE_URL"))
        engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
