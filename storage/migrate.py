"""Alembic, driven from code: the schema comes from `storage/migrations`, never from create_all.

`upgrade_to_head(engine)` brings any database (new or old) to the latest revision;
`newspipe db upgrade` and opening a `Database` call it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade the schema to the latest revision; True when anything was applied."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return False
    logger.info("upgrading database schema %s -> %s", current or "(empty)", head)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Batch mode rebuilds tables (copy, drop, rename): with foreign keys enforced, dropping
            # the old `articles` would cascade into the tables that point at it. Outside a
            # transaction, as SQLite requires for this pragma; checked again afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                connection.commit()
                if problems:
                    raise RuntimeError(f"schema upgrade left broken foreign keys: {problems[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    return True
