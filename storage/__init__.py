"""Storage: SQLAlchemy models, the engine/session factory, queries, bulk writes, locks, fetch state,
the spool, exports and Alembic migrations. It stores; it decides no policy
(which article copies which is decided in `dedup`).

A bottom layer: imports nothing of the project outside `storage` but the article model it writes
(`articles.ArticleRecord`, held by `repository.NewArticle`), and reads no environment (the
database URL is handed in; Alembic's own entry script `migrations/env.py` is the one exception).
tests/test_import_layers.py checks this.
"""
