"""Connection failures: the first one of a host is retried and logged; later ones on a host that
never answered fail at once and quietly (crawler.unreachable)."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost, ConnectionRefusedError

from crawler.unreachable import UnreachableHostsMiddleware


@pytest.fixture
def middleware() -> UnreachableHostsMiddleware:
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    return UnreachableHostsMiddleware.from_crawler(crawler)


def test_a_host_that_never_answered_is_retried_once_and_named_once(
    middleware: UnreachableHostsMiddleware, caplog: pytest.LogCaptureFixture
) -> None:
    refused = ConnectionRefusedError()
    first, second, third = (Request(f"http://127.0.0.1:9/{n}") for n in range(3))
    with caplog.at_level(logging.WARNING, logger="crawler.unreachable"):
        middleware.process_exception(first, refused)
        middleware.process_exception(second, refused)
        middleware.process_exception(third, refused)
    assert "dont_retry" not in first.meta  # the first failure may be a passing one
    assert second.meta["dont_retry"] and third.meta["dont_retry"]
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot connect to 127.0.0.1:9: {refused} (further connection failures on this host are only counted)"
    ]
    assert middleware.stats.get_value("newspipe/fetch/connect_failed") == 3
    assert middleware.stats.get_value("newspipe/fetch/unreachable_hosts") == 1


def test_a_host_that_answered_keeps_its_retries(middleware: UnreachableHostsMiddleware) -> None:
    page = Request("http://127.0.0.1:9/a")
    middleware.process_response(page, Response(page.url, status=200))
    later = [Request(f"http://127.0.0.1:9/{n}") for n in range(3)]
    for request in later:
        middleware.process_exception(request, ConnectionRefusedError())
    assert not any(request.meta.get("dont_retry") for request in later)
    assert middleware.stats.get_value("newspipe/fetch/unreachable_hosts") is None


def test_other_errors_and_other_hosts_are_left_alone(middleware: UnreachableHostsMiddleware) -> None:
    middleware.process_exception(Request("http://127.0.0.1:9/a"), ConnectionRefusedError())
    other_host = Request("http://127.0.0.1:19/a")
    middleware.process_exception(other_host, ConnectionRefusedError())
    lost = Request("http://127.0.0.1:9/b")
    middleware.process_exception(lost, ConnectionLost())  # the host answered, then the connection broke
    assert "dont_retry" not in other_host.meta and "dont_retry" not in lost.meta


def test_robots_txt_of_an_unreachable_host_is_ignored_without_a_traceback(middleware: UnreachableHostsMiddleware) -> None:
    robots = [Request("http://127.0.0.1:9/robots.txt", meta={"dont_obey_robotstxt": True}) for _ in range(2)]
    assert middleware.process_exception(robots[0], ConnectionRefusedError()) is None  # retried once
    with pytest.raises(IgnoreRequest, match="cannot connect to 127.0.0.1:9 for robots.txt"):
        middleware.process_exception(robots[1], ConnectionRefusedError())
