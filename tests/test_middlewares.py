"""BackoffRetryMiddleware: unit tests in process, and real retries against the fixture server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from crawlutil import FixtureServer, Reply, fixture_server, run_crawl, write_sources  # noqa: F401
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from crawler.middlewares import BackoffRetryMiddleware, parse_retry_after

NOW = datetime(2025, 10, 28, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"1", 1.0),
        ("120", 120.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # in the past: no wait
        (b"soon", None),
        (b"", None),
        (None, None),
        (b"-5", None),
    ],
)
def test_parse_retry_after(value, expected) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def make(settings: dict | None = None) -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, settings or {})
    crawler.spider = Spider("test")
    crawler.spider.crawler = crawler
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_not_configured_when_retry_disabled() -> None:
    with pytest.raises(NotConfigured):
        make({"RETRY_ENABLED": False})


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    mw = make({"NEWSPIPE_RETRY_BACKOFF_BASE": 2.0, "NEWSPIPE_RETRY_BACKOFF_MAX": 10.0})
    for retry_times, full in [(0, 2.0), (1, 4.0), (2, 8.0), (3, 10.0), (10, 10.0)]:
        delays = {mw.backoff(retry_times) for _ in range(20)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1  # jittered


def test_retry_after_wins_and_is_capped() -> None:
    mw = make({"NEWSPIPE_RETRY_BACKOFF_MAX": 30.0})
    request = Request("https://example.com/a")
    assert mw.delay_for(request, Response(request.url, status=503, headers={"Retry-After": "7"})) == 7.0
    assert mw.delay_for(request, Response(request.url, status=503, headers={"Retry-After": "3600"})) == 30.0


def test_gives_up_with_the_response_after_retry_times() -> None:
    mw = make({"RETRY_TIMES": 1})
    request = Request("https://example.com/a", meta={"retry_times": 1})
    response = Response(request.url, status=503, headers={"Retry-After": "0"})
    assert asyncio.run(mw.process_response(request, response)) is response
    assert mw.crawler.stats.get_value("retry/max_reached") == 1


def test_retries_codes_and_leaves_others_alone() -> None:
    mw = make()
    request = Request("https://example.com/a")
    ok = Response(request.url, status=404)
    assert asyncio.run(mw.process_response(request, ok)) is ok
    retried = asyncio.run(mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "0"})))
    assert isinstance(retried, Request) and retried.meta["retry_times"] == 1
    assert mw.crawler.stats.get_value("retry/reason_count/429 Unknown Status") == 1
    no_retry = Request("https://example.com/b", meta={"dont_retry": True})
    busy = Response(no_retry.url, status=503)
    assert asyncio.run(mw.process_response(no_retry, busy)) is busy


def test_request_meta_overrides_retry_times_and_priority_as_scrapys_middleware_does() -> None:
    mw = make({"RETRY_TIMES": 1, "RETRY_PRIORITY_ADJUST": -1, "NEWSPIPE_RETRY_BACKOFF_BASE": 0.0})  # no wait
    request = Request("https://example.com/a", priority=5, meta={"retry_times": 1, "max_retry_times": 3, "priority_adjust": 2})
    retried = asyncio.run(mw.process_response(request, Response(request.url, status=503, headers={"Retry-After": "0"})))
    assert isinstance(retried, Request) and retried.meta["retry_times"] == 2 and retried.priority == 7 and retried.dont_filter
    plain = asyncio.run(mw.process_exception(Request("https://example.com/b", priority=5), TimeoutError()))
    assert isinstance(plain, Request) and plain.priority == 4
    assert mw.crawler.stats.get_value("retry/count") == 2
    assert mw.crawler.stats.get_value("retry/reason_count/builtins.TimeoutError") == 1


def _sources(tmp_path: Path, server: FixtureServer) -> str:
    return write_sources(tmp_path / "sources.toml", f'[[source]]\nname = "local"\ndomains = ["{server.netloc}"]\n')


@pytest.mark.parametrize(
    ("status", "headers", "min_wait"),
    [(503, {"Retry-After": "1"}, 1.0), (429, {}, 0.0), (429, {"Retry-After": "1"}, 1.0)],
    ids=["503-retry-after", "429-backoff", "429-retry-after"],
)
def test_retried_then_fetched(tmp_path: Path, fixture_server: FixtureServer, status, headers, min_wait) -> None:
    s = fixture_server
    s.sequence(
        "/busy-story-page-here",
        [
            Reply(status, b"busy", {"Content-Type": "text/plain", **headers}),
            Reply(200, s.render("article.html"), {"Content-Type": "text/html; charset=utf-8"}),
        ],
    )
    result = run_crawl("urls", {"NEWSPIPE_SOURCES_FILE": _sources(tmp_path, s)}, {"urls": s.url("/busy-story-page-here")})
    assert result.error is None, result.error
    [item] = result.items
    assert item.status == 200 and "Body text" in item.html
    assert s.hits["/busy-story-page-here"] == 2
    assert result.stat("retry/count") == 1
    assert result.stat("newspipe/retry/wait_seconds") >= min_wait
    assert result.stat("newspipe/retry/wait_seconds") > 0


def test_retries_exhausted_counts_the_error(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/always-busy-story-here", "busy", status=503, headers={"Retry-After": "0"})
    result = run_crawl(
        "urls",
        {"NEWSPIPE_SOURCES_FILE": _sources(tmp_path, s), "RETRY_TIMES": 2},
        {"urls": s.url("/always-busy-story-here")},
    )
    assert result.error is None, result.error
    assert result.items == []
    assert s.hits["/always-busy-story-here"] == 3
    assert result.stat("retry/max_reached") == 1
    assert result.stat("newspipe/fetch/http_503") == 1


def test_network_errors_are_retried_with_backoff(tmp_path: Path) -> None:
    import socket

    from crawler import settings as project_settings

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_crawl(
        "urls",
        # No robots.txt fetch: it would be retried too. Without UnreachableHostsMiddleware, which
        # stops retrying a host that never answered (tests/test_unreachable.py).
        {
            "NEWSPIPE_SOURCES_FILE": str(tmp_path / "none.toml"), "RETRY_TIMES": 2, "ROBOTSTXT_OBEY": False,
            "DOWNLOADER_MIDDLEWARES": {**project_settings.DOWNLOADER_MIDDLEWARES, "crawler.unreachable.UnreachableHostsMiddleware": None},
        },
        {"urls": f"http://127.0.0.1:{port}/unreachable-story-here"},
    )
    assert result.error is None, result.error
    assert result.items == []
    assert result.stat("retry/count") == 2
    assert result.stat("retry/max_reached") == 1
    assert result.stat("newspipe/retry/wait_seconds") > 0
    assert any(key.startswith("newspipe/fetch/error/") for key in result.stats)


def _robots_waiters_blocked(middleware_cls: type) -> list[bool]:
    """Three requests for /private/ pages of one host arrive before its robots.txt ("Disallow:
    /private/") is downloaded; for each, whether the middleware refused it."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import TextResponse

    async def scenario() -> list[bool]:
        release = asyncio.get_running_loop().create_future()

        class Engine:
            async def download_async(self, request: Request) -> Response:
                await release  # robots.txt is slow to come
                return TextResponse(request.url, body=b"User-agent: *\nDisallow: /private/\n", request=request)

        crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True})
        crawler.engine = Engine()  # type: ignore[assignment]
        middleware = middleware_cls.from_crawler(crawler)
        tasks = [asyncio.ensure_future(middleware.process_request(Request(f"http://news.example/private/{n}"))) for n in range(3)]
        await asyncio.sleep(0.01)  # the first asked for robots.txt, the other two wait for it
        release.set_result(None)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        return [isinstance(outcome, IgnoreRequest) for outcome in outcomes]

    return asyncio.run(scenario())


def test_every_request_that_waited_for_robots_txt_obeys_it() -> None:
    from crawler.robots import RobotsTxtMiddleware

    assert _robots_waiters_blocked(RobotsTxtMiddleware) == [True, True, True]


def test_scrapys_robots_middleware_lets_the_third_waiter_through() -> None:
    # The bug RobotsTxtMiddleware works around (Scrapy 2.19, asyncio): when this starts failing,
    # Scrapy has fixed it (crawler.robots.RobotsTxtMiddleware keeps its own waiters anyway).
    from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

    assert _robots_waiters_blocked(RobotsTxtMiddleware) == [True, True, False]


def test_the_settings_use_newspipes_robots_middleware() -> None:
    from crawler.runner import build_settings

    middlewares = build_settings({}).getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert middlewares["crawler.robots.RobotsTxtMiddleware"] == 100
