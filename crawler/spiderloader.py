"""Spider loader (SPIDER_LOADER_CLASS): loads the one spider a crawl runs, not every spider module.

Scrapy's `SpiderLoader` imports every module under SPIDER_MODULES when the crawler process starts,
so `newspipe crawl` also imported the distributed worker (scrapy-redis and redis), the archive
spiders and their readers: about a tenth of a CPU second of start-up (BENCHMARKS.md, "Crawl
start-up"). This loader first imports the module named after the spider (`crawler.spiders.news`
for `news`) and takes the spider of that name from it; any other name (`feeds`, `sitemaps`,
`sections` live in `news`), `list()` and `find_by_request()` go to Scrapy's loader, built on first
use, which imports them all. Reads SPIDER_MODULES (and, through Scrapy's loader, SPIDER_LOADER_WARN_ONLY).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.spider import iter_spider_classes

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings
    from typing_extensions import Self


class NamedModuleSpiderLoader:
    """Scrapy's `SpiderLoaderProtocol`, importing `<SPIDER_MODULES entry>.<name>` before anything else."""

    def __init__(self, settings: BaseSettings) -> None:
        self._settings = settings
        self._packages = settings.getlist("SPIDER_MODULES")
        self._everything: SpiderLoader | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def _all(self) -> SpiderLoader:
        if self._everything is None:
            self._everything = SpiderLoader.from_settings(self._settings)
        return self._everything

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name.isidentifier():
            for package in self._packages:
                module_name = f"{package}.{spider_name}"
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise  # the spider's module is there, something it imports is not
                    continue
                for spidercls in iter_spider_classes(module):
                    if spidercls.name == spider_name:
                        return spidercls
        return self._all().load(spider_name)

    def list(self) -> list[str]:
        return self._all().list()

    def find_by_request(self, request: Request) -> list[str]:
        return self._all().find_by_request(request)
