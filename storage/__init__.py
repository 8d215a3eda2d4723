"""Storage: SQLAlchemy models, the engine/session factory, the articles repository (data access),
queries and bulk writes, locks, fetch state, the spool, exports and Alembic migrations.

The lowest layer: imports nothing of newspipe's other packages (`dedup`, `pipelines`, `crawler`,
`newspipe`), not even inside functions; which article copies which is decided in `dedup`.
"""
