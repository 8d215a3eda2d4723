"""The download handler's pool of kept-alive connections: sized for the most concurrent source."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings

from crawler.handlers import kept_alive_per_host

REPO = Path(__file__).resolve().parent.parent


def test_pool_keeps_a_connection_per_request_the_most_concurrent_slot_runs() -> None:
    settings = Settings({"CONCURRENT_REQUESTS_PER_DOMAIN": 4})
    assert kept_alive_per_host(settings) == 4
    settings.set("DOWNLOAD_SLOTS", {"a.test": {"concurrency": 16, "delay": 0}, "b.test": {"delay": 2.0}})
    assert kept_alive_per_host(settings) == 16
    settings.set("DOWNLOAD_SLOTS", {"a.test": {"concurrency": 2}})
    assert kept_alive_per_host(settings) == 4  # never fewer than Scrapy's own


def test_crawls_use_it_for_http_and_https() -> None:
    # Built in a child process: building it installs a Twisted reactor.
    code = (
        "import json; from scrapy.utils.test import get_crawler; from scrapy import Spider\n"
        "from scrapy.utils.reactor import install_reactor\n"
        "install_reactor('twisted.internet.asyncioreactor.AsyncioSelectorReactor')\n"
        "from crawler.runner import build_settings\n"
        "from scrapy.utils.misc import load_object\n"
        "s = build_settings({'DOWNLOAD_SLOTS': {'a.test': {'concurrency': 12}}})\n"
        "c = get_crawler(Spider, {k: s[k] for k in ('DOWNLOAD_HANDLERS', 'DOWNLOAD_SLOTS', 'CONCURRENT_REQUESTS_PER_DOMAIN', 'TWISTED_REACTOR')})\n"
        "h = {k: load_object(v)(c) for k, v in s.getdict('DOWNLOAD_HANDLERS').items()}\n"
        "print(json.dumps({k: [type(v).__name__, v._pool.maxPersistentPerHost] for k, v in h.items()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "http": ["PooledHTTPDownloadHandler", 12],
        "https": ["PooledHTTPDownloadHandler", 12],
    }
