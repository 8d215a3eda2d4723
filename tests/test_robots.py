"""robots.txt once per host, shared by the robots check and sitemap discovery, kept across runs
with a time-to-live and conditional requests (crawler.robots); sources start a window at a time
so articles flow before every feed is read (crawler.spiders.startwindow)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from crawlutil import run_crawl
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler
from twisted.internet.defer import succeed

from benchmarks.vhost_site import HostsSite, host_name, kind_of
from crawler.robots import RobotsTxtMiddleware, RobotsTxtStore
from storage.state import StateUpdate, StoredDocument, Validators

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


# -- the store and the middleware, on their own -----------------------------------------------


class _Engine:
    """Answers robots.txt requests from a list of responses (by status), recording each request."""

    def __init__(self, *replies: tuple[int, bytes, dict[str, str]], wait: asyncio.Future[None] | None = None) -> None:
        self.replies = list(replies)
        self.requests: list[Request] = []
        self.wait = wait

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        if self.wait is not None:
            await self.wait
        status, body, headers = self.replies.pop(0)
        return TextResponse(request.url, status=status, body=body, headers=headers, request=request)


def _store(engine: _Engine, stored: dict[str, StoredDocument], ttl: float = 3600) -> tuple[RobotsTxtStore, list[StateUpdate]]:
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True})
    crawler.engine = engine  # type: ignore[assignment]
    crawler.stats.open_spider()
    saved: list[StateUpdate] = []

    def save(updates: list[StateUpdate]) -> Any:
        saved.extend(updates)
        return succeed(None)

    store = RobotsTxtStore(crawler, ttl=ttl, load=lambda urls: succeed({u: stored[u] for u in urls if u in stored}), save=save)
    return store, saved


def _stored(age: timedelta, body: bytes = ROBOTS) -> dict[str, StoredDocument]:
    url = "http://news.example/robots.txt"
    return {url: StoredDocument(url, 200, body, Validators('"v1"', None), datetime.now(timezone.utc) - age)}


def test_a_stored_robots_txt_within_its_time_to_live_is_used_without_a_request() -> None:
    engine = _Engine()
    store, saved = _store(engine, _stored(timedelta(hours=1)), ttl=24 * 3600)
    robots = asyncio.run(store.get("http://news.example/private/1"))
    assert (robots.status, robots.body, engine.requests) == (200, ROBOTS, [])
    assert store.crawler.stats.get_value("newspipe/robots/stored") == 1


def test_after_its_time_to_live_robots_txt_is_asked_for_conditionally_and_a_304_keeps_it() -> None:
    engine = _Engine((304, b"", {}))
    store, saved = _store(engine, _stored(timedelta(hours=25)), ttl=24 * 3600)

    async def twice() -> tuple[Any, Any]:
        first = await store.get("http://news.example/a")
        await store.spider_closed()
        return first, await store.get("http://news.example/b")

    first, second = asyncio.run(twice())
    (request,) = engine.requests
    assert request.headers.get("If-None-Match") == b'"v1"'
    assert first.body == second.body == ROBOTS
    # Checked again: kept with the copy's own status and validators.
    assert [(u.url, u.status, u.body, u.etag) for u in saved] == [("http://news.example/robots.txt", 200, ROBOTS, '"v1"')]


def test_a_server_error_falls_back_to_the_stored_copy_and_is_not_kept() -> None:
    engine = _Engine((503, b"busy", {}))
    store, saved = _store(engine, _stored(timedelta(days=3)), ttl=24 * 3600)
    robots = asyncio.run(store.get("http://news.example/a"))
    asyncio.run(store.spider_closed())
    assert robots.body == ROBOTS and saved == []
    assert store.crawler.stats.get_value("newspipe/robots/stale") == 1


def test_a_fetched_robots_txt_is_kept_with_its_validators() -> None:
    engine = _Engine((200, ROBOTS, {"ETag": '"v2"', "Last-Modified": "Sat, 05 Dec 2026 10:00:00 GMT"}))
    store, saved = _store(engine, {})
    asyncio.run(store.get("http://news.example/a"))
    asyncio.run(store.spider_closed())
    (update,) = saved
    assert (update.kind, update.status, update.body, update.etag) == ("robots", 200, ROBOTS, '"v2"')
    assert engine.requests[0].headers.get("If-None-Match") is None


def test_every_request_that_waited_for_robots_txt_obeys_it_and_one_request_is_made() -> None:
    async def scenario() -> tuple[list[bool], int]:
        release = asyncio.get_running_loop().create_future()
        engine = _Engine((200, ROBOTS, {}), wait=release)
        crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True})
        crawler.engine = engine  # type: ignore[assignment]
        middleware = RobotsTxtMiddleware.from_crawler(crawler)
        tasks = [asyncio.ensure_future(middleware.process_request(Request(f"http://news.example/private/{n}"))) for n in range(3)]
        # Discovery's request for the Sitemap: lines waits for the same download.
        shared = asyncio.ensure_future(
            middleware.process_request(Request("http://news.example/robots.txt", meta={"newspipe_robots": True}))
        )
        await asyncio.sleep(0.01)
        release.set_result(None)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        response = await shared
        assert isinstance(response, Response) and response.body == ROBOTS
        return [isinstance(outcome, IgnoreRequest) for outcome in outcomes], len(engine.requests)

    assert asyncio.run(scenario()) == ([True, True, True], 1)


# -- crawls of local hosts ---------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[HostsSite]:
    hosts = HostsSite.start(hosts=2, articles=2, sitemap=True, private=True)
    try:
        yield hosts
    finally:
        hosts.stop()


def _crawl(site: HostsSite, tmp_path: Path, **settings: Any) -> Any:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources(), encoding="utf-8")
    result = run_crawl(
        "news",
        {"NEWSPIPE_SOURCES_FILE": str(sources), "NEWSPIPE_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}", **settings},
        timeout=120,
    )
    assert result.error is None, result.error
    return result


def _requests(site: HostsSite, kind: str) -> list[tuple[str, str, int]]:
    return [(host, path, status) for _, host, path, status in site.log if kind_of(path) == kind]


def test_robots_txt_is_requested_once_per_host_kept_across_runs_and_then_asked_for_conditionally(
    site: HostsSite, tmp_path: Path
) -> None:
    first = _crawl(site, tmp_path)
    hosts = {host_name(0), host_name(1)}
    # Once per host for both the Disallow check and the Sitemap: line (it was twice).
    assert sorted(host for host, _, _ in _requests(site, "robots")) == sorted(hosts)
    assert {host for host, path, _ in _requests(site, "sitemap")} == hosts  # the Sitemap: lines were read
    articles = {(host, path) for host, path, _ in _requests(site, "article")}
    assert articles == {(h, p) for h in hosts for p in ("/a/1.html", "/a/2.html", "/s/1.html")}  # never /private/
    assert first.stat("newspipe/robots/fetched") == 2

    site.reset_log()
    second = _crawl(site, tmp_path)
    assert _requests(site, "robots") == []  # within the time-to-live: no request at all
    assert {host for host, _, _ in _requests(site, "sitemap")} == hosts  # Sitemap: lines from the stored copy
    assert all(path != "/private/1.html" for _, path, _ in _requests(site, "article"))  # rules from the stored copy
    assert second.stat("newspipe/robots/stored") == 2

    time.sleep(0.2)
    site.reset_log()
    third = _crawl(site, tmp_path, NEWSPIPE_ROBOTS_TTL=0.1)
    # Past the time-to-live: one conditional request per host, answered 304 (the ETag matched).
    assert sorted(_requests(site, "robots")) == sorted((h, "/robots.txt", 304) for h in hosts)
    assert {host for host, _, _ in _requests(site, "sitemap")} == hosts
    assert all(path != "/private/1.html" for _, path, _ in _requests(site, "article"))
    assert third.stat("newspipe/robots/not_modified") == 2

    site.reset_log()
    fourth = _crawl(site, tmp_path)  # within the time-to-live of that check: the kept copy again
    assert _requests(site, "robots") == []
    assert {host for host, _, _ in _requests(site, "sitemap")} == hosts
    assert fourth.stat("newspipe/robots/stored") == 2


def test_first_article_request_comes_before_every_feed_is_read(tmp_path: Path) -> None:
    site = HostsSite.start(hosts=40, articles=3)
    try:
        _crawl(site, tmp_path, CONCURRENT_REQUESTS=8, NEWSPIPE_CONCURRENCY=8, NEWSPIPE_START_WINDOW=4)
        kinds = [kind_of(path) for _, _, path, _ in site.log]
    finally:
        site.stop()
    assert kinds.count("feed") == 40 and kinds.count("article") == 120
    last_feed = len(kinds) - 1 - kinds[::-1].index("feed")
    # Articles of the first sources go while later sources are still to start (Scrapy's
    # scheduler alone would take every feed first: one turn per host, all hosts queued).
    assert kinds.index("article") < last_feed
    assert kinds[: last_feed + 1].count("article") >= 40


def test_fetch_state_keeps_a_robots_txt_body_through_a_304_and_hands_it_back(sqlite_url: str) -> None:
    from storage.engine import Database
    from storage.state import FetchStateRepository

    url = "http://news.example/robots.txt"
    with Database(sqlite_url) as database:
        with database.sessions.begin() as session:
            FetchStateRepository(session).record([StateUpdate(url, "robots", 200, '"v1"', None, body=ROBOTS)])
        with database.sessions() as session:
            before = FetchStateRepository(session).documents([url, "http://other.example/robots.txt"], "robots")
        time.sleep(0.01)
        with database.sessions.begin() as session:
            FetchStateRepository(session).record([StateUpdate(url, "robots", 304)])
        with database.sessions() as session:
            after = FetchStateRepository(session).documents([url], "robots")[url]
            assert FetchStateRepository(session).documents([url], "feed") == {}
    assert list(before) == [url]
    assert (after.status, after.body, after.validators) == (304, ROBOTS, Validators('"v1"', None))
    assert after.checked_at > before[url].checked_at
