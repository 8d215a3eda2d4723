"""Fixture-driven tests for `pipelines.extraction.extract_article`.

Each `fixtures/extraction/<case>.html` has a `<case>.json` with the page URL,
`fetched_at`, and either `not_article` (the expected reason) or `expected`
fields. Only the fields present are compared; the body is checked with
`body_contains` / `body_not_contains` lists, dates as ISO strings (so the UTC
offset must match too).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.extraction import (
    REASONS,
    ArticleRecord,
    ExtractionOptions,
    NotAnArticle,
    extract_article,
)

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def _run(case: str) -> tuple[dict, ArticleRecord | NotAnArticle]:
    spec = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    html = (FIXTURES / f"{case}.html").read_bytes()
    fetched_at = datetime.fromisoformat(spec["fetched_at"])
    return spec, extract_article(html, spec["url"], fetched_at=fetched_at)


def test_fixtures_found() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    spec, result = _run(case)
    if "not_article" in spec:
        assert isinstance(result, NotAnArticle), f"expected rejection, got {result!r}"
        assert result.reason == spec["not_article"]
        assert not result
        return
    assert isinstance(result, ArticleRecord), f"rejected: {result!r}"
    data = result.to_dict()
    expected = dict(spec["expected"])
    for needle in expected.pop("body_contains", []):
        assert needle in result.body, f"missing from body: {needle!r}"
    for needle in expected.pop("body_not_contains", []):
        assert needle not in result.body, f"boilerplate in body: {needle!r}"
    for key, value in expected.items():
        assert data[key] == value, f"{key}: {data[key]!r} != {value!r}"
    assert result.word_count >= 50
    assert result.url == spec["url"]
    if result.published_at is not None:
        assert result.published_at.tzinfo is not None


def test_body_is_one_paragraph_per_line() -> None:
    _, result = _run("jsonld_graph")
    assert isinstance(result, ArticleRecord)
    lines = result.body.split("\n")
    assert len(lines) >= 4
    assert lines[0].startswith("Councillors in the harbour city")


def test_date_widget_is_not_the_publication_date() -> None:
    """The WordPress header "today" widget must lose even when nothing else dates the page."""
    html = (FIXTURES / "wordpress_syndicated.html").read_text(encoding="utf-8")
    html = html.replace('datetime="2025-10-28T07:14:05+00:00"', "").replace("October 28, 2025", "")
    result = extract_article(html, "https://dailymarketwire.example/trump/", fetched_at=datetime(2025, 11, 6, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.published_at is None or result.published_at.date() != datetime(2025, 11, 6).date()


def test_min_words_option() -> None:
    html = (FIXTURES / "too_short.html").read_bytes()
    result = extract_article(html, "https://valleycourier.example/news/road-closed", options=ExtractionOptions(min_words=5))
    assert isinstance(result, ArticleRecord)
    assert result.headline == "Road closed after crash"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n<html><p>not really</p></html>"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty"),
        ("", "empty"),
        ("   \n\t ", "empty"),
        (b"\xef\xbb\xbf   ", "empty"),
        (PDF, "not_html"),
        (PDF.decode("latin-1"), "not_html"),
        (PNG, "not_html"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "not_html"),
        (b"\x00\x01\x02\x03" * 200, "not_html"),
        ("just a line of plain text without any markup at all", "not_html"),
        ("<html><head></head><body></body></html>", "no_headline"),
    ],
)
def test_bad_input(payload: str | bytes, reason: str) -> None:
    result = extract_article(payload, "https://example.com/a")
    assert isinstance(result, NotAnArticle)
    assert result.reason == reason
    assert result.reason in REASONS


def test_latin1_bytes_are_decoded_by_declared_charset() -> None:
    _, result = _run("latin1_charset")
    assert isinstance(result, ArticleRecord)
    assert "\ufffd" not in result.body and "Ã" not in result.body


def test_utf8_bom_bytes() -> None:
    html = (FIXTURES / "jsonld_graph.html").read_text(encoding="utf-8")
    result = extract_article(b"\xef\xbb\xbf" + html.encode("utf-8"), "https://ledger.example/news/x")
    assert isinstance(result, ArticleRecord)
    assert result.headline == "Harbour city votes to close its coal port by 2031"


def test_cross_domain_canonical_is_syndication() -> None:
    html = (FIXTURES / "jsonld_graph.html").read_text(encoding="utf-8").replace(
        "<head>", '<head><link rel="canonical" href="https://origin.example/story/coal-port?utm_source=x">'
    )
    result = extract_article(html, "https://ledger.example/news/harbour-coal-port-vote")
    assert isinstance(result, ArticleRecord)
    assert result.syndicated_from == "https://origin.example/story/coal-port"
    assert result.canonical_url == "https://ledger.example/news/harbour-coal-port-vote"


def test_html_escaped_and_broken_jsonld() -> None:
    body = "".join(f"<p>Paragraph {i} of the story has enough words to count as running text here.</p>" for i in range(8))
    html = (
        "<html><head><title>T | Site</title>"
        '<script type="application/ld+json">{&quot;@type&quot;: &quot;NewsArticle&quot;, '
        "&quot;headline&quot;: &quot;Escaped headline works&quot;, &quot;datePublished&quot;: &quot;2024-01-02T03:04:05+01:00&quot;,}</script>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        f"</head><body><article><h1>Escaped headline works</h1>{body}</article></body></html>"
    )
    result = extract_article(html, "https://example.com/story", fetched_at=datetime(2024, 2, 1, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.headline == "Escaped headline works"
    assert result.published_at is not None and result.published_at.isoformat() == "2024-01-02T03:04:05+01:00"
    assert result.date_source == "json-ld"


def test_date_in_url_is_used_when_nothing_else() -> None:
    body = "".join(f"<p>Paragraph {i} of the story has enough words to count as running text here.</p>" for i in range(8))
    html = f"<html><head><title>Quiet story</title></head><body><h1>Quiet story</h1>{body}</body></html>"
    result = extract_article(html, "https://example.com/2025/10/28/quiet-story/", fetched_at=datetime(2025, 11, 1, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.published_at == datetime(2025, 10, 28, tzinfo=UTC)
    assert result.date_source == "url"
