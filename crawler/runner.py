"""Run a crawl in this process and report how it went: what the CLI's crawl, fetch and demo call.

Builds Scrapy settings from `crawler.settings` plus the run's own values (database,
sources, window, progress), runs one spider to the end, and returns its outcome.
With a `lock_name` the run first takes that job's run lock in the database
(`storage.locks`, NEWSPIPE_LOCK_HEARTBEAT_SECONDS, NEWSPIPE_LOCK_STALE_SECONDS) and
raises `LockHeld` when another live run holds it; its token goes into the settings
(NEWSPIPE_RUN_LOCK_TOKEN) so the run record names it. The outcome's status and errors are
`crawler.outcome.verdict`'s. A run recorded as started whose end the crawl did not record (a
second Ctrl-C stops the reactor at once) is closed here as "interrupted". NEWSPIPE_LOG_FORMAT = "json" puts
`crawler.logjson`'s handler in place of Scrapy's (LOG_LEVEL, LOG_FILE). The cyclic garbage
collector is paused until the engine starts, and the start-up's objects frozen until the run
ends (`crawler.startupgc`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

# The download handler's module first, before Scrapy's engine loads it: importing it imports
# Scrapy's TLS context factories, whose deprecation shims call `inspect.stack()` three times, and
# each call costs in proportion to the frames on the stack times the modules loaded. Here, at
# the top of the process's first Scrapy import, that is 0.06 CPU-s; from inside the engine's
# start-up it was 0.15 (BENCHMARKS.md, "Crawl start-up"). The crawl needs the module anyway.
import crawler.handlers  # noqa: F401, I001
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings, default_settings

from storage.engine import Database, resolve_database_url

from crawler import settings as defaults
from crawler import startupgc
from crawler.extensions.runs import record_interrupted, run_counts
from crawler.outcome import Verdict, verdict


@dataclass(slots=True)
class CrawlOutcome:
    spider: str
    reason: str
    verdict: Verdict  # status (finished, failed or interrupted) and the errors that failed the run
    run_id: int | None
    counts: dict[str, int]
    stats: dict[str, Any] = field(repr=False)

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def ok(self) -> bool:
        return self.verdict.ok


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
    from storage.locks import RunLock

    with _database(settings) as database:
        lock = RunLock(
            database.sessions,
            lock_name,
            heartbeat_every=settings.getfloat("NEWSPIPE_LOCK_HEARTBEAT_SECONDS", defaults.NEWSPIPE_LOCK_HEARTBEAT_SECONDS),
            stale_after=timedelta(seconds=settings.getfloat("NEWSPIPE_LOCK_STALE_SECONDS", defaults.NEWSPIPE_LOCK_STALE_SECONDS)),
            bounded=database.bounded,
        )
        with lock:  # LockHeld propagates: the caller reports it
            settings.set("NEWSPIPE_RUN_LOCK_TOKEN", lock.token, priority="cmdline")
            return _run(spider, settings, **spider_kwargs)


def _database(settings: Settings) -> Database:
    return Database(
        resolve_database_url(settings.get("NEWSPIPE_DATABASE_URL")), statement_timeout=settings.getfloat("NEWSPIPE_STATEMENT_TIMEOUT", defaults.NEWSPIPE_STATEMENT_TIMEOUT)
    )


# The root logger, and Scrapy's, which Scrapy's logging set-up puts at DEBUG.
_LOGGERS = ("", "scrapy")


def _refuse_below(level: str | int) -> None:
    """Loggers refuse records below the crawl's LOG_LEVEL themselves. Scrapy's and the JSON root
    handler drop them, but leave the root logger at NOTSET (and Scrapy's at DEBUG): every debug
    call (trafilatura makes a dozen per page, Scrapy two per article) made a record and looked up
    its caller, only for the handler to throw it away."""
    number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(number, int):
        return  # not a level name: Scrapy's handler reports it
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < number:
            logger.setLevel(number)


def _crawler_process(settings: Settings, *, own_root_handler: bool) -> CrawlerProcess:
    """Scrapy's process; with `own_root_handler` (the JSON log format) Scrapy installs no root
    handler of its own. Scrapy 2.19 reads LOG_INSTALL_ROOT_HANDLER (and deprecates the
    constructor's argument); 2.18, the declared minimum, knows only the argument, and with the
    setting alone wrote every line twice, once as text."""
    if own_root_handler and not hasattr(default_settings, "LOG_INSTALL_ROOT_HANDLER"):
        return CrawlerProcess(settings, install_root_handler=False)
    return CrawlerProcess(settings)


def _run(spider: str, settings: Settings, **spider_kwargs: Any) -> CrawlOutcome:
    json_handler = None
    if settings.get("NEWSPIPE_LOG_FORMAT") == "json":
        from crawler.logjson import install_json_logging

        # Installed before Scrapy's first lines; Scrapy then installs no handler of its own.
        json_handler = install_json_logging(settings.get("LOG_LEVEL"), settings.get("LOG_FILE"))
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    levels = {name: logging.getLogger(name).level for name in _LOGGERS}
    startupgc.pause()
    try:
        process = _crawler_process(settings, own_root_handler=json_handler is not None)
        crawler = process.create_crawler(spider)  # (re)installs Scrapy's root handler: the root logger at NOTSET
        if json_handler is not None or (crawler.settings.getbool("LOG_ENABLED") and crawler.settings.getbool("LOG_INSTALL_ROOT_HANDLER")):
            _refuse_below(crawler.settings.get("LOG_LEVEL"))
        crawler.signals.connect(startupgc.resume, signal=signals.engine_started)
        process.crawl(crawler, **spider_kwargs)
        process.start()
    finally:
        startupgc.finish()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        if json_handler is not None:
            logging.root.removeHandler(json_handler)
            json_handler.close()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    run_id = stats.get("newspipe/run_id")
    reason = str(stats.get("finish_reason", "unknown"))
    if run_id is not None and "newspipe/run_status" not in stats:  # stopped before the run's end was recorded
        reason = "shutdown"
        with _database(settings) as database:
            record_interrupted(database, run_id, stats)
    return CrawlOutcome(spider=spider, reason=reason, verdict=verdict(reason, stats), run_id=run_id, counts=run_counts(stats), stats=stats)
