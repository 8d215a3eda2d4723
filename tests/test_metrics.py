"""Prometheus metrics: the stats-to-metrics mapping, and the endpoint of a running crawl scraped on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from crawler.extensions.metrics import _Snapshot

STORY = "".join(f"<p>Paragraph {i}: the ferry company added a late boat on Fridays after a petition from the island's residents and shop owners.</p>" for i in range(6))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_stats_become_counters_by_outcome_and_reason() -> None:
    snapshot = _Snapshot()
    snapshot.stats = {
        "response_received_count": 12, "newspipe/fetch/not_modified": 2, "downloader/request_count": 14,
        "newspipe/store/new": 7, "newspipe/store/duplicate": 1, "newspipe/extract/skipped/not_html": 3,
        "newspipe/fetch/refused_private": 4, "log_count/ERROR": 2, "spider_exceptions/ValueError": 1,
        "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 5,
        "newspipe/store/batches": 2, "newspipe/store/seconds": 0.5, "newspipe/store/spool_path": "/tmp/x",
    }  # fmt: skip
    snapshot.queue_depth = 9
    registry = CollectorRegistry(auto_describe=False)
    registry.register(snapshot)
    got = samples(generate_latest(registry).decode())
    assert got[("newspipe_pages_fetched_total", ())] == 10  # 304s counted apart
    assert got[("newspipe_not_modified_total", ())] == 2
    assert got[("newspipe_articles_total", (("outcome", "new"),))] == 7
    assert got[("newspipe_articles_total", (("outcome", "duplicate"),))] == 1
    assert got[("newspipe_articles_total", (("outcome", "updated"),))] == 0
    assert got[("newspipe_skips_total", (("reason", "extract/skipped/not_html"),))] == 3
    assert got[("newspipe_skips_total", (("reason", "fetch/refused_private"),))] == 4
    assert got[("newspipe_errors_total", (("reason", "log_error"),))] == 2
    assert got[("newspipe_errors_total", (("reason", "spider_ValueError"),))] == 1
    assert got[("newspipe_errors_total", (("reason", "download_twisted.internet.error.ConnectionRefusedError"),))] == 5
    assert got[("newspipe_queue_depth", ())] == 9
    assert got[("newspipe_store_seconds_count", ())] == 2 and got[("newspipe_store_seconds_sum", ())] == 0.5


class _SlowSite:
    """A feed of three articles; one answers after a few seconds, so the crawl is still running when scraped."""

    def __init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                if self.path == "/feed.xml":
                    items = "".join(f"<item><title>{n}</title><link>{site.base}/news/2025/10/28/story-{n}/</link></item>" for n in range(3))
                    body, kind = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>', "application/rss+xml"
                elif self.path.startswith("/news/"):
                    if self.path.endswith("story-2/"):
                        time.sleep(6)
                    n = self.path.rstrip("/")[-1]
                    body = f"<html><head><title>Late ferry {n}</title></head><body><article><h1>Late ferry {n} on Fridays</h1>{STORY} Story {n}.</article></body></html>"
                    kind = "text/html; charset=utf-8"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.e2e
def test_a_running_crawl_serves_its_counters(sqlite_url: str, tmp_path: Path) -> None:
    site = _SlowSite()
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "ferry"\nfeeds = ["{site.base}/feed.xml"]\nrobots_sitemaps = false\ndelay = 0\n', encoding="utf-8")
    port = free_port()
    env = {**os.environ, "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    crawl = subprocess.Popen(
        [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", sqlite_url, "--no-progress", "--no-lock", "--metrics-port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and crawl.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                    seen = samples(answer.read().decode())
            except OSError:  # not listening yet
                pass
            if seen.get(("newspipe_pages_fetched_total", ()), 0) >= 3:  # the feed and two articles; one is still slow
                break
            time.sleep(0.2)
        stdout, stderr = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
        site.server.shutdown()
    assert crawl.returncode == 0, stderr[-3000:]
    assert seen.get(("newspipe_pages_fetched_total", ()), 0) >= 3, "the endpoint was not scraped while the crawl ran"
    assert ("newspipe_articles_total", (("outcome", "new"),)) in seen  # written when the batch is (here: at the end)
    assert ("newspipe_queue_depth", ()) in seen and ("newspipe_store_seconds_count", ()) in seen
