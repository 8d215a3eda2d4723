"""`precision.precision_text` gives `bare_extraction`'s precision-mode text, and its prunes trafilatura's.

The shortcut mirrors one trafilatura release; on any other (the minimum-versions tier runs 2.2.0)
it must stand aside, and `body._trafilatura_text` must still give `bare_extraction`'s text.
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from trafilatura import bare_extraction

from pipelines.extraction import body as body_module
from pipelines.extraction import precision
from pipelines.extraction.document import decode_html, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
URL = "https://news.example.org/2024/06/01/bridge-closed"

_PARAGRAPHS = "".join(
    f"<p>The council met on day {n} and voted to keep the old bridge closed while engineers "
    f"inspect its piers, a decision that angered commuters on both banks of the river.</p>"
    for n in range(1, 9)
)


def _page(extra: str, *, head: str = "", article_class: str = "story") -> str:
    return (f"<html><head><title>Bridge closed</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
            f"<article class='{article_class}'><h1>Bridge closed</h1>{_PARAGRAPHS}</article>{extra}"
            f"<footer>Contact us</footer></body></html>")


_FORUM = ('<script type="application/ld+json">{"@context": "https://schema.org", '
          '"@type": "DiscussionForumPosting", "headline": "Bridge closed"}</script>')
_COMMENTS = ("<div id='comments'><p>First comment: this bridge has been closing for years and nobody "
             "in the council seems to care about it at all.</p></div>")

HAND_MADE = {
    "plain": _page(""),
    "comment section": _page(_COMMENTS),
    "comment class, nested": _page("<section class='comments-area'><div class='comment-list'>"
                                   "<p>A reply that talks about the bridge and the council at length.</p>"
                                   "</div></section>tail text after the section"),
    "commentary is not a comment": _page("<div class='commentary'><p>Our commentary on the decision, "
                                         "which is part of the article and should stay in it.</p></div>"),
    "comment lists": _page("<ul class='comment-list'><li>one reader's reply about the bridge</li></ul>"
                           "<ol id='comments-ol'><li>another reader's reply</li></ol>"
                           "<ul id='disqus_thread'><li>a disqus id on a list is kept</li></ul>"),
    "post-comments class inside the article": _page("", article_class="story")
    .replace("</article>", "<div class='post-comments'><p>Comments are closed on this story "
                           "about the bridge and the council.</p></div></article>"),
    "infinite scroll": _page("<div class='infinite-scroll'><article><h2>Next story</h2>" + _PARAGRAPHS
                             + "</article></div>"),
    "infinite scroll holding the h1": _page("").replace(
        "<article class='story'>", "<div class='infiniteScroll'><article class='story'>").replace(
        "</article>", "</article></div>"),
    "mvp post add with an h1": _page("<div id='mvp-post-add-box'><h1>Another story</h1>" + _PARAGRAPHS + "</div>"),
    "elementor share buttons": _page("<div class='elementor-share-buttons'><a href='/share'>Share on "
                                     "every network you can think of</a></div>"),
    "forum page": _page(_COMMENTS, head=_FORUM),
    "table": _page("<table><tr><td>Piers inspected</td><td>12</td></tr><tr><td>Piers cracked</td>"
                   "<td>3</td></tr></table>"),
    "short": "<html><body><div><p>Too short.</p></div></body></html>",
    "empty body": "<html><head><title>x</title></head><body></body></html>",
}


def _fixture_pages() -> dict[str, str]:
    pages = {path.stem: path.read_text(encoding="utf-8", errors="replace") for path in sorted(FIXTURES.glob("*.html"))}
    return {**pages, **HAND_MADE}


PAGES = _fixture_pages()
mirrored = pytest.mark.skipif(not precision.available(), reason="trafilatura is not the mirrored release")


def _bare_text(tree: etree._Element, *, fast: bool, tables: bool) -> str:
    document = bare_extraction(tree, url=URL, fast=fast, include_comments=False, include_tables=tables,
                               include_images=False, include_links=False, with_metadata=False,
                               favor_precision=True)
    return (document.text or "") if document is not None else ""


@mirrored
@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("fast", [True, False])
def test_precision_text_is_bare_extractions_and_leaves_the_tree(name: str, fast: bool) -> None:
    tree = parse_html(decode_html(PAGES[name]))
    before = etree.tostring(tree)
    for tables in (True, False):
        assert precision.precision_text(tree, URL, fast=fast, tables=tables) == _bare_text(tree, fast=fast, tables=tables)
    assert etree.tostring(tree) == before


def test_body_pass_gives_bare_extractions_text_with_or_without_the_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(decode_html(PAGES["comment section"]))
    expected = _bare_text(tree, fast=True, tables=True)
    assert expected  # the page has a text to compare
    assert body_module._trafilatura_text(tree, URL, fast=True, tables=True) == expected
    monkeypatch.setattr(precision, "_mirror", lambda: None)  # another trafilatura release
    assert precision.precision_text(tree, URL, fast=True, tables=True) is None
    assert body_module._trafilatura_text(tree, URL, fast=True, tables=True) == expected


def test_shortcut_runs_only_on_the_mirrored_release() -> None:
    assert precision.available() == (trafilatura.__version__ in precision.MIRRORED)


# --- the prunes -----------------------------------------------------------------------------------


def _rules() -> dict[str, tuple[precision.Prune, list[etree.XPath]]]:
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

    mirror = precision._mirror()
    assert mirror is not None
    return {"raw": (mirror.raw, [*RAW_TREE_PRUNE_XPATH, *REMOVE_COMMENTS_AND_LISTS_XPATH]),
            "comments": (mirror.comments, REMOVE_COMMENTS_XPATH)}


@mirrored
@pytest.mark.parametrize("name", sorted(PAGES))
def test_prunes_delete_what_trafilaturas_delete(name: str) -> None:
    from trafilatura.htmlprocessing import prune_unwanted_nodes

    for rule, expressions in _rules().values():
        tree = parse_html(decode_html(PAGES[name]))
        before = etree.tostring(tree)
        pruned = precision.prune(tree, rule, owned=False)
        expected = copy(tree)
        for expression in expressions:  # one list after another, as trafilatura_sequence prunes
            expected = prune_unwanted_nodes(expected, [expression])
        assert etree.tostring(pruned) == etree.tostring(expected)
        assert etree.tostring(tree) == before  # not owned: never changed
        # nothing to delete: the tree itself, not a copy
        assert (pruned is tree) == (etree.tostring(pruned) == before)
        owned = copy(tree)
        assert precision.prune(owned, rule, owned=True) is owned


@mirrored
def test_prune_copies_only_pages_it_changes() -> None:
    rule = _rules()["raw"][0]
    plain = parse_html(decode_html(PAGES["plain"]))
    assert precision.prune(plain, rule, owned=False) is plain
    commented = parse_html(decode_html(PAGES["comment section"]))
    pruned = precision.prune(commented, rule, owned=False)
    assert pruned is not commented
    assert pruned.find(".//div[@id='comments']") is None
    assert commented.find(".//div[@id='comments']") is not None


def _patterns() -> list[tuple[str, str, str]]:
    """(rule, attribute, regular expression) of every ``re:test`` in trafilatura's prune XPaths."""
    found = []
    for name, (_, expressions) in _rules().items():
        for expression in expressions:
            found += [(name, attribute, pattern)
                      for attribute, pattern in re.findall(r"re:test\(@(\w+), '([^']*)'\)", expression.path)]
    return found


@mirrored
def test_every_regex_of_the_prunes_is_read() -> None:
    patterns = _patterns()
    assert len(patterns) >= 8  # the mirrored release has ten
    for rule, expressions in _rules().values():
        # the only other test is a literal contains(), whose string is a needle
        for literal in re.findall(r"contains\(@\w+, '([^']*)'\)", " ".join(e.path for e in expressions)):
            assert literal in rule.needles


@mirrored
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_needles_are_in_every_value_the_regexes_match(data: st.DataObject) -> None:
    rules = _rules()
    name, _, pattern = data.draw(st.sampled_from(_patterns()))
    value = data.draw(st.from_regex(pattern))
    assert re.search(pattern, value)
    assert any(needle in value for needle in rules[name][0].needles), (pattern, value)
