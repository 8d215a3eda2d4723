"""Extension: `spider.state` kept in the JOBDIR as JSON (Scrapy's SpiderState, without pickle).

Reads JOBDIR (switched off without one). Scrapy's SpiderState unpickles `JOBDIR/spider.state`
when a job resumes, so a file planted there would run code; this one reads and writes the same
file as JSON, and the project settings switch Scrapy's off. A file that is not a JSON object
(e.g. a pickle from before) is refused: an error is logged, `newspipe/jobdir/refused_state`
counted, and the spider starts with an empty state. A state that is not plain JSON when the
spider closes is an error, logged with the value at fault, and the file is left as it was.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REFUSED_STAT = "newspipe/jobdir/refused_state"


class JsonSpiderState:
    def __init__(self, jobdir: str, stats: StatsCollector | None = None) -> None:
        self.path = Path(jobdir, "spider.state")
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonSpiderState:
        jobdir = job_dir(crawler.settings)
        if not jobdir:
            raise NotConfigured
        extension = cls(jobdir, crawler.stats)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        spider.state = self.load()  # type: ignore[attr-defined]

    def spider_closed(self, spider: Spider) -> None:
        state = getattr(spider, "state", {})
        try:
            text = json.dumps(state, allow_nan=False)
        except (TypeError, ValueError) as exc:
            logger.error("spider.state is not plain JSON, not saved to %s: %s", self.path, exc)
            return
        self.path.write_text(text, encoding="utf-8")

    def load(self) -> dict[str, object]:
        if not self.path.exists():
            return {}
        try:
            state = json.loads(self.path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            state = exc
        if isinstance(state, dict):
            return state
        logger.error("refusing %s: not a JSON object (%s); starting with an empty spider.state", self.path, state)
        if self.stats is not None:
            self.stats.inc_value(REFUSED_STAT)
        return {}
