"""Unit tests for `canonicalize_url`."""

from __future__ import annotations

import pytest

from pipelines.extraction import canonicalize_url
from pipelines.extraction.urls import registrable_domain


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?utm_source=x&utm_medium=rss&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4", "https://example.com/a"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&igshid=4&ref=tw&ref_src=x&cmpid=5&ocid=6", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?q=", "https://example.com/a?q="),
        ("https://example.com/story/amp/", "https://example.com/story/"),
        ("https://example.com/story/amp", "https://example.com/story/"),
        ("https://example.com/story?amp=1", "https://example.com/story"),
        ("https://example.com/story?amp=true&id=2", "https://example.com/story?id=2"),
        ("https://example.com/story?outputType=amp", "https://example.com/story"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://amp.example.com/news/story", "https://example.com/news/story"),
        ("https://amplify.example.com/news/story", "https://amplify.example.com/news/story"),
        ("https://example.com/campaign/amplifier", "https://example.com/campaign/amplifier"),
        ("https://example.com/a/index.html", "https://example.com/a/index.html"),
        ("https://example.com/a/", "https://example.com/a/"),
        ("not a url", "not a url"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("https://example.com:99999/a", "https://example.com:99999/a"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_is_idempotent() -> None:
    url = "HTTPS://www.Example.com:443/News/a/amp/?utm_campaign=x&b=1&a=2#top"
    once = canonicalize_url(url)
    assert once == "https://www.example.com/News/a/?a=2&b=1"
    assert canonicalize_url(once) == once


@pytest.mark.parametrize(
    ("host", "domain"),
    [("www.ft.com", "ft.com"), ("news.bbc.co.uk", "bbc.co.uk"), ("https://www.abc.net.au/news", "abc.net.au"), ("example.de", "example.de")],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain
