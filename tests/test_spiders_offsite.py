"""Off-domain entries and redirects, bounded fan-out and request priorities, crawling local servers.

The source's site is served on 127.0.0.1; 127.0.0.2 plays "another site", allowed by the
network allow list so that only the offsite policy stands between it and the crawl, and its
hit counter proves whether anything was fetched there (robots.txt included).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401

LOCAL = ["127.0.0.1/32", "127.0.0.2/32"]
ARTICLE = "/2025/10/{n:02d}/local-story-number-{n}/"


@pytest.fixture
def other_site() -> Iterator[FixtureServer]:
    server = FixtureServer(host="127.0.0.2").start()
    try:
        yield server
    finally:
        server.stop()


def rss(urls: list[str]) -> str:
    items = "".join(f"<item><title>Story {n}</title><link>{url}</link></item>" for n, url in enumerate(urls))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


def section_page(paths: list[str], extra: str = "") -> str:
    links = "\n".join(f'<a href="{path}">Story</a>' for path in paths)
    return f"<html><body>{links}{extra}</body></html>"


def source(server: FixtureServer, name: str, body: str) -> str:
    return f'[[source]]\nname = "{name}"\ndomains = ["{server.netloc}"]\nrobots_sitemaps = false\n{body}\n'


def crawl(tmp_path: Path, sources: str, **settings):
    path = write_sources(tmp_path / "sources.toml", sources)
    return run_crawl("news", {"NEWSPIPE_SOURCES_FILE": path, "NEWSPIPE_ALLOW_NETWORKS": LOCAL, **settings}, timeout=120)


@pytest.mark.parametrize("follow", [False, True], ids=["own-domains", "follow_offsite"])
def test_entries_off_the_domains(tmp_path: Path, fixture_server: FixtureServer, other_site: FixtureServer, follow: bool) -> None:
    s, o = fixture_server, other_site
    s.route("/feed.xml", rss([s.url(ARTICLE.format(n=1)), o.url("/2025/10/02/feed-story-elsewhere/")]), content_type="application/rss+xml")
    s.route("/sitemap_index.xml", sitemap_index([s.url("/sitemaps/own.xml"), o.url("/sitemaps/theirs.xml")]))
    s.route("/sitemaps/own.xml", urlset([s.url(ARTICLE.format(n=3)), o.url("/2025/10/04/sitemap-story-elsewhere/")]))
    o.route("/sitemaps/theirs.xml", urlset([o.url("/2025/10/05/listed-by-their-sitemap/")]))
    s.route("/news/", section_page([ARTICLE.format(n=6), o.url("/2025/10/07/section-story-elsewhere/")]))
    body = (
        f"feeds = [{s.url('/feed.xml')!r}]\nsitemaps = [{s.url('/sitemap_index.xml')!r}]\n"
        f"sections = [{s.url('/news/')!r}]\nfollow_offsite = {str(follow).lower()}"
    )
    result = crawl(tmp_path, source(s, "herald", body))
    assert result.error is None, result.error
    own = {s.url(ARTICLE.format(n=n)) for n in (1, 3, 6)}
    elsewhere = {
        o.url("/2025/10/02/feed-story-elsewhere/"),
        o.url("/2025/10/04/sitemap-story-elsewhere/"),
        o.url("/2025/10/05/listed-by-their-sitemap/"),
        o.url("/2025/10/07/section-story-elsewhere/"),
    }
    if follow:
        assert result.urls == own | elsewhere
        assert result.stat("newspipe/discovery/skipped/offsite") == 0
    else:
        assert result.urls == own
        # The feed entry, the sitemap entry, the index's child on another site, the section link.
        assert result.stat("newspipe/discovery/skipped/offsite") == 4
        assert sum(o.hits.values()) == 0  # not even its robots.txt


@pytest.mark.parametrize("follow", [False, True], ids=["own-domains", "follow_offsite"])
def test_redirects_off_the_domains(tmp_path: Path, fixture_server: FixtureServer, other_site: FixtureServer, follow: bool) -> None:
    s, o = fixture_server, other_site
    moved, renamed, landed = ARTICLE.format(n=1), ARTICLE.format(n=2), "/2025/10/01/landed-elsewhere/"
    s.route("/feed.xml", rss([s.url(moved), s.url(renamed)]), content_type="application/rss+xml")
    s.route(moved, status=301, headers={"Location": o.url(landed)})
    s.route(renamed, status=302, headers={"Location": s.url("/2025/10/02/renamed-on-the-same-site/")})
    body = f"feeds = [{s.url('/feed.xml')!r}]\nfollow_offsite = {str(follow).lower()}"
    result = crawl(tmp_path, source(s, "herald", body))
    assert result.error is None, result.error
    responses = {item.response_url for item in result.items}
    assert s.url("/2025/10/02/renamed-on-the-same-site/") in responses  # a redirect within the domains
    if follow:
        assert o.url(landed) in responses
        assert o.hits[landed] == 1
        assert result.stat("newspipe/fetch/refused_offsite_redirect") == 0
    else:
        assert o.url(landed) not in responses
        assert sum(o.hits.values()) == 0
        assert result.stat("newspipe/fetch/refused_offsite_redirect") == 1


def test_section_page_with_100k_links_queues_at_most_the_cap(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    paths = [f"/2025/10/{n % 28 + 1:02d}/section-story-number-{n}/" for n in range(100_000)]
    # The pagination link comes last: the page is still read to its end.
    s.route("/news/", section_page(paths, '<a href="/news/page/2/">next</a>'))
    s.route("/news/page/2/", section_page(["/2025/10/30/on-the-second-page/"]))
    body = f"sections = [{s.url('/news/')!r}]\nmax_links_per_page = 100"
    result = crawl(tmp_path, source(s, "herald", body), NEWSPIPE_SECTION_DEPTH=1)
    assert result.error is None, result.error
    assert result.stat("newspipe/discovery/capped/page_links") == 100_000 - 100
    assert result.stat("newspipe/discovery/articles") == 101
    assert s.url("/2025/10/30/on-the-second-page/") in result.urls
    fetched = [p for p in s.hits if "section-story-number" in p]
    assert sorted(fetched) == sorted(paths[:100])  # the first links on the page


def test_per_source_request_cap(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    capped = [s.url(f"/capped/2025/10/01/story-number-{n}/") for n in range(30)]
    free = [s.url(f"/free/2025/10/01/story-number-{n}/") for n in range(30)]
    s.route("/capped/sitemap.xml", urlset(capped[:20]))
    s.route("/capped/feed.xml", rss(capped[20:]), content_type="application/rss+xml")
    s.route("/free/sitemap.xml", urlset(free))
    sources = source(
        s, "capped", f"sitemaps = [{s.url('/capped/sitemap.xml')!r}]\nfeeds = [{s.url('/capped/feed.xml')!r}]"
    ) + source(s, "free", f"sitemaps = [{s.url('/free/sitemap.xml')!r}]\nmax_requests = 0")
    result = crawl(tmp_path, sources, NEWSPIPE_MAX_REQUESTS_PER_SOURCE=7)
    assert result.error is None, result.error
    assert len([u for u in result.urls if "/capped/" in u]) == 7
    assert {u for u in result.urls if "/free/" in u} == set(free)  # max_requests = 0: no cap
    assert result.stat("newspipe/discovery/capped/source_requests") == 30 - 7


@pytest.mark.parametrize("feed_first", [True, False], ids=["feed-source-first", "section-source-first"])
def test_feeds_and_their_articles_are_not_starved_by_a_huge_section(
    tmp_path: Path, fixture_server: FixtureServer, feed_first: bool
) -> None:
    s = fixture_server
    s.route("/big/", section_page([f"/big/2025/10/01/section-story-number-{n}/" for n in range(100_000)]))
    feed_articles = [f"/wire/2025/10/01/wire-story-number-{n}/" for n in range(5)]
    s.route("/wire/feed.xml", rss([s.url(p) for p in feed_articles]), content_type="application/rss+xml")
    big = source(s, "big", f"sections = [{s.url('/big/')!r}]")
    wire = source(s, "wire", f"feeds = [{s.url('/wire/feed.xml')!r}]")
    # One request at a time, so the order of requests is the scheduler's order.
    result = crawl(tmp_path, wire + big if feed_first else big + wire, CONCURRENT_REQUESTS=1, NEWSPIPE_MAX_LINKS_PER_PAGE=100)
    assert result.error is None, result.error
    order = s.requested
    section_links = [i for i, p in enumerate(order) if "section-story-number" in p]
    assert order.index("/wire/feed.xml") < section_links[0]
    # While a callback runs, the free download slot may already take a section link; the feed's
    # articles must come among the first few of them, not after all hundred.
    assert all(order.index(p) < section_links[4] for p in feed_articles)
    assert result.stat("newspipe/discovery/capped/page_links") == 100_000 - 100


def test_fetch_of_named_urls_follows_redirects_anywhere(fixture_server: FixtureServer, other_site: FixtureServer) -> None:
    s, o = fixture_server, other_site
    s.route("/short/abc", status=301, headers={"Location": o.url("/2025/10/01/the-long-story/")})
    settings = {"NEWSPIPE_SOURCES_FILE": "", "NEWSPIPE_ALLOW_NETWORKS": LOCAL}
    result = run_crawl("urls", settings, {"urls": s.url("/short/abc")}, timeout=120)
    assert result.error is None, result.error
    assert [item.response_url for item in result.items] == [o.url("/2025/10/01/the-long-story/")]
    assert result.stat("newspipe/fetch/refused_offsite_redirect") == 0


def test_a_refused_redirect_is_not_requested_again_by_the_next_run(
    tmp_path: Path, fixture_server: FixtureServer, other_site: FixtureServer
) -> None:
    s, o = fixture_server, other_site
    s.route("/feed.xml", rss([s.url(ARTICLE.format(n=1))]), content_type="application/rss+xml")
    s.route(ARTICLE.format(n=1), status=301, headers={"Location": o.url("/2025/10/01/landed-elsewhere/")})
    sources = source(s, "herald", f"feeds = [{s.url('/feed.xml')!r}]")
    database = {"NEWSPIPE_DATABASE_URL": f"sqlite:///{tmp_path / 'newspipe.db'}", "NEWSPIPE_CONDITIONAL_REQUESTS": False}
    first = crawl(tmp_path, sources, **database)
    assert first.stat("newspipe/fetch/refused_offsite_redirect") == 1
    second = crawl(tmp_path, sources, **database)
    assert second.error is None, second.error
    assert second.stat("newspipe/fetch/refused_offsite_redirect") == 0
    assert second.stat("newspipe/discovery/skipped/known") == 1
    assert s.hits[ARTICLE.format(n=1)] == 1
    assert sum(o.hits.values()) == 0
