"""Storage: SQLAlchemy models, the engine/session factory, a small repository and Alembic migrations."""
