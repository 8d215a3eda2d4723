"""A crawl's loggers refuse records below LOG_LEVEL themselves (`crawler.runner._run`).

Scrapy's root handler drops them, but leaves the root logger at NOTSET and Scrapy's own at
DEBUG, so every debug call of a library (trafilatura makes a dozen per page) made a record and
looked up its caller first: a cost per article of the crawl (issue 15). The crawl itself is
replaced here by recording, where it would run, what the loggers let through.
"""

from __future__ import annotations

import logging
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
    assert recording.seen == {"library_debug": False, "scrapy_debug": False, "library_warning": True, "scrapy_info": True}
    assert (logging.root.level, logging.getLogger("scrapy").level) == before  # put back after the crawl


def test_debug_log_level_keeps_debug_records(recording: type[_Recording]) -> None:
    with pytest.raises(_Stop):
        runner.run_spider("news", runner.build_settings({"LOG_LEVEL": "DEBUG"}))
    assert recording.seen["library_debug"] and recording.seen["scrapy_debug"]
