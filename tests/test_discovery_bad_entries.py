"""One bad entry never costs the rest of its feed, sitemap or robots.txt.

Table-driven: every bad value sits between two good entries; the good ones
come out, the bad one is reported as a `BadEntry` with its reason (bad dates
drop the date, not the entry). Whole documents that cannot be read (not XML,
corrupt gzip, gzip bombs, entity expansion, external entities) raise the
parser's one document error or are read safely, never anything else.
"""

from __future__ import annotations

import gzip
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery import (
    BadEntry,
    MalformedFeed,
    MalformedSitemap,
    entry_url,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)
from crawler.discovery import feeds as feeds_module
from crawler.discovery.entries import EntryError
from crawler.discovery.window import parse_document_date

BASE = "https://news.example.com"
GOOD = [f"{BASE}/2025/10/01/first-good-story/", f"{BASE}/2025/10/02/second-good-story/"]
LONG_URL = f"{BASE}/" + "a" * 3000

# (id, link as written in the document, reason)
BAD_LINKS = [
    ("unclosed-ipv6", "http://[::1", "invalid_url"),
    ("bad-ipv6", "http://[zzz]/story", "invalid_url"),
    ("space-in-host", "http://exa mple.com/story", "invalid_url"),
    ("javascript", "javascript:alert(1)", "invalid_url"),
    ("mailto", "mailto:desk@news.example.com", "invalid_url"),
    ("no-host", "http://:80/story", "invalid_url"),
    ("port-out-of-range", "http://news.example.com:99999/story", "invalid_url"),
    ("empty-label", "http://news..example.com/story", "invalid_url"),
    ("overlong", LONG_URL, "url_too_long"),
]
# (id, date as written, where the date sits)
BAD_DATES = [
    ("overflow-plus-14", "0001-01-01T00:00:00+14:00"),
    ("overflow-minus-14", "9999-12-31T23:59:59-14:00"),
    ("year-9999", "9999-06-01T00:00:00Z"),
    ("year-10000", "10000-01-01"),
    ("year-0", "0000-01-01"),
    ("rfc822-year-1", "Mon, 01 Jan 0001 00:00:00 +1400"),
    ("rfc822-year-9999", "Fri, 31 Dec 9999 23:59:59 -1400"),
    ("not-a-date", "yesterday-ish"),
]


def rss(items: list[str]) -> bytes:
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>" + "".join(items) + "</channel></rss>").encode()


def rss_item(link: str, date: str | None = None, title: str = "A story") -> str:
    date_el = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>{_xml(link)}</link>{date_el}</item>"


def atom(entries: list[str]) -> bytes:
    return (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><id>urn:x</id>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def atom_entry(link: str, date: str | None = None) -> str:
    date_el = f"<published>{date}</published>" if date else ""
    return f"<entry><title>A story</title><id>urn:{abs(hash(link))}</id><link rel='alternate' href='{_xml(link)}'/>{date_el}</entry>"


def urlset(urls: list[str]) -> bytes:
    return (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>" + "".join(urls) + "</urlset>"
    ).encode()


def url_el(loc: str, lastmod: str | None = None, published: str | None = None) -> str:
    text = f"<url><loc>{_xml(loc)}</loc>"
    if lastmod:
        text += f"<lastmod>{lastmod}</lastmod>"
    if published:
        text += f"<news:news><news:title>T</news:title><news:publication_date>{published}</news:publication_date></news:news>"
    return text + "</url>"


def sitemap_index(locs: list[str], lastmod: str | None = None) -> bytes:
    children = "".join(f"<sitemap><loc>{_xml(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>" for loc in locs)
    return f"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{children}</sitemapindex>".encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def reasons(bad: list[BadEntry]) -> list[str]:
    return [b.reason for b in bad]


# -- entry URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("link", "reason"), [(link, reason) for _, link, reason in BAD_LINKS]
                         + [("http://a\x00b.example.com/", "invalid_url"), ("http://news.example.com/\udc80", "invalid_url"),
                            ("", "no_url"), ("   ", "no_url"), (None, "no_url"), ({"href": GOOD[0]}, "wrong_type"),
                            ([GOOD[0]], "wrong_type"), ("/relative/without/base", "invalid_url")],
                         ids=[i for i, _, _ in BAD_LINKS] + ["nul-byte", "lone-surrogate", "empty", "blank", "none", "dict",
                                                              "list", "relative-no-base"])  # fmt: skip
def test_entry_url_rejects(link: Any, reason: str) -> None:
    base = "" if link == "/relative/without/base" else BASE
    with pytest.raises(EntryError) as info:
        entry_url(link, base)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (" /2025/10/03/relative-story/ ", f"{BASE}/2025/10/03/relative-story/"),
        ("https://news.example.com/a b", "https://news.example.com/a b"),  # Scrapy quotes the path
        ("http://[::1]:8080/story", "http://[::1]:8080/story"),
        ("https://xn--bcher-kva.example/story", "https://xn--bcher-kva.example/story"),
        ("https://bücher.example/story", "https://bücher.example/story"),
        ("https://news.example.com./story", "https://news.example.com./story"),
    ],
)
def test_entry_url_accepts(link: str, expected: str) -> None:
    assert entry_url(link, BASE) == expected


@pytest.mark.parametrize("text", [date for _, date in BAD_DATES], ids=[i for i, _ in BAD_DATES])
def test_document_date_out_of_range_is_none(text: str) -> None:
    assert parse_document_date(text) is None


# -- feeds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["rss", "atom"])
@pytest.mark.parametrize(("link", "reason"), [(link, reason) for _, link, reason in BAD_LINKS], ids=[i for i, _, _ in BAD_LINKS])
def test_feed_bad_link_skips_only_that_entry(flavour: str, link: str, reason: str) -> None:
    if flavour == "rss":
        body = rss([rss_item(GOOD[0]), rss_item(link), rss_item(GOOD[1])])
    else:
        body = atom([atom_entry(GOOD[0]), atom_entry(link), atom_entry(GOOD[1])])
    document = parse_feed(body, f"{BASE}/feed.xml")
    assert [e.url for e in document.entries] == GOOD
    assert reasons(document.bad_entries) == [reason]


@pytest.mark.parametrize("flavour", ["rss", "atom"])
@pytest.mark.parametrize("date", [date for _, date in BAD_DATES], ids=[i for i, _ in BAD_DATES])
def test_feed_bad_date_keeps_the_entry_undated(flavour: str, date: str) -> None:
    bad_url = f"{BASE}/2025/10/05/story-with-a-bad-date/"
    if flavour == "rss":
        body = rss([rss_item(GOOD[0], "Wed, 01 Oct 2025 08:00:00 GMT"), rss_item(bad_url, date), rss_item(GOOD[1])])
    else:
        body = atom([atom_entry(GOOD[0], "2025-10-01T08:00:00Z"), atom_entry(bad_url, date), atom_entry(GOOD[1])])
    document = parse_feed(body, f"{BASE}/feed.xml")
    assert [(e.url, e.published_at) for e in document.entries] == [
        (GOOD[0], datetime(2025, 10, 1, 8, tzinfo=timezone.utc)),
        (bad_url, None),
        (GOOD[1], None),
    ]
    assert reasons(document.bad_entries) == ["bad_date"]


def test_feed_control_characters_in_titles_are_cleaned(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [{"link": GOOD[0], "title": "Council\x00 votes\x1b\t\n  again\ud800 " + "x" * 5000}]
    monkeypatch.setattr(feeds_module.feedparser, "parse", lambda *a, **k: {"version": "rss20", "entries": entries})
    [entry] = parse_feed(b"<rss/>", f"{BASE}/feed.xml").entries
    assert entry.title == ("Council votes again " + "x" * 5000)[:1000]


def test_feed_nul_byte_in_a_link_skips_only_that_entry() -> None:
    # A raw NUL is not XML: feedparser falls back to its loose parser, which keeps the entries.
    body = rss([rss_item(GOOD[0]), rss_item(f"{BASE}/nul\x00byte"), rss_item(GOOD[1], title="Second\x00 title")])
    document = parse_feed(body, f"{BASE}/feed.xml")
    assert [e.url for e in document.entries] == GOOD
    assert document.entries[1].title == "Second title"
    assert sorted(reasons(document.bad_entries)) == ["broken_xml", "invalid_url"]


# Entries as feedparser could hand them over: values of the wrong type where strings are expected.
WRONG_TYPES = [
    ("link-dict", {"link": {"href": GOOD[0]}}, None, "wrong_type"),
    ("link-list", {"link": [GOOD[0]]}, None, "wrong_type"),
    ("links-not-dicts", {"links": ["x", 3]}, None, "no_url"),
    ("title-dict", {"link": GOOD[0], "title": {"value": "x"}}, GOOD[0], "wrong_type"),
    ("title-list", {"link": GOOD[0], "title": ["x"]}, GOOD[0], "wrong_type"),
    ("published-list", {"link": GOOD[0], "published": ["2025"]}, GOOD[0], "wrong_type"),
    ("published-parsed-garbage", {"link": GOOD[0], "published": "Mon, 1 Foo", "published_parsed": "x"}, GOOD[0], "bad_date"),
    ("entry-not-a-dict", ["not", "an", "entry"], None, "wrong_type"),
]


@pytest.mark.parametrize(("entry", "kept", "reason"), [w[1:] for w in WRONG_TYPES], ids=[w[0] for w in WRONG_TYPES])
def test_feed_wrong_types_from_feedparser(monkeypatch: pytest.MonkeyPatch, entry: Any, kept: str | None, reason: str) -> None:
    entries = [{"link": GOOD[0]}, entry, {"link": GOOD[1]}]
    monkeypatch.setattr(feeds_module.feedparser, "parse", lambda *a, **k: {"version": "rss20", "entries": entries})
    document = parse_feed(b"<rss/>", f"{BASE}/feed.xml")
    assert [e.url for e in document.entries] == [GOOD[0], *([kept] if kept else []), GOOD[1]]
    assert reasons(document.bad_entries) == [reason]


# -- sitemaps --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["urlset", "sitemapindex"])
@pytest.mark.parametrize(("link", "reason"), [(link, reason) for _, link, reason in BAD_LINKS], ids=[i for i, _, _ in BAD_LINKS])
def test_sitemap_bad_loc_skips_only_that_entry(kind: str, link: str, reason: str) -> None:
    locs = [GOOD[0], link, GOOD[1]]
    body = urlset([url_el(loc) for loc in locs]) if kind == "urlset" else sitemap_index(locs)
    document = parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert document.kind == kind
    assert [e.url for e in document.entries] == GOOD
    assert reasons(document.bad_entries) == [reason]


@pytest.mark.parametrize("where", ["lastmod", "news", "index-lastmod"])
@pytest.mark.parametrize("date", [date for _, date in BAD_DATES], ids=[i for i, _ in BAD_DATES])
def test_sitemap_bad_date_keeps_the_entry_undated(where: str, date: str) -> None:
    if where == "index-lastmod":
        document = parse_sitemap(sitemap_index(GOOD, lastmod=date), f"{BASE}/sitemap.xml")
        assert [(e.url, e.modified_at) for e in document.entries] == [(GOOD[0], None), (GOOD[1], None)]
        assert reasons(document.bad_entries) == ["bad_date", "bad_date"]
        return
    bad = url_el(GOOD[1], lastmod=date) if where == "lastmod" else url_el(GOOD[1], published=date)
    document = parse_sitemap(urlset([url_el(GOOD[0], lastmod="2025-10-01"), bad]), f"{BASE}/sitemap.xml")
    assert [(e.url, e.date) for e in document.entries] == [
        (GOOD[0], datetime(2025, 10, 1, tzinfo=timezone.utc)),
        (GOOD[1], None),
    ]
    assert reasons(document.bad_entries) == ["bad_date"]


def test_sitemap_entity_expansion_is_not_expanded() -> None:
    lol = "<!ENTITY lol0 'lol'>" + "".join(f"<!ENTITY lol{i} '{f'&lol{i - 1};' * 10}'>" for i in range(1, 10))
    body = (
        f"<?xml version='1.0'?><!DOCTYPE urlset [{lol}]>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{GOOD[0]}</loc></url><url><loc>{BASE}/x&lol9;</loc></url><url><loc>{GOOD[1]}</loc></url></urlset>"
    ).encode()
    started = time.process_time()
    document = parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert time.process_time() - started < 5  # a generous bound: expanding would take minutes and gigabytes
    assert GOOD[0] in [e.url for e in document.entries]
    assert all(len(e.url) < 200 for e in document.entries)
    assert "broken_xml" in reasons(document.bad_entries)  # lxml stopped at the entity: said, not silent


@pytest.mark.parametrize("parse", ["feed", "sitemap"])
def test_external_entities_are_not_read(tmp_path: Path, parse: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    doctype = (
        f"<!DOCTYPE x SYSTEM 'http://127.0.0.1:{port}/dtd' ["
        f"<!ENTITY file SYSTEM '{secret.as_uri()}'><!ENTITY net SYSTEM 'http://127.0.0.1:{port}/entity'>]>"
    )
    try:
        if parse == "feed":
            body = rss([rss_item(GOOD[0], title="a&file;&net;b")]).replace(b"<rss", doctype.replace("x", "rss", 1).encode() + b"<rss", 1)
            document = parse_feed(body, f"{BASE}/feed.xml")
            texts = [f"{e.url} {e.title}" for e in document.entries]
        else:
            body = urlset([url_el(GOOD[0], published="2025-10-01"), url_el(f"{BASE}/s&file;&net;")])
            body = body.replace(b"<urlset", doctype.replace("x", "urlset", 1).encode() + b"<urlset", 1)
            document = parse_sitemap(body, f"{BASE}/sitemap.xml")
            texts = [f"{e.url} {e.title}" for e in document.entries]
        assert GOOD[0] in " ".join(texts)
        assert "TOP-SECRET" not in " ".join(texts)
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody connected: no DTD or entity was fetched
    finally:
        listener.close()


# -- whole documents -------------------------------------------------------------------------------

GOOD_URLSET = urlset([url_el(f"{BASE}/2025/10/{i:02d}/story-{i}/") for i in range(1, 29)])
GOOD_FEED = rss([rss_item(f"{BASE}/2025/10/{i:02d}/story-{i}/") for i in range(1, 29)])
BOMB = gzip.compress(b"<?xml version='1.0'?><urlset>" + b" " * 5_000_000 + b"</urlset>")


@pytest.mark.parametrize("parse", ["feed", "sitemap"])
@pytest.mark.parametrize(
    ("body", "max_size"),
    [
        pytest.param(b"\x00\x01\x02 not xml \xff\xfe", 0, id="binary"),
        pytest.param(b"<html><body><p>Not a feed</p></body></html>", 0, id="html"),
        pytest.param(b"\x1f\x8b\x08\x00corrupt", 0, id="corrupt-gzip"),
        pytest.param(BOMB, 1_000_000, id="gzip-bomb-over-max-size"),
        pytest.param(gzip.compress(b"")[:12], 0, id="gzip-header-only"),
        pytest.param(b"<?xml version='1.0' encoding='\x00utf-8'?><rss version='2.0'><channel/></rss>", 0, id="nul-in-encoding"),
        pytest.param(b"<?xml version='1.0' encoding='\x80utf-8'?><rss version='2.0'><channel/></rss>", 0, id="byte-in-encoding"),
    ],
)
def test_unreadable_documents_are_one_error(parse: str, body: bytes, max_size: int) -> None:
    error = MalformedFeed if parse == "feed" else MalformedSitemap
    parser = parse_feed if parse == "feed" else parse_sitemap
    with pytest.raises(error):
        parser(body, f"{BASE}/document", max_size=max_size)


@pytest.mark.parametrize("parse", ["feed", "sitemap"])
def test_truncated_gzip_keeps_what_was_read(parse: str) -> None:
    body = GOOD_FEED if parse == "feed" else GOOD_URLSET
    cut = gzip.compress(body)[: len(gzip.compress(body)) * 2 // 3]
    if parse == "feed":
        document = parse_feed(cut, f"{BASE}/feed.xml.gz")
    else:
        document = parse_sitemap(cut, f"{BASE}/sitemap.xml.gz")
    assert 0 < len(document.entries) < 28
    assert document.entries[0].url == f"{BASE}/2025/10/01/story-1/"


def test_deeply_nested_sitemap_is_cut_and_said() -> None:
    # huge_tree stays off: lxml stops at depth 256 and the document says it lost the rest.
    body = GOOD_URLSET.replace(b"</urlset>", b"<x>" * 100_000 + b"</x>" * 100_000 + b"</urlset>")
    document = parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert len(document.entries) == 28
    assert reasons(document.bad_entries) == ["broken_xml"]


# -- robots.txt ------------------------------------------------------------------------------------


def test_robots_bad_sitemap_lines_are_skipped_one_at_a_time() -> None:
    body = (
        b"User-agent: *\nSitemap: http://[::1\nSitemap: https://news.example.com/a.xml\n"
        b"Sitemap:\nSitemap: \xff\xfe\nSitemap: javascript:x\nSitemap: /b.xml\n"
    )
    document = sitemaps_from_robots(body, f"{BASE}/robots.txt")
    assert [e.url for e in document.entries] == [f"{BASE}/a.xml", f"{BASE}/b.xml"]
    assert reasons(document.bad_entries) == ["invalid_url", "no_url", "invalid_url", "invalid_url"]
