"""Table-driven tests for URL identity: which spellings share an article key, which never may.

`SAME` lists pairs that must get one key (the spellings reach one page); `DIFFERENT` lists
pairs that must keep two (they may be two pages). Modelled on the situations in w3lib's and
courlan's URL tests and on what feeds and sitemaps actually carry.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from crawler.discovery.urls import dedup_key, strip_tracking
from pipelines.extraction import ArticleRecord, canonicalize_url, extract_article
from pipelines.extraction.domains import registrable_domain, same_site
from pipelines.extraction.tracking import is_tracking

SAME = [
    # Percent-encoding: case of escapes, unreserved characters, non-ASCII encoded once.
    ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
    ("https://example.com/%7Euser/story", "https://example.com/~user/story"),
    ("https://example.com/%41rticle", "https://example.com/Article"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://www.dw.com/de/rüstung/a-65887595", "https://www.dw.com/de/r%C3%BCstung/a-65887595"),
    ("https://example.com/a?q=caf%c3%a9", "https://example.com/a?q=caf%C3%A9"),
    ("https://example.com/a?q=café", "https://example.com/a?q=caf%C3%A9"),
    ("https://example.com/a?q=%7e", "https://example.com/a?q=~"),
    ("https://example.com/a?q=%e9", "https://example.com/a?q=%E9"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    # Internationalised domain names: one form, punycode, lowercase.
    ("https://bücher.de/x", "https://xn--bcher-kva.de/x"),
    ("https://BÜCHER.de/x", "https://XN--BCHER-KVA.DE/x"),
    ("https://bücher。de/x", "https://xn--bcher-kva.de/x"),
    ("https://ＥＸＡＭＰＬＥ.com/x", "https://example.com/x"),
    ("https://例え.テスト/x", "https://xn--r8jz45g.xn--zckzah/x"),
    # Case of scheme and host, trailing dot of the host.
    ("HTTPS://Example.COM/News", "https://example.com/News"),
    ("https://example.com./news", "https://example.com/news"),
    # Default ports.
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://[::0:1]:80/a", "http://[::1]/a"),
    # Duplicate slashes in the path, empty path.
    ("https://example.com//news//2025/story", "https://example.com/news/2025/story"),
    ("https://example.com", "https://example.com/"),
    # Fragments and empty query/fragment.
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a#", "https://example.com/a"),
    ("https://example.com/a?&&", "https://example.com/a"),
    # Query order, where no server can tell.
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?b=2&id=1&id=2", "https://example.com/a?id=1&id=2&b=2"),
    # Tracking parameters, all from the one list.
    ("https://example.com/a?utm_source=x&utm_medium=rss&id=5", "https://example.com/a?id=5"),
    ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
    ("https://example.com/a?utm%5Fsource=x", "https://example.com/a"),
    ("https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4", "https://example.com/a"),
    ("https://example.com/a?clickid=1&fb_ref=2&fb_source=3", "https://example.com/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&yclid=4", "https://example.com/a"),
    ("https://example.com/a?igshid=1&ref_src=2&cmpid=3&ocid=4", "https://example.com/a"),
    ("https://example.com/a?itm_source=1&itm_campaign=2", "https://example.com/a"),
    ("https://example.com/a?affiliate=1&aff_affiliate_id=2&AffiliateID=3", "https://example.com/a"),
    ("https://example.com/a?p=7&utm_source=x", "https://example.com/a?p=7"),
    # `&amp;` escaped twice by badly written sitemaps.
    ("https://example.com/a?id=1&amp;utm_source=x", "https://example.com/a?id=1"),
    ("https://example.com/a?y=2015&amp;m=9", "https://example.com/a?m=9&y=2015"),
    ("https://example.com/a?id=1&amp;amp;utm_medium=x", "https://example.com/a?id=1"),
    # AMP variants.
    ("https://example.com/2025/10/story/amp/", "https://example.com/2025/10/story/"),
    ("https://example.com/story/amp", "https://example.com/story/"),
    ("https://www.wsj.com/amp/articles/football-11574121884", "https://www.wsj.com/articles/football-11574121884"),
    ("https://example.com/news/story.amp", "https://example.com/news/story"),
    ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
    ("https://example.com/story?amp", "https://example.com/story"),
    ("https://example.com/story?amp=1", "https://example.com/story"),
    ("https://example.com/story?amp=true&id=2", "https://example.com/story?id=2"),
    ("https://example.com/story?output=amp", "https://example.com/story"),
    ("https://example.com/story?outputType=amp", "https://example.com/story"),
    ("https://amp.example.com/news/story", "https://example.com/news/story"),
    ("https://amp.theguardian.co.uk/world/story", "https://theguardian.co.uk/world/story"),
    # Hashbang fragments select content: the same one is the same key.
    ("https://example.com/?utm_source=x#!/story/1", "https://EXAMPLE.com/#!/story/1"),
]

DIFFERENT = [
    # Invalid UTF-8 escapes are kept as they are, never replaced (the old `?q=%EF%BF%BD` collision).
    ("https://example.com/search?q=%e9", "https://example.com/search?q=%e8"),
    ("https://example.com/r%E9sum%E9", "https://example.com/r%E8sum%E8"),
    ("https://example.com/a?q=%E9", "https://example.com/a?q=%C3%A9"),
    # Never encoded twice: an escaped percent sign is another URL.
    ("https://example.com/caf%25C3%25A9", "https://example.com/caf%C3%A9"),
    ("https://example.com/a?q=%2541", "https://example.com/a?q=%41"),
    # Reserved characters inside a value keep their meaning.
    ("https://example.com/a?x=1;y=2", "https://example.com/a?x=1%3By%3D2"),
    ("https://example.com/a?q=a%26b", "https://example.com/a?q=a&b"),
    ("https://example.com/a?q=a+b", "https://example.com/a?q=a%2Bb"),
    ("https://example.com/a%2Fb", "https://example.com/a/b"),
    # The order of a repeated parameter's values.
    ("https://example.com/a?id=1&id=2", "https://example.com/a?id=2&id=1"),
    # Parameters that select content are never tracking.
    ("https://example.com/a?id=1", "https://example.com/a?id=2"),
    ("https://example.com/a?p=1", "https://example.com/a"),
    ("https://example.com/a?page=2", "https://example.com/a"),
    ("https://example.com/a?story=9", "https://example.com/a?story=10"),
    ("https://example.com/a?article=5", "https://example.com/a"),
    ("https://example.com/search?q=amp", "https://example.com/search"),
    ("https://example.com/story?amp=0", "https://example.com/story"),
    # Internationalised names: IDNA 2008 keeps ß (another domain than ss).
    ("https://faß.de/x", "https://fass.de/x"),
    # Path case, trailing slash, index page, scheme, port, subdomain.
    ("https://example.com/News", "https://example.com/news"),
    ("https://example.com/a/", "https://example.com/a"),
    ("https://example.com/a/index.html", "https://example.com/a/"),
    ("http://example.com/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com/a"),
    ("https://www.example.com/a", "https://example.com/a"),
    ("https://news.example.com/a", "https://example.com/a"),
    # A slash run that embeds a URL stays.
    ("https://web.example.org/web/2020/https://x.com/a", "https://web.example.org/web/2020/https:/x.com/a"),
    # Distinct hashbang routes.
    ("https://example.com/#!/story/1", "https://example.com/#!/story/2"),
    ("https://example.com/#!/story/1", "https://example.com/"),
    # AMP: a slug that is literally "amp", and hosts that are not the site's AMP host.
    ("https://example.com/amp", "https://example.com/"),
    ("https://example.com/amp/", "https://example.com/"),
    ("https://example.com/tag/amp", "https://example.com/tag/"),
    ("https://example.com/topics/amp/", "https://example.com/topics/"),
    ("https://amp.co.uk/news", "https://co.uk/news"),
    ("https://amp.blogspot.com/news", "https://blogspot.com/news"),
    ("https://example.com/news/ampere", "https://example.com/news/"),
    ("https://amplify.example.com/story", "https://example.com/story"),
    ("https://example.com/campaign/amplifier", "https://example.com/campaign/"),
]


def test_enough_cases() -> None:
    assert len(SAME) + len(DIFFERENT) >= 60


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_key(a: str, b: str) -> None:
    assert canonicalize_url(a) == canonicalize_url(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_key(a: str, b: str) -> None:
    assert canonicalize_url(a) != canonicalize_url(b)


@pytest.mark.parametrize("url", [u for pair in SAME + DIFFERENT for u in pair])
def test_canonical_form_is_stable(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert dedup_key(url) == once  # discovery deduplicates by the same key


def test_invalid_utf8_escapes_are_kept() -> None:
    """The old key decoded `%e9` as UTF-8 and replaced it: `?q=%EF%BF%BD` for every Latin-1 letter."""
    assert canonicalize_url("https://example.com/search?q=%e9") == "https://example.com/search?q=%E9"
    assert canonicalize_url("https://example.com/search?q=%e8&b=1") == "https://example.com/search?b=1&q=%E8"


def test_keys_are_printable_ascii() -> None:
    for a, b in SAME + DIFFERENT:
        for key in (canonicalize_url(a), canonicalize_url(b)):
            assert key.isascii() and key.isprintable() and " " not in key, key


@pytest.mark.parametrize("text", ["not a url", "mailto:someone@example.com", "https://example.com:99999/a", "/relative/path", ""])
def test_non_urls_come_back_stripped(text: str) -> None:
    assert canonicalize_url(f"  {text} ") == text


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True), ("UTM_MEDIUM", True), ("amp;utm_term", True), ("fbclid", True), ("gclid", True),
        ("dclid", True), ("msclkid", True), ("clickid", True), ("fb_ref", True), ("fb_source", True),
        ("mc_cid", True), ("mc_eid", True), ("_ga", True), ("yclid", True), ("igshid", True), ("ref_src", True),
        ("affiliate_id", True), ("itm_medium", True), ("cmpid", True), ("ocid", True),
        ("id", False), ("p", False), ("page", False), ("story", False), ("article", False), ("q", False),
        ("amp", False), ("s", False), ("year", False), ("category", False),
    ],
)  # fmt: skip
def test_one_tracking_list(name: str, tracking: bool) -> None:
    assert is_tracking(name) is tracking


def test_request_url_drops_the_same_tracking_parameters() -> None:
    """strip_tracking (the URL requested) uses the canonical key's list: nothing either keeps that the other drops."""
    url = "https://example.com/a?z=1&cmpid=x&itm_source=y&fb_ref=z&id=5&amp;utm_source=w#top"
    assert strip_tracking(url) == "https://example.com/a?z=1&id=5"
    assert canonicalize_url(strip_tracking(url)) == canonicalize_url(url) == "https://example.com/a?id=5&z=1"


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.vg.no", "vg.no"), ("vg.no", "vg.no"), ("www.ft.com", "ft.com"), ("news.bbc.co.uk", "bbc.co.uk"),
        ("https://www.abc.net.au/news", "abc.net.au"), ("www.nhk.or.jp", "nhk.or.jp"), ("example.de", "example.de"),
        ("alice.blogspot.com", "alice.blogspot.com"), ("https://www.bücher.de/x", "xn--bcher-kva.de"),
        ("WWW.Example.COM.", "example.com"), ("co.uk", "co.uk"), ("http://127.0.0.1:8080/a", "127.0.0.1"),
        ("http://[::1]/a", "::1"), ("localhost", "localhost"), ("news.demo.test", "demo.test"), ("", ""),
    ],
)  # fmt: skip
def test_registrable_domain_from_the_public_suffix_list(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_same_site() -> None:
    assert same_site("https://www.vg.no/nyheter/i/1", "https://vg.no/nyheter/i/1")
    assert same_site("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b")
    assert not same_site("https://alice.blogspot.com/a", "https://bob.blogspot.com/a")
    assert not same_site("https://example.co.uk/a", "https://other.co.uk/a")
    assert not same_site("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/a")  # another port, another server
    assert not same_site("http://127.0.0.1/a", "http://127.0.0.2/a")


def test_own_canonical_under_www_is_not_syndication() -> None:
    """A page on www.vg.no whose rel=canonical names vg.no is the site's own article, not a copy."""
    html = (Path(__file__).parent / "fixtures" / "extraction" / "jsonld_graph.html").read_text(encoding="utf-8")
    html = html.replace("<head>", '<head><link rel="canonical" href="https://vg.no/nyheter/i/abc123/kullhavn">')
    result = extract_article(html, "https://www.vg.no/nyheter/i/abc123/kullhavn?utm_source=x")
    assert isinstance(result, ArticleRecord)
    assert result.syndicated_from is None
    assert result.canonical_url == "https://vg.no/nyheter/i/abc123/kullhavn"


def test_public_suffix_list_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled snapshot only: no connection is even attempted, however cold the caches."""
    from pipelines.extraction import domains

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public-suffix list must not be fetched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    domains._suffixes.cache_clear()
    domains._host_domain.cache_clear()
    assert registrable_domain("www.guardian.co.uk") == "guardian.co.uk"
