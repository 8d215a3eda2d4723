"""Feed discovery on fixture files, without Scrapy's crawler."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.discovery import MalformedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
BASE = "https://news.example.com"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"__BASE__", BASE.encode())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "rss2.xml",
            [
                (f"{BASE}/2025/10/28/council-approves-new-budget/", "Council approves new budget", utc(2025, 10, 28, 8)),
                (
                    f"{BASE}/2025/10/28/council-approves-new-budget/?utm_source=rss&utm_medium=feed#comments",
                    "Council approves new budget (shared)",
                    utc(2025, 10, 28, 8),
                ),
                (f"{BASE}/2025/09/01/old-story-from-september/", "Old story from September", utc(2025, 9, 1, 8)),
                # A relative link, resolved against the feed's URL.
                (f"{BASE}/explainers/how-the-budget-works", "Undated explainer", None),
            ],
        ),
        (
            "rss1.rdf",
            [
                (f"{BASE}/2025/10/29/harbour-reopens-after-storm/", "Harbour reopens after storm", utc(2025, 10, 29, 6, 30)),
                (f"{BASE}/2025/10/30/schools-extend-holidays/", "Schools extend holidays", utc(2025, 10, 31, 1, 30)),
            ],
        ),
        (
            "atom.xml",
            [
                (f"{BASE}/2025/10/31/rail-strike-called-off/", "Rail strike called off", utc(2025, 10, 31, 8, 15)),
                (f"{BASE}/2025/10/30/only-updated-never-published/", "Only updated, never published", None),
                (f"{BASE}/2019/05/02/ancient-history-story/", "Ancient history", utc(2019, 5, 2, 9)),
            ],
        ),
    ],
)
def test_feed_entries(name: str, expected: list[tuple[str, str, datetime | None]]) -> None:
    entries = parse_feed(load(name), f"{BASE}/{name}").entries
    assert [(e.url, e.title, e.published_at) for e in entries] == expected
    for entry in entries:
        for value in (entry.published_at, entry.modified_at):
            assert value is None or value.utcoffset().total_seconds() == 0


def test_atom_updated_date_is_kept_as_modified() -> None:
    entries = parse_feed(load("atom.xml"), f"{BASE}/atom.xml").entries
    only_updated = entries[1]
    assert only_updated.published_at is None
    assert only_updated.modified_at == utc(2025, 10, 30, 8)
    assert only_updated.date == utc(2025, 10, 30, 8)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(None, id="html-page"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10garbage\xff\xfe", id="binary"),
        pytest.param(b"", id="empty"),
        pytest.param(b"   \n", id="blank"),
        pytest.param(b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</ti", id="truncated-no-entries"),
        pytest.param(b"just some text, no markup at all", id="plain-text"),
    ],
)
def test_malformed_feeds_raise(body: bytes | None) -> None:
    if body is None:
        body = load("malformed_feed.html")
    with pytest.raises(MalformedFeed) as info:
        parse_feed(body, f"{BASE}/feed.xml")
    assert f"{BASE}/feed.xml" in str(info.value)
    assert info.value.reason == "malformed_feed"


def test_recoverable_feed_keeps_its_entries() -> None:
    # Truncated after the first item: feedparser flags it (bozo) but the entry is usable.
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Kept</title><link>https://news.example.com/a-kept-story-here</link></item><item><title>cut"
    )
    entries = parse_feed(body, f"{BASE}/feed.xml").entries
    assert [e.url for e in entries][:1] == ["https://news.example.com/a-kept-story-here"]


def test_empty_but_valid_feed_is_not_malformed() -> None:
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet day</title></channel></rss>"
    assert parse_feed(body, f"{BASE}/feed.xml").entries == []


def test_impossible_dates_give_none() -> None:
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>x</title><link>https://news.example.com/x-y-z</link><pubDate>Mon, 45 Foo 2025 99:99:99 GMT</pubDate></item>"
        b"</channel></rss>"
    )
    document = parse_feed(body, f"{BASE}/feed.xml")
    [entry] = document.entries
    assert entry.published_at is None


def test_string_that_looks_like_a_url_is_not_fetched() -> None:
    # feedparser fetches str arguments that look like URLs; parse_feed must treat bytes as the document.
    with pytest.raises(MalformedFeed):
        parse_feed(b"http://127.0.0.1:9/feed.xml", "http://127.0.0.1:9/feed.xml")
