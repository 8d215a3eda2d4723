"""Connection failures: one log line per host, and no retry storm on a host that never answered.

With no network (or a publisher down), every request fails at the connection. Scrapy would retry
each one RETRY_TIMES times with backoff and log each failure, with a traceback for robots.txt:
a minute and hundreds of lines saying one thing. `UnreachableHostsMiddleware` (a downloader
middleware placed inside the retry middleware, so it sees every attempt's exception first):

- logs the first connection failure of each host as one WARNING line;
- lets that first failure be retried, but marks later connection failures to a host that has
  not answered any request `dont_retry`, so they fail at once (a host that answered once keeps
  the ordinary retries: its failure may be a passing one);
- turns the final connection failure of a robots.txt request into `IgnoreRequest`, which the
  robots.txt middleware takes as "no robots.txt" without logging a traceback.

Stats: `newspipe/fetch/connect_failed` (connection failures, every attempt counted),
`newspipe/fetch/unreachable_hosts` (hosts whose first connection failed). The CLI reads them with
`response_received_count` to say once that no host could be reached. No settings of its own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import exceptions as scrapy_exceptions
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectError

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Scrapy 2.14+ wraps Twisted's connection errors in its own; older ones raise Twisted's.
CONNECT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectError,
    *(
        error
        for error in (
            getattr(scrapy_exceptions, "DownloadConnectionRefusedError", None),
            getattr(scrapy_exceptions, "CannotResolveHostError", None),
        )
        if error is not None
    ),
)


def is_connect_error(exception: BaseException) -> bool:
    return isinstance(exception, CONNECT_ERRORS)


class UnreachableHostsMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.failing: set[str] = set()  # hosts whose connections failed and that have not answered since
        self.answered: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        host = urlparse_cached(request).netloc
        self.answered.add(host)
        self.failing.discard(host)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not is_connect_error(exception):
            return None
        host = urlparse_cached(request).netloc
        self.stats.inc_value("newspipe/fetch/connect_failed")
        if host in self.failing and host not in self.answered:
            request.meta["dont_retry"] = True  # the retry middleware passes it on, without a line of its own
            if _is_robots_txt(request):
                raise IgnoreRequest(f"cannot connect to {host} for robots.txt: {exception}")
            return None
        if host not in self.failing and host not in self.answered:
            self.stats.inc_value("newspipe/fetch/unreachable_hosts")
            logger.warning(
                "cannot connect to %(host)s: %(reason)s (further connection failures on this host are only counted)",
                {"host": host, "reason": exception},
            )
        self.failing.add(host)
        return None


def _is_robots_txt(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"
