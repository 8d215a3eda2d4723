"""Extension: the crawl's counters as Prometheus metrics, served over HTTP while it runs.

For long-running workers (`newspipe crawl --redis URL --metrics-port 9410`). Off unless
NEWSPIPE_METRICS_PORT is set; NEWSPIPE_METRICS_ADDRESS is the address the endpoint listens on
(default 127.0.0.1: give 0.0.0.0 to let a Prometheus on another host scrape it).

The endpoint (prometheus-client's own HTTP server, on its thread, with a registry of its own)
never touches the crawl's objects: every NEWSPIPE_METRICS_INTERVAL seconds the reactor thread
copies the stats and the scheduler's queue length into a snapshot, and a scrape reads the
latest snapshot. Metrics, all prefixed `newspipe_`:

- `pages_fetched_total`, `requests_total`, `not_modified_total`
- `articles_total{outcome=new|updated|duplicate|existing|failed|spooled}`
- `skips_total{reason}`: counted skips and refusals (not an article, known URL, private network…)
- `errors_total{reason}`: ERROR log lines, spider exceptions and download exceptions by type
- `queue_depth`: requests waiting in the scheduler (the shared Redis queue for workers)
- `store_seconds` (summary: `_sum`, `_count`): time spent writing batches to the database
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extensions.runs import run_counts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.metrics_core import Metric
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

ARTICLE_OUTCOMES = ("new", "updated", "duplicate", "existing", "failed", "spooled")
_SKIP_PREFIXES = ("newspipe/extract/skipped/", "newspipe/discovery/skipped/", "newspipe/discovery/capped/",
                  "newspipe/discovery/bad_entry/", "newspipe/fetch/refused_")  # fmt: skip
_ERROR_PREFIXES = {"spider_exceptions/": "spider_", "downloader/exception_type_count/": "download_"}


def metric_families(stats: dict[str, Any], queue_depth: int | None) -> Iterator[Metric]:
    """The Prometheus metrics for a snapshot of the crawl's stats."""
    counts = run_counts(stats)
    for name, key, doc in (
        ("pages_fetched", "pages_fetched", "Responses with a body (304s apart)"),
        ("requests", "requests", "Requests sent"),
        ("not_modified", "not_modified", "Conditional requests answered 304 Not Modified"),
    ):
        yield CounterMetricFamily(f"newspipe_{name}", doc, value=counts[key])
    articles = CounterMetricFamily("newspipe_articles", "Articles handled by the store, by outcome", labels=["outcome"])
    for outcome in ARTICLE_OUTCOMES:
        articles.add_metric([outcome], counts[f"articles_{outcome}"])
    yield articles
    skips = CounterMetricFamily("newspipe_skips", "Counted skips and refusals, by reason", labels=["reason"])
    errors = CounterMetricFamily("newspipe_errors", "Errors, by reason", labels=["reason"])
    errors.add_metric(["log_error"], int(stats.get("log_count/ERROR", 0)))
    for key, value in sorted(stats.items()):
        if not isinstance(value, (int, float)):
            continue
        if key.startswith(_SKIP_PREFIXES):
            skips.add_metric([key.removeprefix("newspipe/")], value)
        for prefix, label in _ERROR_PREFIXES.items():
            if key.startswith(prefix) and "/" not in key.removeprefix(prefix):
                errors.add_metric([label + key.removeprefix(prefix)], value)
    yield skips
    yield errors
    if queue_depth is not None:
        yield GaugeMetricFamily("newspipe_queue_depth", "Requests waiting in the scheduler", value=queue_depth)
    yield SummaryMetricFamily(
        "newspipe_store_seconds", "Time spent writing batches to the database",
        count_value=int(stats.get("newspipe/store/batches", 0)), sum_value=float(stats.get("newspipe/store/seconds", 0.0)),
    )  # fmt: skip


class _Snapshot:
    """The prometheus-client collector: serves the latest snapshot taken on the reactor thread."""

    def __init__(self) -> None:
        self.stats: dict[str, Any] = {}
        self.queue_depth: int | None = None

    def collect(self) -> Iterator[Metric]:
        # One read of each attribute: the reactor thread swaps them whole, never mutates them.
        stats, depth = self.stats, self.queue_depth
        yield from metric_families(stats, depth)


class PrometheusMetrics:
    def __init__(self, crawler: Crawler, port: int, address: str, interval: float) -> None:
        self.crawler = crawler
        self.port, self.address, self.interval = port, address, interval
        self.snapshot = _Snapshot()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self.snapshot)
        self._server: Any = None
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        port = crawler.settings.get("NEWSPIPE_METRICS_PORT")
        if port in (None, ""):
            raise NotConfigured  # off unless asked for: no message, so no warning on every crawl
        extension = cls(
            crawler, int(port), crawler.settings.get("NEWSPIPE_METRICS_ADDRESS"), crawler.settings.getfloat("NEWSPIPE_METRICS_INTERVAL")
        )
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        self._server, _thread = start_http_server(self.port, addr=self.address, registry=self.registry)
        logger.info("Prometheus metrics on http://%s:%d/metrics", self.address, self._server.server_port)
        self._loop = task.LoopingCall(self.take_snapshot)
        self._loop.start(self.interval, now=True)

    def take_snapshot(self) -> None:
        assert self.crawler.stats is not None
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        self.snapshot.stats = dict(self.crawler.stats.get_stats())
        self.snapshot.queue_depth = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else None

    def engine_stopped(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
