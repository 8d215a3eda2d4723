"""The crawl's one `Database`, shared by the components of a crawler (pipelines, extensions).

Reads NEWSPIPE_DATABASE_URL (else $NEWSPIPE_DATABASE_URL, else SQLite ./newspipe.db).
Opened lazily on first use, kept per crawler (not per process), closed when the engine stops.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from storage.engine import Database, resolve_database_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_databases: WeakKeyDictionary[Crawler, Database] = WeakKeyDictionary()


def database_for(crawler: Crawler) -> Database:
    database = _databases.get(crawler)
    if database is None:
        url = resolve_database_url(crawler.settings.get("NEWSPIPE_DATABASE_URL"))
        database = Database(url)
        logger.info("storing into %s", database.display_url())
        _databases[crawler] = database
        crawler.signals.connect(lambda: _close(crawler), signal=signals.engine_stopped, weak=False)
    return database


def _close(crawler: Crawler) -> None:
    database = _databases.pop(crawler, None)
    if database is not None:
        database.close()
