"""Run a crawl in this process and report how it went: what the CLI's crawl, fetch and demo call.

Builds Scrapy settings from `crawler.settings` plus the run's own values (database,
sources, window, progress), runs one spider to the end, and returns its outcome.
With a `lock_name` the run first takes that job's run lock in the database
(`storage.locks`, NEWSPIPE_LOCK_HEARTBEAT_SECONDS, NEWSPIPE_LOCK_STALE_SECONDS) and
raises `LockHeld` when another live run holds it. NEWSPIPE_LOG_FORMAT = "json" puts
`crawler.logjson`'s handler in place of Scrapy's (LOG_LEVEL, LOG_FILE).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.extensions.runs import run_counts


@dataclass(slots=True)
class CrawlOutcome:
    spider: str
    reason: str
    status: str  # finished or failed
    run_id: int | None
    counts: dict[str, int]
    stats: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "finished"


def build_settings(overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def job_lock_name(kind: str, sources_file: str | Path) -> str:
    """The lock name of a crawl job: its kind and sources file (the database is where the lock lives)."""
    path = str(Path(sources_file).expanduser().resolve())
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]
    return f"{kind}:{digest}:{path[-200:]}"


def run_spider(spider: str, settings: Settings, *, lock_name: str | None = None, **spider_kwargs: Any) -> CrawlOutcome:
    """Run `spider` to completion (blocking) and return its outcome. Call once per process."""
    if lock_name is None:
        return _run(spider, settings, **spider_kwargs)
    from storage.engine import Database, resolve_database_url
    from storage.locks import RunLock

    with Database(resolve_database_url(settings.get("NEWSPIPE_DATABASE_URL"))) as database:
        lock = RunLock(
            database.sessions,
            lock_name,
            heartbeat_every=settings.getfloat("NEWSPIPE_LOCK_HEARTBEAT_SECONDS", 30.0),
            stale_after=timedelta(seconds=settings.getfloat("NEWSPIPE_LOCK_STALE_SECONDS", 300.0)),
        )
        with lock:  # LockHeld propagates: the caller reports it
            return _run(spider, settings, **spider_kwargs)


def _run(spider: str, settings: Settings, **spider_kwargs: Any) -> CrawlOutcome:
    json_handler = None
    if settings.get("NEWSPIPE_LOG_FORMAT") == "json":
        from crawler.logjson import install_json_logging

        # Installed before Scrapy's first lines; Scrapy then installs no handler of its own.
        json_handler = install_json_logging(settings.get("LOG_LEVEL"), settings.get("LOG_FILE"))
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spider)
        process.crawl(crawler, **spider_kwargs)
        process.start()
    finally:
        if json_handler is not None:
            logging.root.removeHandler(json_handler)
            json_handler.close()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    status = str(stats.get("newspipe/run_status") or ("finished" if reason == "finished" else "failed"))
    return CrawlOutcome(
        spider=spider, reason=reason, status=status, run_id=stats.get("newspipe/run_id"), counts=run_counts(stats), stats=stats
    )
