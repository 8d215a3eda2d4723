"""`newspipe crawl` sends its first request before loading what only pages and items need.

The crawl runs in-process inside a fresh interpreter (`tests.clichild`) against a local server with
one empty feed; the download handler is wrapped to note, at the first request, which modules are
loaded and the garbage collector's state (`crawler.startupgc`), and the report gives them back with
the state after the run. Modules that belong to later work: datasketch and scipy (never needed: the
signatures are computed in `dedup.signatures`), the extractor (trafilatura, htmldate, justext,
dateparser: on the first item), redis and scrapy-redis (worker mode only), aiohttp (Scrapy's
remote control, off), the other spiders' modules (`crawler.spiderloader`).
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import startupgc
from crawler.spiders.base import REMOTE_CONTROL
from crawler.spiders.news import NewsSpider
from tests.clichild import run_cli_in_child
from tests.crawlutil import Reply, fixture_server  # noqa: F401 (pytest fixture)

EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>empty</title></channel></rss>'
NOT_BEFORE_FIRST_REQUEST = (
    "datasketch", "scipy", "trafilatura", "htmldate", "justext", "dateparser", "redis", "scrapy_redis", "aiohttp",
    "crawler.spiders.worker", "crawler.spiders.warc", "crawler.spiders.cdx", "crawler.spiders.backfill",
    "pipelines.extraction.core", "pipelines.extraction.dates", "numpy",
)  # fmt: skip

AT_FIRST_REQUEST = """
import gc
import sys

import crawler.handlers

first = {}
download = crawler.handlers.PooledHTTPDownloadHandler.download_request


async def noting_download(self, request):
    if not first:
        first.update(modules=sorted(sys.modules), gc_enabled=gc.isenabled(), frozen=gc.get_freeze_count())
    return await download(self, request)


crawler.handlers.PooledHTTPDownloadHandler.download_request = noting_download
"""


def test_first_request_before_the_heavy_modules(fixture_server, tmp_path: Path) -> None:  # noqa: F811
    fixture_server.routes["/feed.xml"] = [Reply(200, EMPTY_FEED, {"Content-Type": "application/rss+xml"})]
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "s"\nfeeds = ["{fixture_server.url("/feed.xml")}"]\ndelay = 0\n', encoding="utf-8")
    done = run_cli_in_child(
        ["crawl", str(sources), "--db", f"sqlite:///{tmp_path / 'n.db'}", "--no-progress", "--no-lock"], cwd=tmp_path,
        prelude=AT_FIRST_REQUEST, env={"NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"},
        report='{"first": first, "after": {"gc_enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}',
    )  # fmt: skip
    assert done["code"] == 0, done["stderr"][-3000:]
    first = done["first"]
    assert first, "no request was made"
    loaded = set(first["modules"])
    early = [name for name in NOT_BEFORE_FIRST_REQUEST if name in loaded]
    assert not early, early
    assert "crawler.spiders.news" in loaded
    # The collector was paused for start-up and is back on, the start-up's objects frozen, by the
    # first request; after the run nothing is left frozen.
    assert first["gc_enabled"] and first["frozen"] > 0
    assert done["after"] == {"gc_enabled": True, "frozen": 0}


def test_the_crawl_imports_the_download_handler_first() -> None:
    # Scrapy's TLS deprecation shims cost less at the top of the runner's import (crawler.runner).
    import subprocess
    import sys

    code = "import sys, crawler.runner; print('scrapy.core.downloader.contextfactory' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def project_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


@pytest.mark.parametrize(("enabled", "kept"), [(False, False), (True, True)])
def test_remote_control_extension_only_when_enabled(enabled: bool, kept: bool) -> None:
    settings = project_settings(REMOTE_CONTROL_ENABLED=enabled)
    if REMOTE_CONTROL not in settings.getdict("EXTENSIONS_BASE"):
        pytest.skip("this Scrapy has no remote-control extension (it came with 2.19): nothing to drop")
    NewsSpider.update_settings(settings)
    assert (REMOTE_CONTROL in settings.getdict("EXTENSIONS_BASE")) is kept


def test_spider_loader_loads_one_module_unless_asked_for_more() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from crawler.runner import build_settings\n"
        "from crawler.spiderloader import NamedModuleSpiderLoader\n"
        "loader = NamedModuleSpiderLoader.from_settings(build_settings())\n"
        "print(loader.load('news').__name__, 'crawler.spiders.worker' in sys.modules)\n"
        "print(loader.load('feeds').__name__, 'crawler.spiders.worker' in sys.modules)\n"
        "print(' '.join(sorted(loader.list())))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "NewsSpider False",
        "FeedsSpider True",  # not named after its module: Scrapy's loader, which imports them all
        "backfill cdx feeds news sections sitemaps urls warc worker",
    ]


def test_spider_loader_unknown_name() -> None:
    from crawler.runner import build_settings
    from crawler.spiderloader import NamedModuleSpiderLoader

    loader = NamedModuleSpiderLoader.from_settings(build_settings())
    for name in ("nope", "base", "../x"):
        with pytest.raises(KeyError):
            loader.load(name)


def test_startupgc_pause_resume_finish() -> None:
    assert gc.isenabled() and not gc.get_freeze_count()
    try:
        startupgc.pause()
        assert not gc.isenabled() and startupgc.paused()
        startupgc.resume("any", signal=object())  # a Scrapy signal handler
        assert gc.isenabled() and gc.get_freeze_count() > 0
        startupgc.finish()
        assert gc.isenabled() and not gc.get_freeze_count()
        startupgc.pause()
        startupgc.finish()  # a run that ended before its engine started
        assert gc.isenabled() and not gc.get_freeze_count() and not startupgc.paused()
    finally:
        gc.unfreeze()
        gc.enable()


def test_startupgc_leaves_a_collector_managed_elsewhere_alone() -> None:
    gc.disable()
    try:
        startupgc.pause()
        startupgc.resume()
        startupgc.finish()
        assert not gc.isenabled() and not gc.get_freeze_count()
    finally:
        gc.enable()
