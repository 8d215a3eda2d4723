"""A crawl's loggers refuse records below LOG_LEVEL themselves (`crawler.runner._run`).

Scrapy's root handler drops them, but leaves the root logger at NOTSET and Scrapy's own at
DEBUG, so every debug call of a library (trafilatura makes a dozen per page) made a record and
looked up its caller first: a cost per article of the crawl (issue 15). The crawl itself is
replaced here by recording, where it would run, what the loggers let through.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import CrawlerProcess

from crawler import runner

LIBRARY = "trafilatura.main_extractor"  # any library logger that leaves its level to the root


class _Recording(CrawlerProcess):
    """CrawlerProcess as the runner uses it, minus the reactor: `start` records the loggers, then
    stops the run (`_Stop`)."""

    seen: dict[str, bool] = {}

    def crawl(self, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        return None

    def start(self, *args: Any, **kwargs: Any) -> None:
        _Recording.seen = {
            "library_debug": logging.getLogger(LIBRARY).isEnabledFor(logging.DEBUG),
            "scrapy_debug": logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG),
            "library_warning": logging.getLogger(LIBRARY).isEnabledFor(logging.WARNING),
            "scrapy_info": logging.getLogger("scrapy.core.engine").isEnabledFor(logging.INFO),
            "root_formatters": [type(handler.formatter).__name__ for handler in logging.root.handlers],
        }
        raise _Stop


class _Stop(Exception):
    pass


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> type[_Recording]:
    monkeypatch.setattr(runner, "CrawlerProcess", _Recording)
    _Recording.seen = {}
    return _Recording


def test_debug_records_are_refused_by_the_loggers_during_a_crawl(recording: type[_Recording]) -> None:
    before = logging.root.level, logging.getLogger("scrapy").level
    with pytest.raises(_Stop):
        runner.run_spider("news", runner.build_settings({"LOG_LEVEL": "INFO"}))
    seen = {name: value for name, value in recording.seen.items() if name != "root_formatters"}
    assert seen == {"library_debug": False, "scrapy_debug": False, "library_warning": True, "scrapy_info": True}
    assert (logging.root.level, logging.getLogger("scrapy").level) == before  # put back after the crawl


def test_debug_log_level_keeps_debug_records(recording: type[_Recording]) -> None:
    with pytest.raises(_Stop):
        runner.run_spider("news", runner.build_settings({"LOG_LEVEL": "DEBUG"}))
    assert recording.seen["library_debug"] and recording.seen["scrapy_debug"]



# In a fresh interpreter, as a crawl runs: one crawl per process, no handler left by another test.
_JSON_CRAWL = """
import json, logging
from crawler import runner
from tests.test_runner_logging import _Recording, _Stop
runner.CrawlerProcess = _Recording
try:
    runner.run_spider("news", runner.build_settings({"LOG_LEVEL": "INFO", "NEWSPIPE_LOG_FORMAT": "json"}))
except _Stop:
    pass
print(json.dumps({"during": _Recording.seen["root_formatters"], "after": len(logging.root.handlers)}))
"""


def test_the_json_log_format_is_the_only_root_handler() -> None:
    """Every line a JSON object: Scrapy's text handler is not installed next to it (on Scrapy 2.18,
    the declared minimum, which has no LOG_INSTALL_ROOT_HANDLER, it was: each line came twice)."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", _JSON_CRAWL], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"during": ["JsonFormatter"], "after": 0}, done.stderr[-3000:]
