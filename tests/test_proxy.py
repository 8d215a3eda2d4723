"""ProxyRoutingMiddleware: NEWSPIPE_PROXIES and the sources' `proxy` field put meta["proxy"] on the
requests for those hosts only; and a crawl of `.example` hosts through a local proxy."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawlutil import run_crawl, write_sources
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from newspipe.demo import DemoSite
from crawler.proxy import PROXIED_STAT, ProxyRoutingMiddleware
from crawler.sources import SourcesError, parse_sources
from crawler.spiders.news import NewsSpider

PROXY = "http://127.0.0.1:3128"


def make(proxies: dict[str, str]) -> tuple[ProxyRoutingMiddleware, object]:
    crawler = get_crawler(Spider, {"NEWSPIPE_PROXIES": proxies})
    crawler.stats.open_spider()
    return ProxyRoutingMiddleware.from_crawler(crawler), crawler.stats


def test_off_without_proxies() -> None:
    with pytest.raises(NotConfigured):
        make({})


def test_mapped_hosts_and_their_subdomains_go_through_the_proxy() -> None:
    middleware, stats = make({"herald.example": PROXY, "other.example": "http://10.0.0.1:8080"})
    for url, want in [
        ("http://herald.example/a", PROXY),
        ("https://www.herald.example/robots.txt", PROXY),
        ("http://HERALD.example:8000/a", PROXY),
        ("http://other.example/a", "http://10.0.0.1:8080"),
        ("http://notherald.example/a", None),
        ("http://herald.example.com/a", None),
    ]:
        request = Request(url)
        middleware.process_request(request)
        assert request.meta.get("proxy") == want, url
    assert stats.get_value(PROXIED_STAT) == 4


def test_a_redirect_elsewhere_loses_our_proxy_but_a_proxy_chosen_elsewhere_is_kept() -> None:
    middleware, _ = make({"herald.example": PROXY})
    request = Request("http://herald.example/a")
    middleware.process_request(request)
    redirected = request.replace(url="http://elsewhere.example/b")  # meta is copied, as RedirectMiddleware does
    middleware.process_request(redirected)
    assert "proxy" not in redirected.meta
    for own in ("http://127.0.0.1:9999", None):  # a spider's own choice, None meaning "no proxy"
        request = Request("http://herald.example/a", meta={"proxy": own})
        middleware.process_request(request)
        assert request.meta["proxy"] == own


def test_proxy_field() -> None:
    (source,) = parse_sources('[[source]]\nname = "a"\nfeeds = ["http://a.example/f"]\nproxy = "http://user:pw@127.0.0.1:3128"')
    assert source.proxy == "http://user:pw@127.0.0.1:3128"
    assert parse_sources('[[source]]\nname = "a"\nfeeds = ["http://a.example/f"]')[0].proxy is None
    for bad in ('"127.0.0.1:3128"', '"socks5://127.0.0.1:1080"', '"http://127.0.0.1:3128/path"', '"http://127.0.0.1:99999"', "3128"):
        with pytest.raises(SourcesError) as info:
            parse_sources(f'[[source]]\nname = "a"\nfeeds = ["http://a.example/f"]\nproxy = {bad}', "bad.toml")
        assert info.value.field == "proxy" and "proxy URL" in str(info.value), bad


def test_the_sources_proxy_field_becomes_proxies_entries(tmp_path: Path) -> None:
    path = write_sources(
        tmp_path / "sources.toml",
        '[[source]]\nname = "a"\ndomains = ["a.example"]\nfeeds = ["http://feeds.a.example/rss"]\nproxy = "http://127.0.0.1:3128"\n'
        '[[source]]\nname = "b"\nfeeds = ["http://b.example/rss"]\n',
    )
    crawler = get_crawler(NewsSpider, {"NEWSPIPE_SOURCES_FILE": path, "NEWSPIPE_PROXIES": {"c.example": "http://127.0.0.1:1"}})
    assert crawler.settings.getdict("NEWSPIPE_PROXIES") == {
        "a.example": "http://127.0.0.1:3128", "feeds.a.example": "http://127.0.0.1:3128", "c.example": "http://127.0.0.1:1",
    }  # fmt: skip


def test_a_crawl_reaches_example_hosts_only_through_the_proxy(tmp_path: Path) -> None:
    # No resolver knows harbour-herald.example: every page, robots.txt included, came through the proxy.
    with DemoSite() as site:
        sources = site.write_sources(tmp_path / "sources.toml")
        result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": str(sources), "NEWSPIPE_SOURCE_NAMES": ["harbour-herald"]})
        assert result.error is None, result.error
        assert ("harbour-herald", "/robots.txt") in site.request_log
    assert result.urls and all(url.startswith("http://harbour-herald.example/") for url in result.urls)
    assert result.stat(PROXIED_STAT) == result.stat("downloader/request_count") > 0
    assert result.stat("downloader/exception_count") == 0
