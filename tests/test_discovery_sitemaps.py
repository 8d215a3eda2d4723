"""Sitemap discovery on fixture files, without Scrapy's crawler."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.discovery import MalformedSitemap, parse_sitemap, sitemaps_from_robots

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
BASE = "https://news.example.com"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"__BASE__", BASE.encode())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_sitemap_index_lists_children_with_lastmod() -> None:
    document = parse_sitemap(load("sitemap_index.xml"), f"{BASE}/sitemap_index.xml")
    assert document.kind == "sitemapindex"
    assert [(e.url, e.modified_at) for e in document.entries] == [
        (f"{BASE}/sitemaps/2025-10.xml.gz", utc(2025, 10, 31, 18)),
        (f"{BASE}/sitemaps/2024-01.xml", utc(2024, 1, 31)),
        (f"{BASE}/sitemaps/news.xml", None),
    ]


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_urlset_with_lastmod(gzipped: bool) -> None:
    body = load("sitemap_2025_10.xml")
    if gzipped:
        body = gzip.compress(body)
    document = parse_sitemap(body, f"{BASE}/sitemaps/2025-10.xml.gz")
    assert document.kind == "urlset"
    assert [(e.url, e.published_at, e.modified_at) for e in document.entries] == [
        (f"{BASE}/2025/10/02/bridge-repairs-begin-downtown/", None, utc(2025, 10, 2, 9)),
        (f"{BASE}/2025/09/20/summer-festival-review-roundup/", None, utc(2025, 9, 20)),
        (f"{BASE}/2025/10/25/library-opens-new-wing/", None, None),
        (f"{BASE}/private/2025/10/03/members-only-story/", None, utc(2025, 10, 3)),
        (f"{BASE}/2025/11/15/november-story-after-window/", None, utc(2025, 11, 15, 10)),
    ]


def test_news_sitemap_publication_date_and_title() -> None:
    document = parse_sitemap(load("news_sitemap.xml"), f"{BASE}/sitemaps/news.xml")
    assert [(e.url, e.title, e.published_at, e.modified_at) for e in document.entries] == [
        (f"{BASE}/2025/10/30/mayor-announces-transit-plan/", "Mayor announces transit plan", utc(2025, 10, 30, 7), utc(2025, 11, 20, 10)),
        (f"{BASE}/2025/08/12/august-heatwave-breaks-records/", "August heatwave breaks records", utc(2025, 8, 12), utc(2025, 10, 15, 10)),
        (f"{BASE}/2025/10/31/late-night-vote-result/", "Late-night vote result", utc(2025, 10, 31, 23, 59), None),
    ]
    # The window is checked against the publication date first.
    assert document.entries[0].date == utc(2025, 10, 30, 7)


def test_gzip_over_max_size_is_malformed() -> None:
    body = gzip.compress(load("sitemap_2025_10.xml"))
    with pytest.raises(MalformedSitemap, match="gunzip"):
        parse_sitemap(body, f"{BASE}/big.xml.gz", max_size=100)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(None, id="html"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\x01\x02binary\xff\xfe\xfd", id="binary"),
        pytest.param(b"\x1f\x8b\x08\x00corrupt-gzip", id="corrupt-gzip"),
    ],
)
def test_malformed_sitemaps_raise(body: bytes | None) -> None:
    if body is None:
        body = load("malformed_sitemap.xml")
    with pytest.raises(MalformedSitemap) as info:
        parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert info.value.reason == "malformed_sitemap"
    assert f"{BASE}/sitemap.xml" in str(info.value)


def test_bad_dates_and_relative_locs() -> None:
    body = (
        b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>/relative/path-to-story-here</loc><lastmod>2025-13-45</lastmod></url>"
        b"<url><loc>ftp://files.example.com/x</loc></url>"
        b"<url><loc>  </loc></url>"
        b"</urlset>"
    )
    document = parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert [(e.url, e.modified_at) for e in document.entries] == [(f"{BASE}/relative/path-to-story-here", None)]


def test_sitemaps_from_robots() -> None:
    robots = (
        b"User-agent: *\nDisallow: /private/\n"
        b"Sitemap: https://news.example.com/sitemap_index.xml\n"
        b"sitemap: /news-sitemap.xml\n"
        b"Sitemap: https://news.example.com/sitemap_index.xml\n"
    )
    assert [e.url for e in sitemaps_from_robots(robots, f"{BASE}/robots.txt").entries] == [
        f"{BASE}/sitemap_index.xml",
        f"{BASE}/news-sitemap.xml",
    ]
    assert sitemaps_from_robots(b"User-agent: *\nDisallow:\n", f"{BASE}/robots.txt").entries == []


# -- sitemap forms publishers use (issue 12) ----------------------------------------------


@pytest.mark.parametrize("fixture", ["rss2.xml", "atom.xml", "rss1.rdf"])
def test_a_feed_listed_as_a_sitemap_is_read_as_a_feed(fixture: str) -> None:
    document = parse_sitemap(load(fixture), f"{BASE}/sitemap-feed.xml")
    assert document.kind == "urlset"
    assert document.form == "feed"
    assert document.entries and all(e.url.startswith(BASE) for e in document.entries)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_plain_text_sitemap(gzipped: bool) -> None:
    text = f"\ufeff{BASE}/a/one.html\r\n\n  {BASE}/b/tw\u00f6.html  \nnot a url\nftp://x.example/\n"
    body = text.encode("utf-8")
    document = parse_sitemap(gzip.compress(body) if gzipped else body, f"{BASE}/sitemap.txt")
    assert (document.kind, document.form) == ("urlset", "text")
    assert [e.url for e in document.entries] == [f"{BASE}/a/one.html", f"{BASE}/b/tw\u00f6.html"]
    assert [b.reason for b in document.bad_entries] == ["invalid_url", "invalid_url"]


def test_text_that_holds_no_url_is_malformed() -> None:
    with pytest.raises(MalformedSitemap):
        parse_sitemap(b"Hello, this is not a sitemap\n", f"{BASE}/sitemap.txt")


def test_parsers_accept_str() -> None:
    xml = load("sitemap_2025_10.xml")
    assert parse_sitemap(xml.decode("utf-8"), BASE).entries == parse_sitemap(xml, BASE).entries
    assert [e.url for e in sitemaps_from_robots(f"Sitemap: {BASE}/s.xml\n", BASE).entries] == [f"{BASE}/s.xml"]


def test_robots_sitemap_line_variants() -> None:
    body = (
        "\ufeffSitemap: /first.xml\n"
        "User-agent: *\n"
        "SITEMAP:https://news.example.com/second.xml   # the news one\n"
        "  Site-map: https://news.example.com/third.xml\t\n"
        "sitemap : fourth.xml\n"
        "site-map:https://news.example.com/first.xml\n"
        "# Sitemap: https://news.example.com/commented-out.xml\n"
        "Disallow: /sitemap: not-a-line\n"
    ).encode("utf-8")
    found = sitemaps_from_robots(body, f"{BASE}/robots.txt")
    assert [e.url for e in found.entries] == [
        f"{BASE}/first.xml",
        f"{BASE}/second.xml",
        f"{BASE}/third.xml",
        f"{BASE}/fourth.xml",
    ]
    assert found.bad_entries == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", utc(2025, 1, 1)),
        ("2025-10", utc(2025, 10, 1)),
        ("2025-10-28", utc(2025, 10, 28)),
        ("2025-10-28T10:00Z", utc(2025, 10, 28, 10)),
        ("2025-10-28T10:00+02:00", utc(2025, 10, 28, 8)),
        ("2025-10-28T10:00:05-01:30", utc(2025, 10, 28, 11, 30, 5)),
        ("2025-10-28T10:00:05.25Z", datetime(2025, 10, 28, 10, 0, 5, 250000, tzinfo=timezone.utc)),
        ("Tue, 28 Oct 2025 10:00:00 GMT", utc(2025, 10, 28, 10)),
        ("Tue, 28 Oct 2025 10:00:00 EST", utc(2025, 10, 28, 15)),
        ("Tue, 28 Oct 2025 10:00:00 PT", utc(2025, 10, 28, 18)),
        ("Tue, 28 Oct 2025 10:00:00 MET", utc(2025, 10, 28, 9)),
        ("Tue, 28 Oct 2025 10:00:00 -0130", utc(2025, 10, 28, 11, 30)),
        ("28 Oct 2025 10:00 PDT", utc(2025, 10, 28, 17)),
        ("Tue, 28 Oct 2025 10:00:00 XYZ", None),  # unknown zone: no instant, not UTC
        ("2025-13", None),
        ("0001", None),
    ],
)
def test_sitemap_dates_in_every_w3c_and_rfc822_form(text: str, expected: datetime | None) -> None:
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{BASE}/a</loc><lastmod>{text}</lastmod></url></urlset>'
    (entry,) = parse_sitemap(body, BASE).entries
    assert entry.modified_at == expected


def test_parse_feed_accepts_str_whatever_its_declaration_says() -> None:
    from crawler.discovery import parse_feed

    text = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>x</title>'
        f"<item><title>Gr\u00fc\u00dfe</title><link>{BASE}/a</link></item></channel></rss>"
    )
    (entry,) = parse_feed(text, BASE).entries
    assert (entry.url, entry.title) == (f"{BASE}/a", "Gr\u00fc\u00dfe")
