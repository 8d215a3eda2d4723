"""JSON log lines for log shippers (`--log-format json`, NEWSPIPE_LOG_FORMAT = "json").

One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the traceback as
`exception` when there is one. Scrapy logs through the standard logging module, so a crawl gets
this handler on the root logger instead of Scrapy's own (see `crawler.runner`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def install_json_logging(level: str | int, filename: str | None = None) -> logging.Handler:
    """A root handler writing JSON lines at `level` to stderr (or appending to `filename`); returned for removal."""
    handler: logging.Handler = logging.FileHandler(filename, encoding="utf-8") if filename else logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    logging.root.setLevel(logging.NOTSET)  # the handler's level decides, as with Scrapy's own handler
    logging.root.addHandler(handler)
    return handler
