"""Script-rendered pages: the body and date from the hydration state, labelled dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from lxml.html import document_fromstring

from pipelines.extraction import ArticleRecord, NotAnArticle, extract_article
from pipelines.extraction.hydration import hydrated_body, hydrated_dates

_WORDS = "carries enough words to count as running text of the story and not as a teaser line"
STORY = [f"Paragraph {i}: the council votes on the script-rendered story, which {_WORDS}." for i in range(8)]
TEASER = [f"A related story teaser {i} {_WORDS}." for i in range(2)]


def _state(paragraphs: list[str], teaser: list[str] = TEASER, *, dates: str = "") -> str:
    content = '<div class="caption"><p>Photo caption, Agency</p></div>' + "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(f"<p>{p}</p>" for p in teaser)
    state = json.dumps({"detail": {"title": "Council votes", "contentHtml": content},
                        "related": [{"html": related}]}).replace("<", "\\u003c")
    if dates:
        state = state[:-1] + ", " + dates + "}"
    filler = "var x = 1;" * 120  # inline scripts are only searched when they are large enough
    return f'<script>{filler}window["__STATE__"].push({state})</script>'


def _page(paragraphs: list[str], *, dates: str = "", visible: str = "") -> str:
    return (f"<html><head><title>Council votes | Courier</title></head><body><div id='root'>{visible}</div>"
            f"{_state(paragraphs, dates=dates)}</body></html>")


def test_hydrated_body_takes_the_longest_html_string_without_captions() -> None:
    lines = hydrated_body(document_fromstring(_page(STORY))).split("\n")
    assert lines == STORY  # the caption and the shorter related-stories string are not taken


def test_hydrated_body_must_be_about_the_headline() -> None:
    other = [f"Paragraph {i} about a football transfer {_WORDS}." for i in range(12)]  # longer, another story
    html = _page(STORY).replace("</body>", _state(other, []).replace("__STATE__", "__NEXT__") + "</body>")
    tree = document_fromstring(html)
    assert hydrated_body(tree).split("\n") == other
    assert hydrated_body(tree, "Council votes on the script-rendered story").split("\n") == STORY
    assert hydrated_body(tree, "Harbour closes for the winter") == ""
    # Shared function words ("to", "on", "the", "as", "of") do not make it the same story.
    assert hydrated_body(tree, "Harbour ferries to run on the river as of June") == ""


def test_hydrated_body_decodes_a_payload_encoded_twice() -> None:
    inner = json.dumps({"html": "".join(f"<p>{p}</p>" for p in STORY)})
    stream = json.dumps(f"5:{inner}")  # an RSC stream line inside a JS string literal
    html = f"<html><body><script>{'var x = 1;' * 120}self.__next_f.push([1,{stream}])</script></body></html>"
    assert hydrated_body(document_fromstring(html)).split("\n") == STORY


def test_small_scripts_and_strings_without_paragraphs_are_ignored() -> None:
    html = ("<html><body><script>var s = \"<p>one</p><p>two</p>\";</script>"
            f"<script>{'var x = 1;' * 120}var t = \"{'no markup here ' * 30}\";</script></body></html>")
    assert hydrated_body(document_fromstring(html)) == ""


def test_script_rendered_page_is_extracted() -> None:
    result = extract_article(_page(STORY, dates='"deployDt": "2026.01.29 18:40", "reDeployDt": "2026.01.29 18:49"'),
                             "https://courier.example/news/A123", fetched_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.body.split("\n")[0] == STORY[0] and len(result.body.split("\n")) == len(STORY)
    assert result.published_at == datetime(2026, 1, 29, 18, 40, tzinfo=UTC)  # not the re-publication time
    assert result.date_source == "script"


def test_page_with_visible_text_does_not_use_the_state() -> None:
    visible = "".join(f"<p>Visible paragraph {i} of the page {_WORDS}.</p>" for i in range(10))
    result = extract_article(_page(STORY, visible=visible), "https://courier.example/news/A123")
    assert isinstance(result, ArticleRecord)
    assert "Visible paragraph 0" in result.body and STORY[0] not in result.body


def test_page_without_text_or_state_is_still_too_short() -> None:
    html = "<html><head><title>Council votes</title></head><body><div id='root'></div></body></html>"
    result = extract_article(html, "https://courier.example/news/A123")
    assert isinstance(result, NotAnArticle) and result.reason == "too_short"


def test_hydrated_dates_skip_update_keys() -> None:
    html = _page(STORY, dates='"lastPublishedAt": "2026-01-30T10:00:00Z", "republishedAt": "2026-01-31T10:00:00Z", '
                              '"updatedAt": "2026-02-01T00:00:00Z", "publishedAt": "2026-01-29T08:00:00Z"')
    assert hydrated_dates(document_fromstring(html)) == ["2026-01-29T08:00:00Z"]


def _labelled(label_html: str, *, sidebar: bool = False) -> str:
    # Long enough that the block lies beyond the dateline window below the headline.
    body = "".join(f"<p>Paragraph {i} of the story {_WORDS}.</p>" for i in range(20))
    block = f"<ul class='smallList'><li>{label_html}</li></ul>"
    if sidebar:
        block = f"<aside>{block}</aside>"
    return (f"<html><head><title>Quiet story</title></head><body><article><h1>Quiet story</h1>{body}</article>"
            f"<div class='col'>{block}</div></body></html>")


def test_labelled_date_after_the_text_is_read() -> None:
    result = extract_article(_labelled("<strong>Datum</strong> 28.04.2023"), "https://example.com/a-65464327",
                             fetched_at=datetime(2023, 4, 28, 20, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.published_at == datetime(2023, 4, 28, tzinfo=UTC)
    assert result.date_source == "text"


def test_labelled_definition_list_date() -> None:
    html = _labelled("<dl><dt>Published</dt><dd>March 3, 2024</dd></dl>")
    result = extract_article(html, "https://example.com/a-1", fetched_at=datetime(2024, 4, 1, tzinfo=UTC))
    assert isinstance(result, ArticleRecord)
    assert result.published_at is not None and result.published_at.date().isoformat() == "2024-03-03"


def test_unlabelled_sidebar_or_sentence_dates_are_not_read() -> None:
    for html in (_labelled("<strong>Datum</strong> 28.04.2023", sidebar=True),
                 _labelled("<strong>Datum</strong> des Treffens war nicht der 28.04.2023, sondern ein anderer Tag"),
                 _labelled("<strong>Termin</strong> 28.04.2023")):
        result = extract_article(html, "https://example.com/a-65464327",
                                 fetched_at=datetime(2023, 4, 28, 20, tzinfo=UTC))
        assert isinstance(result, ArticleRecord)
        assert result.published_at is None
