"""Run a crawl in this process and report how it went: what the CLI's crawl, fetch and demo call.

Builds Scrapy settings from `crawler.settings` plus the run's own values (database,
sources, window, progress), runs one spider to the end, and returns its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def run_spider(spider: str, settings: Settings, **spider_kwargs: Any) -> CrawlOutcome:
    """Run `spider` to completion (blocking) and return its outcome. Call once per process."""
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    status = str(stats.get("newspipe/run_status") or ("finished" if reason == "finished" else "failed"))
    return CrawlOutcome(
        spider=spider, reason=reason, status=status, run_id=stats.get("newspipe/run_id"), counts=run_counts(stats), stats=stats
    )
