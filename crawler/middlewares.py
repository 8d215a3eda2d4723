"""Downloader middleware: retries that wait before trying again (robots.txt is `crawler.robots`).

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
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.asyncio import sleep  # Scrapy >= 2.18, the declared minimum
from scrapy.utils.response import response_status_message

from crawler import settings as defaults

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
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
            backoff_base=settings.getfloat("NEWSPIPE_RETRY_BACKOFF_BASE", defaults.NEWSPIPE_RETRY_BACKOFF_BASE),
            backoff_max=settings.getfloat("NEWSPIPE_RETRY_BACKOFF_MAX", defaults.NEWSPIPE_RETRY_BACKOFF_MAX),
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
