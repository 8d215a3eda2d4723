"""Crawls that meet private network addresses: refused before any connection, counted, the rest crawled.

The test site listens on 127.0.0.1, the only network the crawls allow; its feed, section page,
redirects, sitemaps and robots.txt lookups also point at 127.0.0.2 and 127.0.0.3 (listening
servers of the test, not allowed), at 127.0.0.2 spelled as a number, and at `localhost`, a
name that resolves to a refused address only when the connection is made.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from crawlutil import FixtureServer, run_crawl, write_sources
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.netguard import REFUSED_STAT, PrivateNetworkMiddleware
from crawler.resolver import refused_names

REPO = Path(__file__).resolve().parent.parent
SENTENCES = [
    "The harbour authority said the new quay would open to ferries next spring after long repairs.",
    "Council members argued for three hours about the cost before a narrow vote settled the matter.",
    "Residents who live near the water front welcomed the decision but asked for quieter night work.",
    "Engineers expect the storm wall to hold back waves twice as high as those seen last winter.",
    "A spokeswoman for the ferry company promised extra sailings once the berths are ready again.",
]


def article(title: str) -> str:
    body = "".join(f"<p>{sentence} {title}.</p>" for sentence in SENTENCES)
    return f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def rss(*links: str) -> str:
    items = "".join(f"<item><title>Story {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def sitemap(*links: str) -> str:
    urls = "".join(f"<url><loc>{link}</loc></url>" for link in links)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


@pytest.fixture
def hosts() -> Any:
    """The test site on 127.0.0.1, and listening servers on 127.0.0.2 and 127.0.0.3 that must never be reached."""
    servers = [FixtureServer(host=h).start() for h in ("127.0.0.1", "127.0.0.2", "127.0.0.3")]
    for server in servers[1:]:
        server.catch_all.body = article("Private page")  # what a leak would fetch and store
        server.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


GOOD_PATHS = ["/2025/10/28/harbour-reopens-after-storm/", "/2025/10/29/council-approves-budget/", "/2025/10/30/schools-extend-holidays/"]


def hostile_site(tmp_path: Path, site: FixtureServer, other2: FixtureServer, other3: FixtureServer) -> str:
    """Routes on the 127.0.0.1 site pointing at the other hosts; returns the sources file."""
    decimal = f"http://2130706434:{other2.url('').rsplit(':', 1)[1]}"  # 127.0.0.2 spelled as one number
    for path in GOOD_PATHS:
        site.route(path, article(path.strip("/").rsplit("/", 1)[1].replace("-", " ").title()))
    site.route("/2025/10/31/moved-away/", status=302, headers={"Location": other2.url("/2025/10/31/moved-away/")})
    site.route("/2025/10/31/moved-twice/", status=301, headers={"Location": site.url("/2025/10/31/moved-away/")})
    site.route(
        "/feed.xml",
        rss(site.url(GOOD_PATHS[0]), other2.url("/2025/10/27/private-one/"), f"{decimal}/2025/10/27/private-two/",
            site.url("/2025/10/31/moved-twice/")),
        content_type="application/rss+xml",
    )  # fmt: skip
    links = "".join(f'<a href="{u}">A story with a long headline</a>' for u in (site.url(GOOD_PATHS[1]), other3.url("/2025/10/26/private-three/")))
    site.route("/news/", f"<html><body><h1>News</h1>{links}</body></html>")
    site.route("/sitemap.xml", sitemap(site.url(GOOD_PATHS[2]), other3.url("/2025/10/25/private-four/")))
    other3.route("/sitemap.xml", sitemap(other3.url("/2025/10/24/private-five/")))
    netlocs = [site.netloc, other2.netloc, other3.netloc, decimal.split("://", 1)[1]]
    text = (
        f'[[source]]\nname = "hostile"\nlanguage = "en"\ndomains = {netlocs!r}\nrobots_sitemaps = true\n'
        f"feeds = [{site.url('/feed.xml')!r}]\nsections = [{site.url('/news/')!r}]\n"
        f"sitemaps = [{site.url('/sitemap.xml')!r}, {other3.url('/sitemap.xml')!r}]\n"
    )
    return write_sources(tmp_path / "sources.toml", text)


def test_crawl_refuses_other_loopback_hosts_before_connecting(tmp_path: Path, hosts: list[FixtureServer]) -> None:
    site, other2, other3 = hosts
    result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": hostile_site(tmp_path, site, other2, other3)})
    assert result.error is None, result.error
    assert other2.connections == 0 and other3.connections == 0
    assert result.urls == {site.url(p) for p in GOOD_PATHS}
    # Refused: robots.txt of both hosts and of the decimal spelling, two feed entries, the section
    # link, the sitemap entry, the sitemap on 127.0.0.3, and the redirect hop to 127.0.0.2.
    assert result.stat(REFUSED_STAT) >= 8
    assert site.hits["/2025/10/31/moved-twice/"] == 1 and site.hits["/2025/10/31/moved-away/"] == 1
    assert result.stat("downloader/request_count") == sum(site.hits.values())


def test_crawl_without_the_allow_list_refuses_its_own_site(tmp_path: Path, hosts: list[FixtureServer]) -> None:
    site, other2, other3 = hosts
    sources = hostile_site(tmp_path, site, other2, other3)
    result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": sources, "NEWSPIPE_ALLOW_NETWORKS": []})
    assert result.error is None, result.error
    assert site.connections == other2.connections == other3.connections == 0
    assert result.items == []
    assert result.stat(REFUSED_STAT) >= 4  # feed, section page, both sitemaps (and robots.txt)


def test_allowing_another_network_fetches_from_it(tmp_path: Path, hosts: list[FixtureServer]) -> None:
    site, other2, other3 = hosts
    sources = hostile_site(tmp_path, site, other2, other3)
    result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": sources, "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32", "127.0.0.3/32"]})
    assert result.error is None, result.error
    assert other2.connections == 0 and other3.connections > 0
    assert {other3.url("/2025/10/26/private-three/"), other3.url("/2025/10/24/private-five/")} <= result.urls
    assert not [u for u in result.urls if "127.0.0.2" in u or "2130706434" in u]


def test_a_name_resolving_to_a_refused_address_is_refused_at_connection_time(tmp_path: Path, hosts: list[FixtureServer]) -> None:
    # Only 127.0.0.2 is allowed; `localhost` (a name, not an address) resolves to 127.0.0.1,
    # which the request's URL does not show: only the lookup made for the connection can tell.
    site, other2, _ = hosts
    target = FixtureServer(host="127.0.0.1").start()  # must never be reached
    try:
        port = target.netloc.rsplit(":", 1)[1]
        named = f"http://localhost:{port}"
        other2.catch_all.body = article("Allowed page")
        other2.route("/feed.xml", rss(other2.url(GOOD_PATHS[0]), f"{named}/2025/10/27/rebound/"), content_type="application/rss+xml")
        text = (
            f'[[source]]\nname = "named"\nlanguage = "en"\ndomains = [{other2.netloc!r}, "localhost:{port}"]\n'
            f"robots_sitemaps = true\nfeeds = [{other2.url('/feed.xml')!r}]\nsitemaps = [{named + '/sitemap.xml'!r}]\n"
        )
        sources = write_sources(tmp_path / "sources.toml", text)
        result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": sources, "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.2/32"]})
    finally:
        target.stop()
    assert result.error is None, result.error
    assert target.connections == 0 and site.connections == 0
    assert result.urls == {other2.url(GOOD_PATHS[0])}
    assert result.stat(REFUSED_STAT) >= 3  # robots.txt, the sitemap, the feed entry
    assert not result.stat("retry/count")  # a refusal is final


# -- the middleware alone: no traffic -----------------------------------------------------------


def middleware(allow: list[str]) -> tuple[PrivateNetworkMiddleware, Any]:
    crawler = get_crawler(Spider, {"NEWSPIPE_ALLOW_NETWORKS": allow})
    return PrivateNetworkMiddleware.from_crawler(crawler), crawler.stats


def test_middleware_refuses_literal_hosts_and_logs_once_per_host(caplog: pytest.LogCaptureFixture) -> None:
    mw, stats = middleware(["127.0.0.1/32"])
    caplog.set_level(logging.INFO, logger="crawler.netguard")
    for url in ("http://10.0.0.1/a", "http://10.0.0.1/b", "http://[::ffff:169.254.169.254]/latest/meta-data/", "http://0x7f000002/"):
        with pytest.raises(IgnoreRequest):
            mw.process_request(Request(url))
    assert mw.process_request(Request("http://127.0.0.1:8080/ok")) is None
    assert mw.process_request(Request("https://example.com/news/")) is None
    assert stats.get_value(REFUSED_STAT) == 4
    refusals = [r for r in caplog.records if r.name == "crawler.netguard" and r.msg.startswith("refused")]
    assert [r.levelno for r in refusals] == [logging.WARNING] * 3
    assert [r.args["host"] for r in refusals] == ["10.0.0.1", "::ffff:169.254.169.254", "0x7f000002"]


def test_middleware_counts_lookups_the_resolver_refused() -> None:
    from scrapy.exceptions import CannotResolveHostError
    from twisted.internet.error import DNSLookupError

    mw, stats = middleware([])
    refused_names["rebound.test"] = "127.0.0.1"
    try:
        with pytest.raises(IgnoreRequest):
            mw.process_exception(Request("http://rebound.test/a"), CannotResolveHostError("no results for hostname lookup: rebound.test"))
        with pytest.raises(IgnoreRequest):
            mw.process_exception(Request("http://rebound.test/b"), DNSLookupError("rebound.test"))
    finally:
        refused_names.pop("rebound.test", None)
    # A name that simply does not resolve is left to the retry middleware.
    assert mw.process_exception(Request("http://nowhere.test/"), CannotResolveHostError("nowhere.test")) is None
    assert stats.get_value(REFUSED_STAT) == 2


def test_middleware_counts_a_refused_proxy_as_a_refusal() -> None:
    """Through a proxy the connection, and so the resolver's verdict, is about the proxy's host."""
    from scrapy.exceptions import CannotResolveHostError

    mw, stats = middleware([])
    refused_names["proxy.test"] = "10.0.0.8"
    try:
        with pytest.raises(IgnoreRequest):
            mw.process_exception(
                Request("http://harbour-herald.example/a", meta={"proxy": "http://proxy.test:3128"}),
                CannotResolveHostError("no results for hostname lookup: proxy.test"),
            )
    finally:
        refused_names.pop("proxy.test", None)
    assert stats.get_value(REFUSED_STAT) == 1


# -- the command line ---------------------------------------------------------------------------


def newspipe(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "COLUMNS": "200", "PYTHONPATH": path, **env}
    return subprocess.run([sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=180, env=environment, cwd=cwd)


def test_cli_crawl_stores_the_good_articles_and_reports_refusals(tmp_path: Path, hosts: list[FixtureServer], db_url: str) -> None:
    site, other2, other3 = hosts
    sources = hostile_site(tmp_path, site, other2, other3)
    # $NEWSPIPE_ALLOW_NETWORKS is 127.0.0.1/32 (tests/conftest.py).
    done = newspipe("crawl", sources, "--db", db_url, "--no-progress", "--no-lock", env={}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert other2.connections == 0 and other3.connections == 0
    assert "refused: private network address" in done.stdout
    stats = json.loads(newspipe("stats", "--json", "--db", db_url, env={}, cwd=tmp_path).stdout)
    assert stats["articles"] == len(GOOD_PATHS)
    counts = stats["runs"][0]["counts"]
    assert counts["fetch/refused_private"] >= 8


def test_cli_allow_network_flag_and_bad_networks(tmp_path: Path, hosts: list[FixtureServer], sqlite_url: str) -> None:
    site, other2, other3 = hosts
    sources = hostile_site(tmp_path, site, other2, other3)
    done = newspipe("crawl", sources, "--db", sqlite_url, "--no-progress", "--allow-network", "127.0.0.3/32", env={}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert other3.connections > 0 and other2.connections == 0
    for args, env in (
        (("--allow-network", "10.0.0.0/33"), {}),
        ((), {"NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32,not-a-network"}),
    ):
        bad = newspipe("crawl", sources, "--db", sqlite_url, "--no-progress", *args, env=env, cwd=tmp_path)
        assert bad.returncode == 2
        assert "invalid network" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


# -- the resolver alone: answers from Scrapy's DNS cache, no lookups ----------------------------


def test_resolver_checks_every_answer_so_a_rebound_name_is_refused() -> None:
    from scrapy.resolver import dnscache
    from twisted.internet.error import DNSLookupError

    from crawler.addresses import AddressPolicy
    from crawler.resolver import AddressGuardResolver

    resolver = AddressGuardResolver(None, 10000, 5.0, AddressPolicy.from_cidrs(["127.0.0.2/32"]))  # type: ignore[arg-type]
    answers: list[Any] = []
    try:
        for address in ("127.0.0.2", "127.0.0.1", "169.254.169.254", "127.0.0.2"):  # the name's owner rebinds it
            dnscache["rebound.test"] = address
            resolver.getHostByName("rebound.test").addBoth(answers.append)
            answers.append(refused_names.get("rebound.test"))
    finally:
        dnscache.pop("rebound.test", None)
        refused_names.pop("rebound.test", None)
    assert answers[0::2][0] == "127.0.0.2" and answers[0::2][3] == "127.0.0.2"
    assert [a.check(DNSLookupError) for a in answers[0::2][1:3]] == [DNSLookupError, DNSLookupError]
    assert answers[1::2] == [None, "127.0.0.1", "169.254.169.254", None]


def test_demo_allows_its_own_loopback_address_without_being_told(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    done = newspipe("demo", "--db", db, "--no-progress", env={"NEWSPIPE_ALLOW_NETWORKS": ""}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "refused" not in done.stderr
    assert json.loads(newspipe("stats", "--json", "--db", db, env={}, cwd=tmp_path).stdout)["articles"] > 0
