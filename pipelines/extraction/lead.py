"""The standfirst (lead paragraph) that the main-text extractor left out.

News pages often set the summary under the headline apart from the article
text (a ``<p class="intro">`` in the header block, a teaser ``<div>``), and
trafilatura skips it more often than not. The page's own description
(og:description, description, JSON-LD ``description``) usually repeats it, so
it tells which visible element is the lead: the element that shows the
description's text, sitting after the headline, outside navigation, sidebars
and teaser lists. Its visible text (with a dateline such as "Berlin." that the
description leaves out, also when the page sets it in an element of its own beside an
inline lead) is put before the body when the body lacks it. Only
visible text is ever added, never the metadata itself.

The description is matched with HTML entities it carries as text ("Aydan&nbsp;Özoğuz")
resolved and no-break spaces read as spaces (pages print one where the metadata has the
other). When no element shows the description itself, the standfirst is often a reworded
version of it ("... Woran liegt das?" in the metadata, "... Warum X." on the page, or a
"News:" prefix): then the text blocks between the headline and the body's first line are
read, and the one that shares most of its words with the description in both directions
is the lead. When no description leads to it, the first block between the headline and the
body whose class or id names a standfirst ("article__intro", "detail__excerpt", "subtitle", "dek")
is taken, unless it holds the lead image (its text is then a caption). A description holding
escaped markup ("<p>...</p>") is read without its tags. Reads no settings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from html import unescape

from lxml.html import HtmlElement

from .text import clean, count_words, is_noise, norm, word_overlap

__all__ = ["find_lead"]

_MIN_WORDS = 5  # shorter descriptions ("Latest news") are not a lead
_SNIPPET_CHARS = 24  # the description's opening, looked up in the page's text nodes
_SLACK_CHARS = 60  # the lead element may hold a little more than the description (dateline, author)
_TRUNCATED = ("...", "…")
_CAPTION = frozenset({"figure", "figcaption", "picture"})  # an image caption repeating the summary is not a lead
_SKIP = frozenset({"head", "title", "script", "style", "noscript", "template", "meta", "h1"})
# A reworded standfirst: a block between the headline and the body sharing this share of its
# words with the description, and the description this share of its words with it.
_REWORDED_OVERLAP = 0.6
_REWORDED_MAX_WORDS = 80
_BLOCKS = frozenset({"p", "div", "span", "h2", "h3", "section", "strong", "em", "b"})
_NBSP = "\xa0"
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Class and id words that name a standfirst, read as whole words of the attribute split at
# non-letters ("article__intro" -> "article", "intro").
_STANDFIRST_NAMES = frozenset({
    "standfirst", "dek", "deck", "subtitle", "subheadline", "subhead", "excerpt", "intro", "introduction",
    "lead", "lede", "summary", "abstract", "epigraph", "chapeau", "chapo", "entradilla", "sumario", "vorspann",
})  # fmt: skip
_CLASS_WORDS = re.compile(r"[^a-z]+")
_MEDIA_NAMES = frozenset({"image", "img", "photo", "media", "video", "figure", "picture", "gallery", "caption"})
_MEDIA_TAGS = ("figure", "figcaption", "picture", "img", "video", "iframe")
_NAMED_MIN_WORDS = 8


def _covers(element_key: str, description_key: str, truncated: bool) -> bool:
    if truncated:
        return element_key.startswith(description_key) or description_key in element_key
    return description_key in element_key


def _follows(tree: HtmlElement, node: HtmlElement, headline: HtmlElement) -> bool:
    """Whether `node` comes after `headline` in document order (stops at the first of the two)."""
    for element in tree.iter():
        if element is headline:
            return node is not headline
        if element is node:
            return False
    return False


def find_lead(tree: HtmlElement, descriptions: Sequence[str | None], body: str,
              headline_element: HtmlElement | None = None) -> str | None:
    """The visible lead paragraph matching one of `descriptions` (tried in order), when `body` lacks it."""
    body_key: str | None = None
    described: list[tuple[str, str]] = []
    for raw in descriptions:
        description = clean(unescape(raw)) if raw and "&" in raw else clean(raw)
        if "<" in description:  # markup escaped into the metadata ("<p>The early 1970s ...</p>")
            description = clean(_TAG.sub(" ", description))
        if count_words(description) < _MIN_WORDS:
            continue
        truncated = description.endswith(_TRUNCATED)
        description_key = norm(description.rstrip(".…").strip()) if truncated else norm(description)
        if not description_key:
            continue
        if body_key is None:
            body_key = norm(body)
        if description_key[:40] in body_key:
            return None  # the body already starts with (or holds) the lead
        lead = _visible_lead(tree, description, description_key, truncated, headline_element)
        if lead:
            return lead
        described.append((description, description_key))
    if described and headline_element is not None and body:
        lead = _reworded_lead(tree, [d for d, _ in described], body, headline_element)
        if lead:
            return lead
    if headline_element is not None and body:
        return _named_lead(tree, body, headline_element)
    return None


def _text_nodes_showing(tree: HtmlElement, snippet: str) -> list[Any]:
    """The text nodes whose text, spaces and no-break spaces normalised, holds `snippet`; found by
    lxml in C, in document order. The snippet's longest word must be in a node as it stands (a word
    holds no space to normalise): a cheap test that spares most nodes the full one. The text of
    <script> and <style> elements (often most of a page's characters) is not searched: every caller
    skips a hit inside them (`_SKIP`), and they hold no elements, so their text is never a tail."""
    word = max(snippet.split() or [""], key=len)
    return tree.xpath("//text()[not(parent::script or parent::style)][contains(., $word)]"
                      "[contains(normalize-space(translate(., $nbsp, ' ')), $snippet)]",
                      word=word, snippet=snippet, nbsp=_NBSP)


def _body_start(tree: HtmlElement, body: str) -> HtmlElement | None:
    """The element showing the body's first line (its opening words), or None."""
    first = clean(body.split("\n", 1)[0]).removeprefix("- ")
    snippet = first[:_SNIPPET_CHARS]
    if count_words(snippet) < 2:
        return None
    for hit in _text_nodes_showing(tree, snippet):
        owner = hit.getparent()
        if owner is not None and isinstance(owner.tag, str) and owner.tag not in _SKIP:
            return owner if hit.is_text else owner.getparent()
    return None


def _reworded_lead(tree: HtmlElement, descriptions: Sequence[str], body: str,
                   headline_element: HtmlElement) -> str | None:
    """A block between the headline and the body's first line whose words mostly are a description's."""
    start = _body_start(tree, body)
    if start is None:
        return None
    body_key = norm(body)
    seen_headline = False
    best: tuple[float, str, HtmlElement] | None = None
    for element in tree.iter():
        if element is start:
            break
        if element is headline_element:
            seen_headline = True
            continue
        if not seen_headline or not isinstance(element.tag, str) or element.tag not in _BLOCKS:
            continue
        text = clean(element.text_content())
        words = count_words(text)
        if words < _MIN_WORDS or words > _REWORDED_MAX_WORDS:
            continue
        for description in descriptions:
            score = min(word_overlap(text, description), word_overlap(description, text))
            if score >= _REWORDED_OVERLAP and (best is None or score > best[0]):
                best = (score, text, element)
    if best is None:
        return None
    _, text, element = best
    if norm(text)[:40] in body_key or is_noise(element) or any(parent.tag in _CAPTION for parent in element.iterancestors()):
        return None
    return text


def _named_lead(tree: HtmlElement, body: str, headline_element: HtmlElement) -> str | None:
    """The first block between the headline and the body's first line that its class names a
    standfirst ("article__intro", "detail__excerpt", "subtitle", "dek"): for pages whose
    description is missing or is not the standfirst's text."""
    start = _body_start(tree, body)
    if start is None:
        return None
    seen_headline = False
    for element in tree.iter():
        if element is start:
            return None
        if element is headline_element:
            seen_headline = True
            continue
        if not seen_headline or not isinstance(element.tag, str) or element.tag not in _BLOCKS:
            continue
        names = _CLASS_WORDS.split(f"{element.get('class', '')} {element.get('id', '')}".lower())
        if not _STANDFIRST_NAMES.intersection(names) or _MEDIA_NAMES.intersection(names) \
                or any(True for _ in element.iter(*_MEDIA_TAGS)):
            continue  # a "lead" block holding the lead image: its text is the caption
        text = clean(element.text_content())
        words = count_words(text)
        if words < _NAMED_MIN_WORDS or words > _REWORDED_MAX_WORDS or start in element.iterdescendants():
            continue
        if norm(text)[:40] in norm(body) or is_noise(element) \
                or any(parent.tag in _CAPTION for parent in element.iterancestors()):
            return None
        return text
    return None


def _visible_lead(tree: HtmlElement, description: str, description_key: str, truncated: bool,
                  headline_element: HtmlElement | None) -> str | None:
    snippet = description[:_SNIPPET_CHARS]
    for hit in _text_nodes_showing(tree, snippet):
        owner = hit.getparent()
        if owner is None:
            continue
        node: HtmlElement | None = owner if hit.is_text else owner.getparent()
        if node is None or not isinstance(node.tag, str) or node.tag in _SKIP:
            continue
        if headline_element is not None and not _follows(tree, node, headline_element):
            continue  # above the headline: a teaser, a menu, a previous story
        text = clean(node.text_content())
        while not _covers(norm(text), description_key, truncated):
            node = node.getparent()
            if node is None:
                break
            text = clean(node.text_content())
            if len(text) > len(description) + _SLACK_CHARS:
                break  # grown past any lead: this hit only shares the opening
        if node is None:
            continue
        if len(text) > len(description) + _SLACK_CHARS or node.tag in _SKIP or is_noise(node) \
                or any(parent.tag in _CAPTION for parent in node.iterancestors()):
            return None
        return _with_dateline(node, text)
    return None


# An inline lead whose parent puts a dateline before it in an element of its own
# ("<span>Berlin.</span> <span>The lead ...</span>"): the dateline is part of the visible lead.
_INLINE = frozenset({"span", "strong", "em", "b", "i"})
_DATELINE = re.compile(r"^[^\W\d_][\w .'’/()-]{0,40}[.:·–—|]$")
_DATELINE_MAX_WORDS = 4


def _with_dateline(node: HtmlElement, text: str) -> str:
    parent = node.getparent()
    if node.tag not in _INLINE or parent is None:
        return text
    whole = clean(parent.text_content())
    prefix = whole[: len(whole) - len(text)].strip() if whole.endswith(text) else ""
    if prefix and count_words(prefix) <= _DATELINE_MAX_WORDS and _DATELINE.match(prefix):
        return f"{prefix} {text}"
    return text
