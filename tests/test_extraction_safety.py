"""`extract_article` on hostile pages: it never raises, no page stalls it, and a charset
label that does not fit the bytes does not garble the text."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.spiders.base import _text_or_none
from pipelines.extract import ExtractPipeline
from pipelines.extraction import ArticleRecord, ExtractionOptions, NotAnArticle, extract_article
from pipelines.extraction import core
from pipelines.extraction.document import decode_page

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
URL = "https://herald.example/2024/03/05/harbour-story"
FETCHED = datetime(2024, 3, 6, tzinfo=UTC)
HEADLINE = "Harbour reopens after the winter storms"
WORDS = " ".join(f"word{i}" for i in range(80))
REPO = Path(__file__).resolve().parent.parent


def page(head: str = "", body: str = "") -> str:
    return (f"<html lang='en'><head><title>{HEADLINE}</title>"
            f"<meta property='article:published_time' content='2024-03-05T08:00:00+00:00'>{head}</head>"
            f"<body><article><h1>{HEADLINE}</h1>{body}<p>The harbour opened again today. {WORDS}</p>"
            f"</article></body></html>")


def jsonld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def extract(html: str | bytes, **options: object) -> ArticleRecord | NotAnArticle:
    return extract_article(html, URL, fetched_at=FETCHED, options=ExtractionOptions(**options))  # type: ignore[arg-type]


# --- never raises --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", "[1e999, NaN]", "{\"@value\": NaN}",
                                   "true", "[[[[1]]]]", "{\"a\": {\"b\": []}}"])
def test_impossible_jsonld_dates_are_passed_over(value: str) -> None:
    html = page(jsonld(f'{{"@type": "NewsArticle", "headline": "{HEADLINE}", "datePublished": {value}, '
                       f'"dateModified": {value}, "author": {value}, "keywords": {value}}}'))
    record = extract(html)
    assert isinstance(record, ArticleRecord), record
    assert record.published_at == datetime(2024, 3, 5, 8, tzinfo=UTC) and record.date_source == "meta"


@pytest.mark.parametrize("nesting", ["[" * 100_000 + "]" * 100_000,
                                     '{"@type": "NewsArticle", "x": ' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_jsonld(nesting: str) -> None:
    record = extract(page(jsonld(nesting)))
    assert isinstance(record, ArticleRecord) and record.headline == HEADLINE


def test_json_escapes_for_controls_and_lone_surrogates_are_cleaned() -> None:
    record = extract(page(jsonld(f'{{"@type": "NewsArticle", "headline": "{HEADLINE}\\u0000\\ud800", '
                                 f'"description": "A \\u0001calm\\udfff day \\ud83d\\ude00", "author": "Jane\\u0000 Doe"}}')))
    assert isinstance(record, ArticleRecord)
    assert record.headline == HEADLINE
    assert record.description == "A calm day \U0001f600"  # a surrogate pair is the character it encodes
    assert record.authors == ["Jane Doe"]


def test_control_characters_in_description_and_text() -> None:
    description = "Ships\x01 are back\x1f in the harbour after\x7f a long winter of storms"
    html = page(f'<meta name="description" content="{description}">', f"<p class='lead'>{description}</p>")
    record = extract(html)
    assert isinstance(record, ArticleRecord), record
    assert record.description == "Ships are back in the harbour after a long winter of storms"
    assert record.body.startswith("Ships are back in the harbour") and "word79" in record.body


def test_lone_surrogates_in_text_input_are_dropped() -> None:
    html = page(body="<p>Before \ud800the gap and after\udc00 it.</p>")
    record = extract(html)
    assert isinstance(record, ArticleRecord), record  # lxml used to cut the document at the surrogate
    assert "Before the gap and after it." in record.body and "word79" in record.body


def test_an_unexpected_exception_is_an_error_result_logged_once(monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in a stage")

    monkeypatch.setattr(core, "find_language", broken)
    monkeypatch.setattr(core, "_reported", set())
    with caplog.at_level(logging.DEBUG, logger="pipelines.extraction.core"):
        first = extract(page())
        second = extract(page())
    assert first == second == NotAnArticle("error", "RuntimeError: a bug in a stage")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is not None  # the traceback, once
    assert any(r.levelno == logging.DEBUG and "a bug in a stage" in r.getMessage() for r in caplog.records)


# --- no page stalls a crawl ----------------------------------------------------------------------


def test_a_page_over_its_budget_is_a_timeout() -> None:
    html = (FIXTURES / "chunked_longread.html").read_bytes()
    assert isinstance(extract(html, time_budget=None), ArticleRecord)
    result = extract(html, time_budget=0.001)
    assert isinstance(result, NotAnArticle) and result.reason == "timeout", result


_STUFFED_AUTHOR = """
import json, sys
from datetime import UTC, datetime
from pipelines.extraction import extract_article
stuffed = "x" * 2_000_000
body = "<p>" + " ".join(f"word{i}" for i in range(80)) + "</p>"
html = ('<html><head><title>A stuffed byline</title><meta name="author" content="Jane Doe">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": "' + stuffed + '"}</script>'
        '<meta name="parsely-author" content="' + stuffed[:100_000] + '"></head><body><article><h1>A stuffed byline</h1>'
        + body + '</article></body></html>')
record = extract_article(html, "https://herald.example/a", fetched_at=datetime(2024, 3, 6, tzinfo=UTC))
json.dump({"authors": record.authors, "headline": record.headline}, sys.stdout)
"""


def test_a_two_megabyte_author_field_does_not_stall_extraction() -> None:
    # Before: the e-mail pattern alone took over an hour on such a field. Run apart, with a
    # timeout, so that a regression fails instead of hanging the suite.
    done = subprocess.run([sys.executable, "-c", _STUFFED_AUTHOR], capture_output=True, text=True, timeout=120,
                          cwd=REPO, check=True)
    assert json.loads(done.stdout) == {"authors": ["Jane Doe"], "headline": "A stuffed byline"}


# --- charsets ------------------------------------------------------------------------------------

TEXT = "Le café “très” bon, n’est-ce pas ? Élève à l’école."


def charset_page(label: str) -> str:
    return (f"<html lang='fr'><head><meta charset='{label}'><title>{HEADLINE}</title></head><body><article>"
            f"<h1>{HEADLINE}</h1><p>{TEXT} {WORDS}</p></article></body></html>")


@pytest.mark.parametrize("header", ["text/html; charset=utf-8", "text/html", None])
def test_windows_1252_bytes_labelled_utf8(header: str | None) -> None:
    data = charset_page("utf-8").encode("cp1252")
    assert TEXT in decode_page(data, header)
    record = extract_article(data, URL, fetched_at=FETCHED, content_type=header)
    assert isinstance(record, ArticleRecord) and record.body.startswith(TEXT)


@pytest.mark.parametrize("header", ["text/html; charset=windows-1252", "text/html; charset=iso-8859-1", None])
def test_utf8_bytes_labelled_windows_1252(header: str | None) -> None:
    data = charset_page("windows-1252").encode("utf-8")
    text = decode_page(data, header)
    assert TEXT in text and "Ã©" not in text


def test_a_correct_label_is_kept() -> None:
    for label, encoding in (("windows-1252", "cp1252"), ("utf-8", "utf-8"), ("koi8-r", "koi8-r")):
        text = charset_page(label).replace(TEXT, "Правительство объявило меры") if label == "koi8-r" else charset_page(label)
        assert decode_page(text.encode(encoding), f"text/html; charset={label}") == text
    latin1 = (FIXTURES / "latin1_charset.html").read_bytes()
    assert decode_page(latin1, "text/html; charset=iso-8859-1") == latin1.decode("cp1252")


def test_the_spider_hands_over_text_decoded_by_these_rules() -> None:
    response = HtmlResponse(URL, body=charset_page("utf-8").encode("cp1252"),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert "\ufffd" in response.text  # what Scrapy's own decoding gives
    assert TEXT in (_text_or_none(response) or "")


# --- the pipeline counts both --------------------------------------------------------------------


def _item(html: str) -> Article:
    return Article(url=URL, response_url=URL, source="herald", status=200, content_type="text/html", html=html,
                   fetched_at=FETCHED, discovered_via="url")


def test_the_pipeline_counts_errors_and_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.exceptions import DropItem

    crawler = get_crawler(settings_dict={"NEWSPIPE_EXTRACT_TIME_BUDGET": 0.000_001})
    pipeline = ExtractPipeline.from_crawler(crawler)
    assert pipeline.options.time_budget == 0.000_001
    longread = (FIXTURES / "chunked_longread.html").read_text(encoding="utf-8")
    with pytest.raises(DropItem, match="timeout"):
        pipeline.process_item(_item(longread))
    assert crawler.stats.get_value("newspipe/extract/timeout") == 1

    crawler = get_crawler(settings_dict={"NEWSPIPE_EXTRACT_TIME_BUDGET": 10.0})
    pipeline = ExtractPipeline.from_crawler(crawler)
    monkeypatch.setattr(core, "find_language", lambda *a, **k: 1 / 0)
    with pytest.raises(DropItem, match="extraction failed .ZeroDivisionError"):
        pipeline.process_item(_item(page()))
    assert crawler.stats.get_value("newspipe/extract/error") == 1
    assert crawler.stats.get_value("newspipe/extract/skipped") is None  # an error, not a skip


@pytest.mark.parametrize("reference", ["&#1;", "&#11;", "&#xFFFE;"])
def test_a_long_attribute_with_a_control_character_reference_is_cut_not_an_error(reference: str) -> None:
    """lxml turns the reference into a character it then refuses to set when the attribute is cut."""
    body = "".join(f"<p>Paragraph {i}: the harbour board voted on the ferry timetable for the coming winter months.</p>" for i in range(8))
    html = (
        f'<html><head><title>Harbour board votes</title></head><body><div data-x="{"a" * 100}{reference}{"a" * 3000}"></div>'
        f"<article><h1>Harbour board votes</h1>{body}</article></body></html>"
    )
    result = extract_article(html, "https://example.com/2025/10/28/harbour-board/")
    assert result, getattr(result, "detail", result)


def test_a_very_long_page_skips_the_fallback_extractors(monkeypatch: pytest.MonkeyPatch) -> None:
    """jusText inside trafilatura's fallbacks grows faster than the page: a huge page goes without."""
    from pipelines.extraction import body as body_module

    calls: list[bool] = []
    real = body_module._trafilatura_text  # each trafilatura pass, by bare_extraction or its precision mirror

    def recording(*args: object, **kwargs: object) -> object:
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(body_module, "_trafilatura_text", recording)
    story = "".join(f"<p>Paragraph {i}: the harbour board voted on the ferry timetable for the coming winter months.</p>" for i in range(8))
    page = f"<html><head><title>Harbour board votes</title></head><body><article><h1>Harbour board votes</h1>{story}</article>"
    extract_article(page + "</body></html>", "https://example.com/2025/10/28/harbour-board/")
    assert calls and not all(calls), "an ordinary short page keeps the fallbacks"
    calls.clear()
    padding = "<div>" + "filler words here " * (core.FALLBACK_MAX_CHARS // 18 + 1) + "</div>"
    extract_article(page + padding + "</body></html>", "https://example.com/2025/10/28/harbour-board/")
    assert calls and all(calls)


def test_a_confident_article_skips_the_fallback_extractors(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's fast pass is kept when it found a long text covering most of the page's
    paragraphs; a page where it found little of them gets the full pass with the fallbacks."""
    from pipelines.extraction import body as body_module

    calls: list[bool] = []
    real = body_module._trafilatura_text  # each trafilatura pass, by bare_extraction or its precision mirror

    def recording(*args: object, **kwargs: object) -> object:
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(body_module, "_trafilatura_text", recording)
    story = "".join(f"<p>Paragraph {i}: the harbour board voted on the ferry timetable for the coming winter months.</p>"
                    for i in range(20))
    page = (f"<html><head><title>Harbour board votes</title></head><body><article><h1>Harbour board votes</h1>"
            f"{story}</article></body></html>")
    extract_article(page, "https://example.com/2025/10/28/harbour-board/")
    assert calls == [True], "a long article found whole needs no fallback pass"
    calls.clear()
    teasers = "".join(f'<li><a href="/s/{i}"><p>Other story {i} about the ferry timetable and the harbour board '
                      f'meeting held in the town hall this week</p></a></li>' for i in range(40))
    extract_article(page.replace("</article>", f"</article><ul>{teasers}</ul>"),
                    "https://example.com/2025/10/28/harbour-board/")
    assert calls[:2] == [True, False], "most paragraph words outside the text found: the full pass runs"


def test_the_parsed_tree_picks_element_classes_in_c() -> None:
    """lxml.html's parser picks each element's class in a Python callback, once per element proxy
    (a fifth of extraction's CPU): every element of our tree, form fields included, is a plain
    `HtmlElement`, with its methods, also in trafilatura's copies of the tree."""
    from copy import copy

    from lxml.html import HtmlElement

    from pipelines.extraction.document import parse_html

    tree = parse_html('<html><body><form><input name="q" value="x"><select><option>a</option></select></form>'
                      "<p>Harbour <b>board</b></p></body></html>")
    assert {type(element) for element in tree.iter()} == {HtmlElement}
    assert {type(element) for element in copy(tree).iter()} == {HtmlElement}
    assert tree.find(".//p").text_content() == "Harbour board"
