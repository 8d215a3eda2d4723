"""The discovery spiders, crawling a local fixture server in a fresh process per crawl."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401

WINDOW = {"NEWSPIPE_SINCE": "2025-10-01", "NEWSPIPE_UNTIL": "2025-10-31"}


def sources_file(tmp_path: Path, server: FixtureServer, body: str, name: str = "example") -> str:
    text = f'[[source]]\nname = "{name}"\ndomains = ["{server.netloc}"]\nlanguage = "en"\n{body}'
    return write_sources(tmp_path / "sources.toml", text)


def crawl(spider: str, path: str, **extra):
    kwargs = extra.pop("spider_kwargs", None)
    return run_crawl(spider, {"NEWSPIPE_SOURCES_FILE": path, **WINDOW, **extra}, kwargs)


def test_feeds_rss2_rss1_atom_window_and_malformed(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/rss2.xml", file="rss2.xml", content_type="application/rss+xml")
    s.route("/rss1.rdf", file="rss1.rdf")
    s.route("/atom.xml", file="atom.xml", content_type="application/atom+xml")
    s.route("/broken-feed.xml", file="malformed_feed.html", content_type="application/rss+xml")
    feeds = [s.url(p) for p in ("/rss2.xml", "/rss1.rdf", "/atom.xml", "/broken-feed.xml")]
    result = crawl("feeds", sources_file(tmp_path, s, f"feeds = {feeds!r}\nrobots_sitemaps = false"))
    assert result.error is None, result.error
    assert result.urls == {
        s.url("/2025/10/28/council-approves-new-budget/"),
        s.url("/explainers/how-the-budget-works"),
        s.url("/2025/10/29/harbour-reopens-after-storm/"),
        s.url("/2025/10/30/schools-extend-holidays/"),
        s.url("/2025/10/31/rail-strike-called-off/"),
        s.url("/2025/10/30/only-updated-never-published/"),
    }
    # The tracking-parameter variant of the budget story was fetched once, without parameters.
    assert s.hits["/2025/10/28/council-approves-new-budget/"] == 1
    assert not [p for p in s.hits if "utm_" in p]
    by_url = {item.url: item for item in result.items}
    budget = by_url[s.url("/2025/10/28/council-approves-new-budget/")]
    assert budget.source == "example"
    assert budget.discovered_via == "feed"
    assert budget.hint_title == "Council approves new budget"
    assert budget.hint_published_at == datetime(2025, 10, 28, 8, tzinfo=timezone.utc)
    assert budget.language_hint == "en"
    assert budget.status == 200
    assert budget.content_type.startswith("text/html")
    assert "Body text of a test article" in budget.html
    assert budget.fetched_at.tzinfo is not None
    assert budget.response_url == budget.url
    assert by_url[s.url("/explainers/how-the-budget-works")].hint_published_at is None
    assert result.stat("newspipe/discovery/feeds") == 4
    assert result.stat("newspipe/discovery/skipped/malformed_feed") == 1
    assert result.stat("newspipe/discovery/skipped/out_of_window") == 2
    assert result.stat("newspipe/discovery/skipped/duplicate") == 1
    assert result.stat("newspipe/discovery/articles") == 6


def test_sitemaps_from_robots_index_gzip_news_and_disallow(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route(
        "/robots.txt",
        f"User-agent: *\nDisallow: /private/\n\nSitemap: {s.url('/sitemap_index.xml')}\n",
        content_type="text/plain",
    )
    s.route("/sitemap_index.xml", file="sitemap_index.xml")
    # Gzipped, with a content type that does not say so: recognised by its magic bytes.
    s.route("/sitemaps/2025-10.xml.gz", file="sitemap_2025_10.xml", gzipped=True, content_type="application/octet-stream")
    s.route("/sitemaps/2024-01.xml", file="sitemap_2024_01.xml")
    s.route("/sitemaps/news.xml", file="news_sitemap.xml")
    s.route("/broken-sitemap.xml", file="malformed_sitemap.xml", content_type="application/xml")
    path = sources_file(tmp_path, s, f"sitemaps = [{s.url('/broken-sitemap.xml')!r}]\nrobots_sitemaps = true")
    result = crawl("sitemaps", path)
    assert result.error is None, result.error
    assert result.urls == {
        s.url("/2025/10/02/bridge-repairs-begin-downtown/"),
        s.url("/2025/10/25/library-opens-new-wing/"),
        s.url("/2025/10/30/mayor-announces-transit-plan/"),  # published in the window, modified after it
        s.url("/2025/10/31/late-night-vote-result/"),  # the whole `until` day counts
    }
    # The child sitemap last modified before `since` is not fetched at all.
    assert s.hits["/sitemaps/2024-01.xml"] == 0
    # Disallowed by robots.txt: discovered but never requested.
    assert s.hits["/private/2025/10/03/members-only-story/"] == 0
    assert result.stat("robotstxt/forbidden") == 1
    mayor = next(i for i in result.items if "mayor" in i.url)
    assert mayor.discovered_via == "sitemap"
    assert mayor.hint_title == "Mayor announces transit plan"
    assert mayor.hint_published_at == datetime(2025, 10, 30, 7, tzinfo=timezone.utc)
    assert result.stat("newspipe/discovery/sitemaps") == 4  # index, gz urlset, news, broken
    assert result.stat("newspipe/discovery/skipped/malformed_sitemap") == 1
    # 2024-01 child, September and November lastmods, the August news story.
    assert result.stat("newspipe/discovery/skipped/out_of_window") == 4


def _serve_section(s: FixtureServer) -> None:
    s.route("/news/", file="section_news.html")
    for n in (2, 3, 4):
        s.route(f"/news/page/{n}/", file=f"section_news_page{n}.html")
    s.route("/reports/annual-budget-report-2025.pdf", file="report.pdf")


def test_sections_pagination_depth_and_dedup(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    _serve_section(s)
    path = sources_file(tmp_path, s, f"sections = [{s.url('/news/')!r}]\nrobots_sitemaps = false")
    result = crawl("sections", path, NEWSPIPE_SECTION_DEPTH=2, NEWSPIPE_MAX_PAGINATION=5)
    assert result.error is None, result.error
    assert result.urls == {
        s.url("/2025/10/28/council-approves-new-budget/"),
        s.url("/world/europe/prime-minister-visits-brussels-today"),
        s.url("/story/1234567"),
        s.url("/2025/10/27/page-two-story-here/"),
        s.url("/2025/10/26/page-three-story-here/"),
    }
    assert s.hits["/news/page/3/"] == 1
    assert s.hits["/news/page/4/"] == 0  # three hops away: beyond NEWSPIPE_SECTION_DEPTH
    assert s.hits["/2025/10/28/council-approves-new-budget/"] == 1  # linked from every page, fetched once
    assert s.hits["/reports/annual-budget-report-2025.pdf"] == 0  # the heuristic keeps .pdf out
    assert all(item.discovered_via == "section" for item in result.items)
    assert result.stat("newspipe/discovery/sections") == 3
    assert result.stat("newspipe/discovery/skipped/section_depth") == 1


def test_sections_max_pagination_from_spider_argument(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    _serve_section(s)
    path = sources_file(tmp_path, s, f"sections = [{s.url('/news/')!r}]\nrobots_sitemaps = false")
    result = crawl("sections", path, NEWSPIPE_SECTION_DEPTH=5, spider_kwargs={"max_pagination": "2"})
    assert result.error is None, result.error
    assert s.hits["/news/page/2/"] == 1
    assert s.hits["/news/page/3/"] == 0
    assert s.url("/2025/10/27/page-two-story-here/") in result.urls
    assert s.url("/2025/10/26/page-three-story-here/") not in result.urls
    assert result.stat("newspipe/discovery/skipped/pagination_limit") == 1


def test_sections_allow_deny_patterns_and_pdf(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    _serve_section(s)
    body = (
        f"sections = [{s.url('/news/')!r}]\nrobots_sitemaps = false\n"
        "allow = ['/reports/', '/story/']\ndeny = ['/story/1234567']"
    )
    result = crawl("sections", sources_file(tmp_path, s, body), NEWSPIPE_SECTION_DEPTH=0)
    assert result.error is None, result.error
    [pdf] = result.items
    assert pdf.url == s.url("/reports/annual-budget-report-2025.pdf")
    assert pdf.html is None
    assert pdf.content_type == "application/pdf"
    assert pdf.status == 200


def test_news_spider_runs_every_kind_and_dedups_across_them(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    _serve_section(s)
    s.route("/rss2.xml", file="rss2.xml", content_type="application/rss+xml")
    s.route("/sitemaps/news.xml", file="news_sitemap.xml")
    body = (
        f"feeds = [{s.url('/rss2.xml')!r}]\nsitemaps = [{s.url('/sitemaps/news.xml')!r}]\n"
        f"sections = [{s.url('/news/')!r}]"
    )
    result = crawl("news", sources_file(tmp_path, s, body), NEWSPIPE_SECTION_DEPTH=0)
    assert result.error is None, result.error
    vias = {item.url.removeprefix(s.base): item.discovered_via for item in result.items}
    assert vias["/explainers/how-the-budget-works"] == "feed"
    assert vias["/2025/10/30/mayor-announces-transit-plan/"] == "sitemap"
    assert vias["/story/1234567"] == "section"
    # In the feed (twice) and on the section page: one request.
    assert s.hits["/2025/10/28/council-approves-new-budget/"] == 1
    assert s.hits["/robots.txt"] >= 1  # robots_sitemaps defaults to true
    assert result.stat("newspipe/discovery/feeds") == 1
    assert result.stat("newspipe/discovery/sitemaps") == 1
    assert result.stat("newspipe/discovery/sections") == 1


def test_unknown_sources_file_fails_the_crawl_cleanly(tmp_path: Path) -> None:
    result = run_crawl("news", {"NEWSPIPE_SOURCES_FILE": str(tmp_path / "missing.toml")})
    assert result.error is not None
    assert "SourcesError" in result.error and "missing.toml" in result.error
    assert result.items == []


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_are_counted_not_yielded(tmp_path: Path, fixture_server: FixtureServer, status: int) -> None:
    s = fixture_server
    s.route("/rss2.xml", file="rss2.xml", content_type="application/rss+xml")
    s.route("/2025/10/28/council-approves-new-budget/", "gone", status=status)
    path = sources_file(tmp_path, s, f"feeds = [{s.url('/rss2.xml')!r}]\nrobots_sitemaps = false")
    result = crawl("feeds", path, RETRY_ENABLED=False)
    assert result.error is None, result.error
    assert s.url("/2025/10/28/council-approves-new-budget/") not in result.urls
    assert s.url("/explainers/how-the-budget-works") in result.urls
    assert result.stat(f"newspipe/fetch/http_{status}") == 1


def test_bad_entries_are_counted_and_the_rest_of_each_document_is_crawled(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    good = [s.url(f"/2025/10/{day:02d}/good-story-{day}/") for day in range(1, 7)]
    s.route("/robots.txt", f"User-agent: *\nSitemap: http://[::1\nSitemap: {s.url('/sitemap.xml')}\n", content_type="text/plain")
    s.route("/feed.xml", (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        f"<item><title>One</title><link>{good[0]}</link></item>"
        "<item><title>Broken</title><link>http://[::1</link></item>"
        "<item><title>Spaced</title><link>http://exa mple.com/story</link></item>"
        f"<item><title>Year one</title><link>{good[1]}</link><pubDate>Mon, 01 Jan 0001 00:00:00 +1400</pubDate></item>"
        f"<item><title>Three</title><link>{good[2]}</link></item>"
        "</channel></rss>"
    ), content_type="application/rss+xml")  # fmt: skip
    s.route("/sitemap.xml", (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{good[3]}</loc></url>"
        "<url><loc>http://[::1</loc></url>"
        f"<url><loc>{good[4]}</loc><lastmod>0001-01-01T00:00:00+14:00</lastmod></url>"
        f"<url><loc>javascript:alert(1)</loc></url>"
        f"<url><loc>{s.url('/' + 'a' * 3000)}</loc></url>"
        f"<url><loc>{good[5]}</loc><lastmod>9999-12-31T23:59:59-14:00</lastmod></url>"
        "</urlset>"
    ), content_type="application/xml")  # fmt: skip
    path = sources_file(tmp_path, s, f"feeds = [{s.url('/feed.xml')!r}]\nrobots_sitemaps = true")
    result = crawl("news", path, NEWSPIPE_ALLOW_NETWORKS=["127.0.0.1/32"])
    assert result.error is None, result.error
    assert not {k: v for k, v in result.stats.items() if k.startswith("spider_exceptions")}
    assert result.urls == set(good)  # bad dates drop the date, not the entry: undated is inside the window
    assert result.stat("newspipe/discovery/bad_entry/invalid_url") == 5  # 2 feed, 1 robots, 2 sitemap
    assert result.stat("newspipe/discovery/bad_entry/url_too_long") == 1
    assert result.stat("newspipe/discovery/bad_entry/bad_date") == 3
    assert result.stat("newspipe/discovery/skipped/malformed_feed") == 0
    assert result.stat("newspipe/discovery/skipped/malformed_sitemap") == 0


# -- every sitemap form publishers use (issue 12): each site exposes its articles one way only --

ARTICLES = ("/2025/10/20/first-story/", "/2025/10/21/second-story/", "/2025/10/22/third-story/")


def _robots_only(tmp_path: Path, s: FixtureServer) -> str:
    """A source with no feeds or sitemaps of its own: robots.txt and probing only (the `sitemaps`
    spider does not read the section page, which only names the origin: http, not https)."""
    return sources_file(tmp_path, s, f"sections = [{s.url('/')!r}]\nrobots_sitemaps = true")


def _urlset(s: FixtureServer) -> str:
    locs = "".join(f"<url><loc>{s.url(p)}</loc><lastmod>2025-10-22</lastmod></url>" for p in ARTICLES)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'


def test_rss_listed_in_a_sitemap_index_is_read_as_a_feed(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/robots.txt", f"User-agent: *\nSitemap: {s.url('/sitemap_index.xml')}\n", content_type="text/plain")
    s.route(
        "/sitemap_index.xml",
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{s.url('/feed.rss')}</loc></sitemap></sitemapindex>",
        content_type="application/xml",
    )
    items = "".join(
        f"<item><title>Story {n}</title><link>{s.url(p)}</link><pubDate>Wed, 22 Oct 2025 10:00:00 GMT</pubDate></item>"
        for n, p in enumerate(ARTICLES)
    )
    s.route("/feed.rss", f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>', content_type="application/rss+xml")
    result = crawl("sitemaps", _robots_only(tmp_path, s))
    assert result.error is None, result.error
    assert result.urls == {s.url(p) for p in ARTICLES}
    assert result.stat("newspipe/discovery/skipped/malformed_sitemap") == 0
    assert result.stat("newspipe/discovery/sitemaps") == 2


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_text_sitemap_named_by_a_site_map_line(tmp_path: Path, fixture_server: FixtureServer, gzipped: bool) -> None:
    s = fixture_server
    # "Site-map:" spelling, a byte-order mark, a relative URL and an inline comment.
    s.route("/robots.txt", "\ufeffUser-agent: *\nSite-map: /sitemap.txt  # all articles\n", content_type="text/plain")
    s.route("/sitemap.txt", "".join(f"{s.url(p)}\n" for p in ARTICLES), content_type="text/plain", gzipped=gzipped)
    result = crawl("sitemaps", _robots_only(tmp_path, s))
    assert result.error is None, result.error
    assert result.urls == {s.url(p) for p in ARTICLES}
    assert s.hits["/sitemap.xml"] == 0  # robots.txt named one: nothing probed
    assert result.stat("newspipe/discovery/probe/not_found") == 0


@pytest.mark.parametrize("robots", ["none", "no_sitemap_line"])
def test_unlisted_sitemap_xml_is_probed_once_quietly(tmp_path: Path, fixture_server: FixtureServer, robots: str) -> None:
    s = fixture_server
    if robots == "no_sitemap_line":
        s.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    s.route("/sitemap.xml", _urlset(s), content_type="application/xml")
    s.route("/sitemap_index.xml", status=404, body="not found", content_type="text/plain")
    # /sitemap-news.xml, /news-sitemap.xml, /sitemap.xml.gz: the catch-all HTML page (a soft 404).
    result = crawl("sitemaps", _robots_only(tmp_path, s))
    assert result.error is None, result.error
    assert result.urls == {s.url(p) for p in ARTICLES}
    assert result.stat("newspipe/discovery/probe/found") == 1
    assert result.stat("newspipe/discovery/probe/not_found") == 4
    assert result.stat("newspipe/discovery/skipped/malformed_sitemap") == 0
    for path in ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml", "/news-sitemap.xml", "/sitemap.xml.gz"):
        assert s.hits[path] == 1


def test_no_probe_when_the_source_names_its_sitemaps(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/listed.xml", _urlset(s), content_type="application/xml")
    result = crawl("sitemaps", sources_file(tmp_path, s, f"sitemaps = [{s.url('/listed.xml')!r}]\nrobots_sitemaps = true"))
    assert result.error is None, result.error
    assert result.urls == {s.url(p) for p in ARTICLES}
    assert s.hits["/sitemap.xml"] == 0


def _index(s: FixtureServer, *children: str) -> str:
    locs = "".join(f"<sitemap><loc>{s.url(c)}</loc></sitemap>" for c in children)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'


def test_index_loops_and_deep_chains_end_with_a_count(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/loop/a.xml", _index(s, "/loop/a.xml", "/loop/b.xml"), content_type="application/xml")
    s.route("/loop/b.xml", _index(s, "/loop/a.xml", "/loop/articles.xml"), content_type="application/xml")
    s.route("/loop/articles.xml", _urlset(s), content_type="application/xml")
    for n in range(9):
        s.route(f"/deep/{n}.xml", _index(s, f"/deep/{n + 1}.xml"), content_type="application/xml")
    body = f"sitemaps = [{s.url('/loop/a.xml')!r}, {s.url('/deep/0.xml')!r}]\nrobots_sitemaps = false"
    result = crawl("sitemaps", sources_file(tmp_path, s, body))
    assert result.error is None, result.error
    assert result.urls == {s.url(p) for p in ARTICLES}
    assert result.stat("newspipe/discovery/skipped/sitemap_loop") == 2  # a names itself, b names a
    assert result.stat("newspipe/discovery/skipped/sitemap_depth") == 1
    assert s.hits["/loop/a.xml"] == 1
    assert s.hits["/deep/6.xml"] == 0
