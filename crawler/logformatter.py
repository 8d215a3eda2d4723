"""Log lines for scraped and dropped items that name the URL instead of dumping the page."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class NewspipeLogFormatter(logformatter.LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Stored %(url)s", "args": {"url": getattr(item, "url", "?")}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        level = getattr(exception, "log_level", None) or "INFO"
        return {
            "level": logging.getLevelName(level) if isinstance(level, str) else level,
            "msg": "Skipped %(url)s: %(reason)s",
            "args": {"url": getattr(item, "url", "?"), "reason": exception},
        }
