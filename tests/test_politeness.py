"""Politeness: a source's `delay` is kept by AutoThrottle (down to 0), and the crawl's concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest
from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401
from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from typer.testing import CliRunner

from crawler import settings as project_settings
from crawler.extensions.throttle import SourceAutoThrottle
from crawler.spiders.news import NewsSpider

ARTICLES = 8
# The shipped politeness settings (TEST_SETTINGS switch AutoThrottle off and the delay to 0).
SHIPPED = {
    name: getattr(project_settings, name)
    for name in ("DOWNLOAD_DELAY", "DOWNLOAD_DELAY_JITTER", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY")
}
THROTTLE_EXTENSIONS = {
    name: order for name, order in project_settings.EXTENSIONS.items() if name.endswith("AutoThrottle")
}


def project(**overrides: Any) -> dict[str, Any]:
    values = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    return {**values, **overrides}


# -- AutoThrottle keeps a source's delay --------------------------------------------------------


def _throttle(slots: dict[str, Slot], configured: dict[str, Any]) -> tuple[Any, SourceAutoThrottle]:
    # Only the throttle under test: the run recorder's spider_opened is a coroutine, which the
    # synchronous signal sent below would leave un-awaited.
    extensions = {name: None for name in project_settings.EXTENSIONS}
    crawler = get_crawler(settings_dict=project(DOWNLOAD_SLOTS=configured, EXTENSIONS=extensions))
    crawler.engine = Mock()
    crawler.engine.downloader.slots = slots
    throttle = SourceAutoThrottle(crawler)
    crawler.signals.send_catch_log(signals.spider_opened, spider=Mock())
    return crawler, throttle


def _slow_answer(crawler: Any, key: str, latency: float = 4.0) -> None:
    request = Request("http://a.example/", meta={"download_slot": key, "download_latency": latency})
    response = Response(request.url, status=200, request=request)
    crawler.signals.send_catch_log(signals.response_downloaded, response=response, request=request, spider=Mock())


def test_autothrottle_keeps_a_sources_delay_and_adapts_other_hosts() -> None:
    slots = {"zero.example": Slot(4, 0.0, 0), "half.example": Slot(1, 0.5, 0), "other.example": Slot(4, 0.5, 0)}
    crawler, _ = _throttle(slots, {"zero.example": {"delay": 0}, "half.example": {"delay": 0.5, "concurrency": 1}})
    for key in slots:
        _slow_answer(crawler, key)
    assert slots["zero.example"].delay == 0.0  # Scrapy's would have raised it to 2 s (latency / target)
    assert slots["half.example"].delay == 0.5
    assert slots["other.example"].delay > 0.5  # no source delay: AutoThrottle's, as in Scrapy


def test_start_delay_is_capped_at_download_delay() -> None:
    crawler = get_crawler(NewsSpider, project(NEWSPIPE_SOURCES_FILE="", DOWNLOAD_DELAY=0.0, AUTOTHROTTLE_START_DELAY=1.0))
    assert crawler.settings.getfloat("AUTOTHROTTLE_START_DELAY") == 0.0


# -- against a local server: request times ------------------------------------------------------


def _feed(server: FixtureServer) -> str:
    items = "".join(
        f"<item><title>Story {n}</title><link>{server.url(f'/story/{n}')}</link></item>" for n in range(ARTICLES)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def _gaps_between_articles(tmp_path: Path, server: FixtureServer, delay: float) -> list[float]:
    server.route("/feed.xml", _feed(server), content_type="application/rss+xml")
    text = (
        f'[[source]]\nname = "site"\ndomains = ["{server.netloc}"]\nfeeds = ["{server.url("/feed.xml")}"]\n'
        f"robots_sitemaps = false\ndelay = {delay}\nconcurrency = 1\n"
    )
    path = write_sources(tmp_path / "sources.toml", text)
    result = run_crawl("feeds", {"NEWSPIPE_SOURCES_FILE": path, **SHIPPED, "EXTENSIONS": THROTTLE_EXTENSIONS}, timeout=120)
    assert result.error is None, result.error
    assert result.stat("newspipe/discovery/articles") == ARTICLES
    times = [t for p, t in zip(server.requested, server.times) if p.startswith("/story/")]
    assert len(times) == ARTICLES
    return [later - earlier for earlier, later in zip(times, times[1:])]


def test_delay_zero_is_honoured_with_autothrottle_on(tmp_path: Path, fixture_server: FixtureServer) -> None:
    gaps = _gaps_between_articles(tmp_path, fixture_server, 0)
    # Before: AutoThrottle raised the slot to DOWNLOAD_DELAY (0.5 s +-50 %) after the first answer.
    assert sum(gap >= 0.2 for gap in gaps) <= len(gaps) // 2, gaps


def test_a_sources_delay_still_spaces_its_requests(tmp_path: Path, fixture_server: FixtureServer) -> None:
    gaps = _gaps_between_articles(tmp_path, fixture_server, 0.5)
    # 0.5 s with DOWNLOAD_DELAY_JITTER's +-50 %: never under 0.25 s.
    assert sum(gap >= 0.2 for gap in gaps) >= len(gaps) - 1, gaps


# -- concurrency for the whole crawl ------------------------------------------------------------


def _sources(tmp_path: Path, concurrencies: list[int | None]) -> str:
    text = ""
    for n, concurrency in enumerate(concurrencies):
        text += f'[[source]]\nname = "s{n}"\nfeeds = ["https://s{n}.example/feed.xml"]\n'
        if concurrency is not None:
            text += f"concurrency = {concurrency}\n"
    return write_sources(tmp_path / "sources.toml", text)


@pytest.mark.parametrize(
    ("concurrencies", "expected"),
    [
        ([2, 2], 16),  # at least the shipped CONCURRENT_REQUESTS
        ([2] * 30, 60),
        ([None] * 10, 40),  # CONCURRENT_REQUESTS_PER_DOMAIN each
        ([8] * 100, 256),  # at most NEWSPIPE_CONCURRENCY_MAX
    ],
)
def test_concurrency_is_derived_from_the_sources(tmp_path: Path, concurrencies: list[int | None], expected: int) -> None:
    crawler = get_crawler(NewsSpider, project(NEWSPIPE_SOURCES_FILE=_sources(tmp_path, concurrencies)))
    assert crawler.settings.getint("CONCURRENT_REQUESTS") == expected


def test_concurrency_setting_overrides_the_derived_value(tmp_path: Path) -> None:
    path = _sources(tmp_path, [2] * 30)
    assert get_crawler(NewsSpider, project(NEWSPIPE_SOURCES_FILE=path, NEWSPIPE_CONCURRENCY=5)).settings.getint("CONCURRENT_REQUESTS") == 5
    assert get_crawler(NewsSpider, project(NEWSPIPE_SOURCES_FILE=path, NEWSPIPE_CONCURRENCY=0)).settings.getint("CONCURRENT_REQUESTS") == 60


class _Started(Exception):
    pass


def test_crawl_concurrency_option_reaches_scrapy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.cli as cli
    from scrapy.crawler import CrawlerRunner

    seen: list[int] = []

    def run_spider(spider: str, settings: Any, **kwargs: Any) -> Any:
        seen.append(CrawlerRunner(settings).create_crawler(spider).settings.getint("CONCURRENT_REQUESTS"))
        raise _Started

    monkeypatch.setattr("crawler.runner.run_spider", run_spider)  # the command imports it when it runs
    path = _sources(tmp_path, [2] * 30)
    db = f"sqlite:///{tmp_path / 'n.db'}"
    for extra, expected in (([], 60), (["--concurrency", "3"], 3), (["--concurrency", "0"], 60)):
        result = CliRunner().invoke(cli.app, ["crawl", path, "--db", db, "--no-progress", *extra])
        assert isinstance(result.exception, _Started), result.output
        assert seen[-1] == expected
