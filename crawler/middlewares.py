"""Downloader middlewares: retries that wait before trying again; robots.txt for every waiting request.

`BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware (same settings,
same `retry/...` stats, same `dont_retry`/`max_retry_times` meta keys) but
waits before handing the retry back: the response's `Retry-After` (seconds
or an HTTP date) when present, else exponential backoff
`NEWSPIPE_RETRY_BACKOFF_BASE * 2**retry_times` with jitter; both capped by
`NEWSPIPE_RETRY_BACKOFF_MAX`. The wait is a non-blocking sleep on the
reactor's event loop, so other requests carry on meanwhile.

Settings: RETRY_ENABLED (off: NotConfigured), RETRY_TIMES, RETRY_HTTP_CODES,
RETRY_EXCEPTIONS, RETRY_PRIORITY_ADJUST, NEWSPIPE_RETRY_BACKOFF_BASE,
NEWSPIPE_RETRY_BACKOFF_MAX. Stats: retry/count, retry/reason_count/<reason>,
retry/max_reached, newspipe/retry/wait_seconds (total seconds waited).

`RobotsTxtMiddleware` replaces Scrapy's (same settings, same stats) to fix how requests that
wait for a host's robots.txt get its rules. Scrapy's parks them on one Deferred, and under the
asyncio reactor each waiter is a `Deferred.asFuture` callback, which passes None down the
chain: the first waiter gets the parser, every later one gets None, which means "no
robots.txt, allow everything". So when three or more requests for a host arrive before its
robots.txt is in (a worker popping a burst of one site's articles from Redis does exactly
that), the third and later ones are fetched whatever robots.txt says. Here only the first
request for a host goes through Scrapy's fetch (and gets the parser back); the others wait on a
Deferred of their own and get the same parser (or the same error).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred

try:
    from scrapy.utils.asyncio import sleep
except ImportError:  # Scrapy < 2.18

    async def sleep(seconds: float) -> None:
        # The reactor is imported here, not at import time: importing it installs the default
        # reactor, and Scrapy then refuses the asyncio one its settings ask for.
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, backoff_base: float = 1.0, backoff_max: float = 60.0):
        super().__init__(settings)  # raises NotConfigured when RETRY_ENABLED is false
        self.backoff_base = max(0.0, backoff_base)
        self.backoff_max = max(0.0, backoff_max)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        o = cls(
            settings,
            backoff_base=settings.getfloat("NEWSPIPE_RETRY_BACKOFF_BASE", 1.0),
            backoff_max=settings.getfloat("NEWSPIPE_RETRY_BACKOFF_MAX", 60.0),
        )
        o.crawler = crawler
        return o

    def backoff(self, retry_times: int) -> float:
        """Exponential backoff for the n-th retry (0-based) with "equal jitter": half fixed, half random."""
        delay = min(self.backoff_max, self.backoff_base * 2**retry_times)
        return delay / 2 + random.uniform(0, delay / 2)

    def delay_for(self, request: Request, response: Response | None = None) -> float:
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(self.backoff_max, retry_after)
        return self.backoff(request.meta.get("retry_times", 0))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self.retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(request, self.delay_for(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self.retry_request(request, exception)
        if retry is None:
            return None
        await self._wait(request, self.delay_for(request))
        return retry

    def retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """The retry of `request`, or None when its retries are used up: Scrapy's public
        get_retry_request, with the per-request meta overrides RetryMiddleware honours."""
        assert self.crawler.spider is not None  # downloads run inside an open spider
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def _wait(self, request: Request, delay: float) -> None:
        if delay <= 0:
            return
        logger.debug("waiting %.2fs before retrying %s", delay, request)
        self.crawler.stats.inc_value("newspipe/retry/wait_seconds", delay)
        await sleep(delay)


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # raises NotConfigured when ROBOTSTXT_OBEY is off
        # Our own record per host (Scrapy keeps its own in a private attribute): the parser, or None
        # (no usable robots.txt), once known; until then the waiters, each with its own Deferred.
        self.parsers: dict[str, RobotParser | None] = {}
        self.waiting: dict[str, list[Deferred[RobotParser | None]]] = {}

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc in self.parsers:
            return self.parsers[netloc]
        if netloc in self.waiting:
            waiter: Deferred[RobotParser | None] = Deferred()
            self.waiting[netloc].append(waiter)
            return await maybe_deferred_to_future(waiter)
        # The first request for a host fetches robots.txt through Scrapy's middleware; it gets the
        # parser itself (only the later waiters of Scrapy's shared Deferred may get None).
        self.waiting[netloc] = []
        try:
            parser = await super().robot_parser(request)
        except BaseException as exc:
            for waiter in self.waiting.pop(netloc):
                waiter.errback(exc)
            raise
        self.parsers[netloc] = parser
        for waiter in self.waiting.pop(netloc):
            waiter.callback(parser)
        return parser
