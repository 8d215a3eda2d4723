"""Complete a body that an extractor took from one of several sibling containers.

Some layouts split one article over several containers with the same markup
(text chunks between ad slots, "grid" rows of a long read: each a
``<div class="article__body">``). trafilatura keeps the first such container and
drops the rest, which can lose most of the article. `complete_from_twins` finds
the container that holds the extracted paragraphs, looks for its twins (same
tag, same ``class``) further down the page, and appends their paragraphs in
document order. A twin is only taken when no ``<h1>`` (a new article, as on
infinite-scroll pages) stands between it and the container, when it does not
sit in navigation, sidebars, comments or related lists, when it holds a
paragraph of prose (teaser cards and notices are short lines), and only for
its blocks that do not repeat the text already found.

`restore_dropped_paragraphs` puts back a paragraph that the extractor left out between two it kept
(trafilatura's precision mode drops short paragraphs carrying a link, also mid-story): only when it
has the same class and parent markup as both neighbours, is not wholly a link, holds no script,
embed or image, and does not sit in noise. A subheading dropped between two kept paragraphs of the
same markup is put back the same way when it sits in the same kind of container as they do (FAQ
pages set each question as an <h2> that precision mode often drops). Reads no settings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from lxml.html import HtmlElement

from .text import clean, count_words, is_noise, norm

__all__ = ["complete_from_twins", "restore_dropped_paragraphs"]

_WORD = re.compile(r"\w+", re.UNICODE)
_BLOCKS = ("p", "h2", "h3", "h4", "blockquote")
_MIN_TWIN_WORDS = 25  # a twin with less text is a caption, a credit or an ad label
# A twin must hold one paragraph of prose this long: teaser cards and notices are short lines.
_MIN_PROSE_WORDS = 30
_PREFIX = 40  # lines and paragraphs are matched on their first characters: cheap, and enough to place them
_MIN_LINE_KEY = 12  # short lines ("Advertisement") match anywhere; they cannot locate the container


def _trigrams(text: str) -> list[tuple[str, ...]]:
    tokens = _WORD.findall(text.casefold())
    return list(zip(tokens, tokens[1:], tokens[2:]))


def _container(tree: HtmlElement, keys: set[str]) -> HtmlElement | None:
    """The element whose <p> children hold most of the extracted lines (compared by their opening)."""
    parents: Counter[HtmlElement] = Counter()
    for paragraph in tree.iter("p"):
        if clean(paragraph.text_content())[:_PREFIX] in keys:
            parent = paragraph.getparent()
            if parent is not None:
                parents[parent] += 1
    if not parents:
        return None
    container, hits = parents.most_common(1)[0]
    return container if hits >= 2 else None


def _twin_lines(twin: HtmlElement, seen: set[str], known: set[tuple[str, ...]]) -> list[str]:
    lines: list[str] = []
    for block in twin.iter(*_BLOCKS):
        if any(parent.tag in _BLOCKS for parent in block.iterancestors() if parent is not twin):
            continue  # nested in a block already read
        text = clean(block.text_content())
        key = norm(text)
        if not key or key in seen or is_noise(block):
            continue
        grams = _trigrams(text)
        if len(grams) > 2 and sum(gram in known for gram in grams) > 0.7 * len(grams):
            continue  # the same text, joined differently (links run together, <br> lines)
        seen.add(key)
        lines.append(text)
    return lines


def complete_from_twins(tree: HtmlElement, text: str) -> str:
    """`text` with the paragraphs of its container's twins added in document order."""
    lines = text.split("\n")
    keys = {line[:_PREFIX] for line in lines if len(line) >= _MIN_LINE_KEY}
    if len(keys) < 2:
        return text
    container = _container(tree, keys)
    if container is None:
        return text
    classes = container.get("class", "").strip()
    if not classes:
        return text  # an anonymous <div> has countless look-alikes
    twins = [element for element in tree.iter(container.tag)
             if element is not container and element.get("class", "").strip() == classes]
    if not twins:
        return text
    ancestors = set(container.iterancestors())
    twins = [twin for twin in twins if twin not in ancestors and container not in set(twin.iterancestors())]
    if not twins:
        return text
    position = {element: index for index, element in enumerate(tree.iter())}
    headings = [position[h1] for h1 in tree.iter("h1")]
    here = position[container]
    seen = {norm(line) for line in lines if line}
    known = set(_trigrams(text))
    after: list[str] = []
    for twin in sorted(twins, key=position.__getitem__):
        where = position[twin]
        # Only continuations: a look-alike before the text is a quoted claim, a lead box, a teaser.
        if where < here or any(here < h < where for h in headings) or is_noise(twin):
            continue
        extra = _twin_lines(twin, set(seen), known)
        if count_words(" ".join(extra)) < _MIN_TWIN_WORDS or max(map(count_words, extra)) < _MIN_PROSE_WORDS:
            continue
        seen.update(norm(line) for line in extra)
        after.extend(extra)
    return "\n".join([text, *after]) if after else text


# A paragraph the extractor left out between two it kept: trafilatura's precision mode drops short
# paragraphs that carry a link ("In 2008, the alliance said that <a>Ukraine could join</a>.") even
# in the middle of the story. Restored when it is the same kind of paragraph as both neighbours
# (same class, same parent markup), at most this many in one gap, and not itself a link.
_MAX_GAP = 2
_MIN_GAP_WORDS = 4


def _signature(paragraph: HtmlElement) -> tuple[str, str, str]:
    parent = paragraph.getparent()
    if parent is None:
        return (paragraph.get("class", ""), "", "")
    return (paragraph.get("class", ""), parent.tag, parent.get("class", ""))


# A paragraph holding any of these is code, an embed or an image with its caption, not a sentence.
_NOT_PROSE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "img", "picture",
              "video", "audio", "figure", "figcaption", "form", "input", "button", "select", "textarea")


_HEADINGS = ("h2", "h3", "h4")
_MAX_HEADING_WORDS = 20  # longer "headings" are teasers or styled paragraphs


def _parent_signature(element: HtmlElement) -> tuple[str, str]:
    parent = element.getparent()
    return ("", "") if parent is None else (parent.tag, parent.get("class", ""))


def _fits_gap(block: HtmlElement, neighbours: list[HtmlElement]) -> bool:
    """Whether a left-out block looks like the kept blocks around it: a paragraph of their class and
    parent markup, or a subheading between two such paragraphs in the same kind of container."""
    if block.tag == "p":
        return bool(neighbours) and all(_signature(n) == _signature(block) for n in neighbours)
    return (len(neighbours) == 2 and _signature(neighbours[0]) == _signature(neighbours[1])
            and all(_same_container(block, n) for n in neighbours))


def _same_container(heading: HtmlElement, paragraph: HtmlElement) -> bool:
    """Whether a heading sits where the paragraph does: in the same kind of parent, or beside the
    paragraph's own wrapper (``<div class="box"><h3/><div class="paragraph"><p/></div></div>``)."""
    parent = paragraph.getparent()
    return _parent_signature(heading) == _parent_signature(paragraph) or (
        parent is not None and heading.getparent() is parent.getparent())


def _restorable(paragraph: HtmlElement, text: str) -> bool:
    if paragraph.tag != "p":
        if not 0 < count_words(text) <= _MAX_HEADING_WORDS:
            return False
    elif count_words(text) < _MIN_GAP_WORDS:
        return False
    if is_noise(paragraph) or any(True for _ in paragraph.iter(*_NOT_PROSE)):
        return False
    # Only links count: a jump-label anchor (<a name="part2">) wrapping a subheading is not one.
    linked = sum(len(clean(anchor.text_content())) for anchor in paragraph.iter("a") if anchor.get("href"))
    return linked < len(text)  # wholly a link: a teaser, not a sentence of the story


def _gap_candidates(pending: list[tuple[HtmlElement, str]]) -> list[tuple[HtmlElement, str]]:
    """The left-out blocks of one gap that may go back: its paragraphs when there are at most
    `_MAX_GAP`, and its heading when it is the only one (more are a block of teaser titles)."""
    paragraphs = [item for item in pending if item[0].tag == "p"]
    headings = [item for item in pending if item[0].tag != "p"]
    keep = (paragraphs if len(paragraphs) <= _MAX_GAP else []) + (headings if len(headings) == 1 else [])
    return [item for item in pending if item in keep]


def restore_dropped_paragraphs(paragraphs: Sequence[tuple[HtmlElement, str]], text: str) -> str:
    """`text` with the paragraphs put back that sit between two of its lines and look like them.

    `paragraphs`: the page's <p> (and heading) elements in document order, each with its text
    (`text.clean`). A heading may be a neighbour (the paragraph closing or opening a section); the
    paragraph must then look like the <p> on the other side.
    """
    lines = text.split("\n")
    line_at = {line[:_PREFIX]: i for i, line in enumerate(lines) if len(line) >= _MIN_LINE_KEY}
    if len(line_at) < 2:
        return text
    present = set(lines)  # short headings are not located by line_at, but may be there already
    inserts: dict[int, list[str]] = {}
    previous: HtmlElement | None = None  # the last block found in the text, and its line
    previous_line = -1
    pending: list[tuple[HtmlElement, str]] = []  # paragraphs left out since then
    for block, content in paragraphs:
        line = line_at.get(content[:_PREFIX]) if len(content) >= _MIN_LINE_KEY else None
        if line is None:
            if content and (block.tag == "p" or (block.tag in _HEADINGS and content not in present)):
                pending.append((block, content))
            continue
        if previous is not None and pending and line == previous_line + 1:
            neighbours = [element for element in (previous, block) if element.tag == "p"]
            restored = [text for paragraph, text in _gap_candidates(pending)
                        if _fits_gap(paragraph, neighbours) and _restorable(paragraph, text)]
            if restored:
                inserts[previous_line] = restored
        previous, previous_line, pending = block, line, []
    if not inserts:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, ()))
    return "\n".join(out)
