"""The Scrapy settings that make a crawl a distributed worker (applied by the `worker` spider).

Reads NEWSPIPE_REDIS_URL (required; without a password only for a loopback host, unless
NEWSPIPE_REDIS_ALLOW_INSECURE: see crawler.distributed.redisurl), NEWSPIPE_REDIS_PREFIX,
NEWSPIPE_REDIS_JOB, NEWSPIPE_REDIS_IDLE_TIMEOUT and NEWSPIPE_REDIS_SOCKET_TIMEOUT; sets scrapy-redis's
settings from them at "spider" priority, so `-s NAME=value` still wins. Articles are stored in batches as in any crawl, with
NEWSPIPE_STORE_HOLD_ITEMS: the store pipeline holds each item until its batch is committed, so
a request is acknowledged in Redis only once its article is in the database (or the spool) and
a killed worker loses nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler import settings as defaults
from crawler.distributed.keys import JobKeys
from crawler.distributed.outage import client_params
from crawler.distributed.redisurl import check_redis_url

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class NotAWorker(ValueError):
    """The worker spider was started without NEWSPIPE_REDIS_URL."""


def worker_settings(settings: BaseSettings) -> dict[str, Any]:
    url = settings.get("NEWSPIPE_REDIS_URL")
    if not url:
        raise NotAWorker("the worker spider needs a Redis URL: NEWSPIPE_REDIS_URL (`newspipe crawl --redis URL`)")
    check_redis_url(url, allow_insecure=settings.getbool("NEWSPIPE_REDIS_ALLOW_INSECURE"))
    keys = JobKeys.from_settings(settings)
    idle = max(0, settings.getint("NEWSPIPE_REDIS_IDLE_TIMEOUT", defaults.NEWSPIPE_REDIS_IDLE_TIMEOUT))
    return {
        "REDIS_URL": url,
        "REDIS_PARAMS": client_params(settings),
        "SCHEDULER": "crawler.distributed.scheduler.ReliableScheduler",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.CycleDupeFilter",
        "REDIS_START_URLS_KEY": keys.start,
        "MAX_IDLE_TIME_BEFORE_CLOSE": idle,
        "NEWSPIPE_STORE_HOLD_ITEMS": True,
    }


def apply_worker_settings(settings: BaseSettings) -> None:
    for name, value in worker_settings(settings).items():
        settings.set(name, value, priority="spider")
