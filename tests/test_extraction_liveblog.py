"""Live blogs: the summary first, then every entry in page order under its heading (and time).

The fixture pages in `fixtures/liveblog/` are written for these tests: a schema.org
`LiveBlogPosting` with `liveBlogUpdate` entries, a page of repeated `<article class="entry">`
blocks with a `<time>` and a heading, a flat page of clock-time headings, and a normal article with
subheadings and a list of dated teasers that must be left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extraction import ArticleRecord, extract_article
from pipelines.extraction.document import parse_html
from pipelines.extraction.liveblog import live_blog_entries, restore_live_blog
from pipelines.extraction.structured import read_structured

FIXTURES = Path(__file__).parent / "fixtures" / "liveblog"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
URL = "https://courier.example/news/valley-floods-live"


def _body(name: str) -> list[str]:
    result = extract_article((FIXTURES / f"{name}.html").read_text(encoding="utf-8"), URL)
    assert isinstance(result, ArticleRecord), result
    return result.body.split("\n")


def _position(lines: list[str], text: str) -> int:
    found = [i for i, line in enumerate(lines) if text in line]
    assert len(found) == 1, (text, lines)
    return found[0]


@pytest.mark.parametrize("name, with_time", [("jsonld_live_blog", False), ("entry_blocks_live_blog", True),
                                             ("flat_live_blog", True)])
def test_live_blog_body_is_summary_then_entries_with_headings_in_page_order(name: str, with_time: bool) -> None:
    lines = _body(name)
    summary = _position(lines, EXPECTED["summary"])
    intro = [_position(lines, paragraph) for paragraph in EXPECTED["intro"]]
    previous = max([summary, *intro])
    for entry in EXPECTED["entries"]:
        heading = _position(lines, entry["heading"])
        assert heading > previous, (entry["heading"], lines)
        if with_time:  # the time the page shows stands with the heading
            hours, minutes = entry["time"].split(":")
            assert lines[heading].startswith((f"{hours}:{minutes}", f"{hours}.{minutes}")), lines[heading]
        paragraphs = [_position(lines, paragraph) for paragraph in entry["paragraphs"]]
        assert paragraphs == list(range(heading + 1, heading + 1 + len(paragraphs))), (entry, lines)
        previous = paragraphs[-1]
    # No site furniture: navigation, footer, the dated teasers of other stories.
    text = "\n".join(lines)
    assert "Council story number" not in text and "All rights reserved" not in text and "Section 3" not in text


def test_the_entry_blocks_page_loses_its_headings_and_order_without_the_live_blog_rule() -> None:
    # What the rule changes: the main-text extractor alone drops the entries' headings and times.
    html = (FIXTURES / "entry_blocks_live_blog.html").read_text(encoding="utf-8")
    tree = parse_html(html)
    data = read_structured(tree)
    assert len(live_blog_entries(tree, data)) == len(EXPECTED["entries"])
    restored = _body("entry_blocks_live_blog")
    unrestored = [line for line in restored if not any(line.endswith(e["heading"]) for e in EXPECTED["entries"])]
    assert restore_live_blog(tree, data, "\n".join(unrestored)).split("\n") == restored


def test_a_normal_article_with_subheadings_and_dated_teasers_is_left_alone() -> None:
    html = (FIXTURES / "normal_article.html").read_text(encoding="utf-8")
    tree = parse_html(html)
    data = read_structured(tree)
    assert live_blog_entries(tree, data) == []
    lines = _body("normal_article")
    assert restore_live_blog(tree, data, "\n".join(lines)) == "\n".join(lines)
    assert "The quay" in lines and not any("Council story number" in line for line in lines)


def test_entry_headings_that_repeat_the_entry_text_are_not_added() -> None:
    # Some publishers' liveBlogUpdate headline is the entry's first sentence behind its time.
    node = {"@type": "LiveBlogPosting", "headline": "Match day", "liveBlogUpdate": [
        {"@type": "BlogPosting", "headline": f"19:0{i}(IST) Over {i}: a boundary through the covers, then a single to keep the strike",
         "articleBody": f"Over {i}: a boundary through the covers, then a single to keep the strike for the next over."}
        for i in range(3)]}
    html = (f'<html><head><title>Match day</title><script type="application/ld+json">{json.dumps(node)}</script>'
            "</head><body><h1>Match day</h1><p>Welcome to our coverage of the match between the two sides today.</p>"
            "</body></html>")
    tree = parse_html(html)
    body = restore_live_blog(tree, read_structured(tree), "Welcome to our coverage of the match between the two sides today.")
    lines = body.split("\n")
    assert lines[0].startswith("Welcome") and len(lines) == 4 and not any("(IST)" in line for line in lines)


def test_flat_clock_headings_are_read_as_entries() -> None:
    tree = parse_html((FIXTURES / "flat_live_blog.html").read_text(encoding="utf-8"))
    entries = live_blog_entries(tree, read_structured(tree))
    assert [entry.heading.split(" Uhr: ")[1] for entry in entries] == [e["heading"] for e in EXPECTED["entries"]]
    # Its headings, left out of the text, are put back before their paragraphs.
    text = "\n".join(p for e in EXPECTED["entries"] for p in e["paragraphs"])
    lines = restore_live_blog(tree, read_structured(tree), text).split("\n")
    assert lines[0] == entries[0].heading and lines[1] == EXPECTED["entries"][0]["paragraphs"][0]
