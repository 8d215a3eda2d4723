"""Property-based tests of the feed and sitemap parsers (hypothesis, derandomized).

For generated feeds and sitemaps that mix good entries with bad ones (invalid
URLs, impossible dates, arbitrary text), and for such documents mutated at the
byte level (truncated, bytes spliced in, gzipped): the parsers return or raise
their one document error, never anything else; every returned URL is absolute
http(s) with a host and can be requested; every date is timezone-aware or None; and while the XML
stays well-formed, every good entry comes out next to the bad ones.
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request

from benchmarks.fuzz_inputs import BAD_DATES, BAD_URLS
from crawler.discovery import DiscoveryError, dedup_key, parse_feed, parse_sitemap, strip_tracking
from crawler.discovery.entries import Discovered
from crawler.discovery.sitemaps import SitemapDocument

BASE = "https://news.example.com"
PROPERTY = settings(
    max_examples=150, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip

# Text that is legal XML 1.0 character data (no controls, surrogates or U+FFFE/FFFF).
xml_text = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"), max_size=80)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
good_urls = st.builds(
    lambda scheme, host, tld, path, n: f"{scheme}://{host}.{tld}/{path}/{n}",
    st.sampled_from(["http", "https"]),
    label,
    st.sampled_from(["com", "org", "de", "example"]),
    st.from_regex(r"[a-zA-Z0-9._~-]{1,40}", fullmatch=True),
    st.integers(0, 10**6),
)
good_dates = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.sampled_from(
        [timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), timezone(timedelta(hours=5, minutes=30))]
    )
).map(lambda d: d.isoformat())  # fmt: skip
bad_urls = st.sampled_from([u for u in BAD_URLS if u.isprintable()]) | xml_text
bad_dates = st.sampled_from([d for d in BAD_DATES if d.isprintable()]) | xml_text
# (link, date, good?)
entries = st.lists(
    st.tuples(good_urls, good_dates | st.just(""), st.just(True)) | st.tuples(bad_urls, bad_dates | good_dates, st.just(False)),
    max_size=12,
)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def feed(flavour: str, items: list[tuple[str, str, bool]]) -> bytes:
    if flavour == "atom":
        body = "".join(
            f'<entry><title>t</title><id>urn:{i}</id><link href="{_esc(u)}"/>{f"<published>{_esc(d)}</published>" if d else ""}</entry>'
            for i, (u, d, _) in enumerate(items)
        )
        text = f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>f</title><id>urn:f</id>{body}</feed>"
    else:
        body = "".join(
            f"<item><title>t</title><link>{_esc(u)}</link>{f'<pubDate>{_esc(d)}</pubDate>' if d else ''}</item>" for u, d, _ in items
        )
        text = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>f</title>{body}</channel></rss>"
    return text.encode("utf-8")


def sitemap(kind: str, items: list[tuple[str, str, bool]]) -> bytes:
    if kind == "sitemapindex":
        body = "".join(f"<sitemap><loc>{_esc(u)}</loc><lastmod>{_esc(d)}</lastmod></sitemap>" for u, d, _ in items)
    elif kind == "news":
        body = "".join(
            f"<url><loc>{_esc(u)}</loc><news:news><news:publication_date>{_esc(d)}</news:publication_date></news:news></url>"
            for u, d, _ in items
        )
    else:
        body = "".join(f"<url><loc>{_esc(u)}</loc><lastmod>{_esc(d)}</lastmod></url>" for u, d, _ in items)
    root = "sitemapindex" if kind == "sitemapindex" else "urlset"
    return (
        f"<?xml version='1.0' encoding='utf-8'?><{root} xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{body}</{root}>"
    ).encode("utf-8")


def check(document: Discovered | SitemapDocument) -> list[str]:
    """The invariants every parsed document keeps; returns its URLs."""
    for entry in document.entries:
        parts = urlsplit(entry.url)
        assert parts.scheme in ("http", "https") and parts.hostname, entry.url
        # What the spider does with it (article_request) must work too.
        Request(strip_tracking(entry.url))
        dedup_key(strip_tracking(entry.url))
        for value in (entry.published_at, entry.modified_at):
            assert value is None or value.utcoffset() is not None, value
    return [e.url for e in document.entries]


SKIP_REASONS = {"invalid_url", "url_too_long", "no_url", "wrong_type"}


def assert_accounted(document: Discovered | SitemapDocument, items: list[tuple[str, str, bool]]) -> None:
    """Every entry is returned or reported as skipped: none is dropped silently."""
    skipped = sum(1 for bad in document.bad_entries if bad.reason in SKIP_REASONS)
    assert len(document.entries) + skipped == len(items), document.bad_entries


def _good(items: list[tuple[str, str, bool]]) -> list[str]:
    return [u for u, _, good in items if good]


@PROPERTY
@given(flavour=st.sampled_from(["rss", "atom"]), items=entries)
def test_feed_good_entries_survive_next_to_bad_ones(flavour: str, items: list[tuple[str, str, bool]]) -> None:
    try:
        document = parse_feed(feed(flavour, items), f"{BASE}/feed.xml")
    except DiscoveryError:
        assert not _good(items)  # only a feed without one usable entry may be refused
        return
    urls = check(document)
    assert set(_good(items)) <= set(urls)
    assert_accounted(document, items)


@PROPERTY
@given(kind=st.sampled_from(["urlset", "news", "sitemapindex"]), items=entries)
def test_sitemap_good_entries_survive_next_to_bad_ones(kind: str, items: list[tuple[str, str, bool]]) -> None:
    document = parse_sitemap(sitemap(kind, items), f"{BASE}/sitemap.xml")
    urls = check(document)
    assert set(_good(items)) <= set(urls)
    assert_accounted(document, items)


@st.composite
def mutated(draw: st.DrawFn, document: bytes) -> tuple[bytes, int]:
    """`document` truncated, with bytes spliced in, and/or gzipped (maybe truncated); and a max_size."""
    data = document
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.binary(max_size=20) | st.sampled_from([b"\x00", b"&lol;", b"<!--", b"]]>", b"\xff\xfe", b"<x>" * 300]))
        data = data[:at] + piece + data[at:]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    max_size = 0
    if draw(st.booleans()):
        data = gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
        max_size = draw(st.sampled_from([0, 100, 10**6]))
    return data, max_size


@settings(PROPERTY, max_examples=300)
@given(data=st.data(), kind=st.sampled_from(["rss", "atom", "urlset", "news", "sitemapindex"]), items=entries)
def test_mutated_documents_never_raise_anything_else(data: st.DataObject, kind: str, items: list[tuple[str, str, bool]]) -> None:
    is_feed = kind in ("rss", "atom")
    body, max_size = data.draw(mutated(feed(kind, items) if is_feed else sitemap(kind, items)))
    parse = parse_feed if is_feed else parse_sitemap
    try:
        check(parse(body, f"{BASE}/document.xml", max_size=max_size))
    except DiscoveryError:
        pass
