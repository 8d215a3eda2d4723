"""The off-domain policy (crawler.discovery.offsite) and the redirect check built on it (crawler.redirects)."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.discovery.offsite import document_allowed, on_domains, same_site
from crawler.redirects import STAT, OffsiteRedirectMiddleware, redirect_allowed
from crawler.sources import parse_sources
from crawler.spiders.base import DISCOVERY_META

SOURCES = """
[[source]]
name = "herald"
domains = ["herald.co.uk", "127.0.0.1:8001"]

[[source]]
name = "agg"
domains = ["agg.example"]
follow_offsite = true
"""
HERALD, AGG = parse_sources(SOURCES)
BY_NAME = {"herald": HERALD, "agg": AGG}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.herald.co.uk/a", "https://static.herald.co.uk/b", True),
        ("https://herald.co.uk/a", "http://herald.co.uk/b", False),  # another port
        ("https://herald.co.uk/a", "https://other.co.uk/b", False),  # co.uk is a public suffix
        ("https://alice.github.io/a", "https://bob.github.io/b", False),  # so is github.io
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b", True),
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/b", False),
        ("http://127.0.0.1:8001/a", "http://127.0.0.2:8001/b", False),
        ("http://[::1/a", "http://[::1/a", False),  # unreadable: no site
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same


def test_articles_must_be_on_the_domains_unless_the_source_follows_offsite() -> None:
    assert on_domains(HERALD, "https://news.herald.co.uk/2025/story")  # subdomains included
    assert on_domains(HERALD, "http://127.0.0.1:8001/story")
    assert not on_domains(HERALD, "http://127.0.0.1:8002/story")
    assert not on_domains(HERALD, "https://evil.example/story")
    assert not on_domains(HERALD, "http://[::1/story")
    assert on_domains(AGG, "https://evil.example/story")
    assert on_domains(None, "https://evil.example/story")  # no source: no restriction


def test_documents_may_stay_on_the_site_of_their_parent() -> None:
    index = "https://feeds.herald-media.com/index.xml"  # a declared sitemap off the domains
    assert document_allowed(HERALD, "https://static.herald-media.com/child.xml", index)
    assert document_allowed(HERALD, "https://www.herald.co.uk/child.xml", index)
    assert not document_allowed(HERALD, "https://evil.example/child.xml", index)


def redirected(url: str, first: str, **meta: dict) -> Request:
    return Request(url, meta={"redirect_urls": [first], **meta})


@pytest.mark.parametrize(
    ("request_", "allowed"),
    [
        # Articles: only on the source's domains.
        (redirected("https://www.herald.co.uk/b", "https://herald.co.uk/a", newspipe={"source": "herald", "via": "feed"}), True),
        (redirected("https://evil.example/b", "https://herald.co.uk/a", newspipe={"source": "herald", "via": "sitemap"}), False),
        (redirected("https://evil.example/b", "https://herald.co.uk/a", newspipe={"source": "herald", "via": "revisit"}), False),
        (redirected("https://evil.example/b", "https://agg.example/a", newspipe={"source": "agg", "via": "feed"}), True),
        # Discovery documents: also on the site they were first requested on.
        (redirected("https://b.herald-media.com/f", "https://a.herald-media.com/f", **{DISCOVERY_META: {"kind": "feed", "source": "herald"}}), True),
        (redirected("https://evil.example/f", "https://a.herald-media.com/f", **{DISCOVERY_META: {"kind": "sitemap", "source": "herald"}}), False),
        # A source this process does not know: the chain stays on its site.
        (redirected("https://www.known.example/b", "https://known.example/a", newspipe={"source": "gone", "via": "feed"}), True),
        (redirected("https://evil.example/b", "https://known.example/a", newspipe={"source": "gone", "via": "feed"}), False),
        # Not discovered from a source's documents: `fetch URL...`, archive replays.
        (redirected("https://evil.example/b", "https://herald.co.uk/a", newspipe={"source": "herald", "via": "url"}), True),
        (redirected("https://evil.example/b", "https://herald.co.uk/a"), True),
    ],
)
def test_redirect_allowed(request_: Request, allowed: bool) -> None:
    assert redirect_allowed(request_, BY_NAME) is allowed


def test_middleware_refuses_and_counts_only_redirected_requests() -> None:
    crawler = get_crawler(Spider)
    crawler.spider = Spider("s")
    crawler.spider.sources_by_name = BY_NAME  # type: ignore[attr-defined]
    middleware = OffsiteRedirectMiddleware.from_crawler(crawler)
    off = redirected("https://evil.example/b", "https://herald.co.uk/a", newspipe={"source": "herald", "via": "feed"})
    with pytest.raises(IgnoreRequest, match="herald"):
        middleware.process_request(off)
    with pytest.raises(IgnoreRequest):
        middleware.process_request(off.replace(url="https://evil.example/c"))
    assert crawler.stats.get_value(STAT) == 2
    # Not a redirect: entries are judged at discovery, not here.
    assert middleware.process_request(Request("https://evil.example/b", meta={"newspipe": {"source": "herald", "via": "feed"}})) is None
    assert crawler.stats.get_value(STAT) == 2
