"""Why a body scored below perfect: each wrong piece of text, located in the page and named by kind.

Used by `benchmarks.extraction` to print per-cause counts, so a round of body work starts
from data. For a page and an extraction:

- kept boilerplate: a predicted line (scrapinghub, fundus-dev) or a `without` string
  (trafilatura-dev) that the truth does not have;
- missing text: a truth line or a `with` string that the prediction lacks.

Each piece is looked up in the page (the innermost element whose text contains it) and named
by the first telling ancestor: its tag (aside, figure, nav, footer, ...), its class/id words
(related, newsletter, byline, live, tweet, ...), a link-dense container ("link list"), or
"in running text" when nothing marks it. A rejected page is counted as "page rejected: reason".
This is benchmark-side analysis: it parses the page again, which extraction never does.
Reads no settings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import lxml.html
from lxml.html import HtmlElement

from benchmarks import scoring

# (kind, class/id pattern) in priority order; the first ancestor that matches names the piece.
_ATTR_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("social embed", r"twitter-tweet|instagram|tiktok|facebook-post|fb-post|embed"),
        ("caption", r"caption|credit|figure|photo|image|gallery|media"),
        ("related links", r"related|read-?more|more-?(?:news|stories|articles)|teaser|recommend|trending|popular|also|mehr|lesen"),
        ("appeal/paywall", r"newsletter|subscri|donat|paywall|promo|signup|sign-up|abo|membership|support|cta"),
        ("byline/dateline", r"byline|author|dateline|date|time|meta|stand|publish"),
        ("live-blog", r"live|ticker|timeline"),
        ("comments", r"comment|disqus|reply|discussion"),
        ("share buttons", r"share|social|sharing"),
        ("navigation", r"\bnav|menu|breadcrumb|pagination|pager"),
        ("footer", r"footer|copyright|imprint|colophon"),
        ("tags", r"\btags?\b|keyword|topic|categor"),
        ("box", r"aside|sidebar|widget|box|info|fact|note|ad-|advert|sponsor|affiliate"),
    )
)
_TAG_KINDS = {
    "figcaption": "caption", "figure": "caption", "blockquote": "quote/embed", "aside": "box",
    "nav": "navigation", "footer": "footer", "header": "header", "table": "table", "form": "form",
    "li": "list item", "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
}  # fmt: skip
_SPACE = re.compile(r"\s+")
_LINK_DENSE = 0.5  # share of an element's text inside links above which it is a link list
_MIN_LINE_TOKENS = 4


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _attrs(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''} {el.get('data-component') or ''}"


def _kind_of(el: HtmlElement) -> str:
    """The first telling ancestor of `el` (itself included) names the kind."""
    tag_kind: str | None = None
    for node in (el, *el.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("body", "html"):
            break
        attrs = _attrs(node)
        for kind, pattern in _ATTR_KINDS:
            if pattern.search(attrs):
                return kind
        if node.tag in ("aside", "nav", "footer", "figure", "figcaption", "blockquote"):
            return _TAG_KINDS[node.tag]
        if tag_kind is None and node.tag in _TAG_KINDS:
            tag_kind = _TAG_KINDS[node.tag]
    if tag_kind is not None:
        return tag_kind
    return "in running text"


class PageLocator:
    """One parse of a page, to find where pieces of text sit."""

    def __init__(self, html: str) -> None:
        try:
            self._tree: HtmlElement | None = lxml.html.fromstring(html.encode("utf-8", errors="replace"))
        except (ValueError, lxml.etree.ParserError):
            self._tree = None
        self._texts: list[tuple[HtmlElement, str]] | None = None

    def _elements(self) -> list[tuple[HtmlElement, str]]:
        if self._texts is None:
            self._texts = []
            if self._tree is not None:
                for el in self._tree.iter():
                    if isinstance(el.tag, str) and el.tag not in ("script", "style", "head", "title", "meta"):
                        self._texts.append((el, _norm(el.text_content())))
        return self._texts

    def kind(self, text: str) -> str:
        # A list item's "- " marker is the extractor's, not the page's.
        text = _norm(text).removeprefix("- ")
        if not text:
            return "empty"
        found: HtmlElement | None = None
        # A shorter needle second: an entity or a soft hyphen further on breaks the long one.
        for needle in (text[:60], text[:25]):
            # Document order: the last match is the innermost element that contains the needle.
            for el, content in self._elements():
                if needle in content:
                    found = el
            if found is not None:
                break
        if found is None:
            return "not in the page's text"
        kind = _kind_of(found)
        if kind in ("in running text", "list item"):
            container = found.getparent() if found.tag in ("a", "li", "span") else found
            if container is not None and _link_share(container) > _LINK_DENSE:
                return "link list"
        return kind


def _link_share(el: HtmlElement) -> float:
    total = len(_norm(el.text_content()))
    if not total:
        return 0.0
    linked = sum(len(_norm(a.text_content())) for a in el.iter("a"))
    return linked / total


def _lines(text: str) -> list[str]:
    return [line for line in (_norm(x) for x in text.split("\n")) if len(scoring.tokenize(line)) >= _MIN_LINE_TOKENS]


def _uncovered(lines: Iterable[str], other: str) -> list[str]:
    """Lines of which most 4-token shingles do not occur in `other`."""
    have = set(scoring.ngrams(other, 4))
    out = []
    for line in lines:
        shingles = scoring.ngrams(line, 4)
        if shingles and sum(1 for s in shingles if s not in have) > len(shingles) / 2:
            out.append(line)
    return out


def body_causes(html: str, truth: str, pred: str, rejected: str | None) -> tuple[Counter[str], Counter[str]]:
    """(kept boilerplate by kind, missing text by kind), counted in lines, for one page."""
    kept: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    if rejected:
        missing[f"page rejected: {rejected}"] += 1
        return kept, missing
    extra = _uncovered(_lines(pred), truth)
    lost = _uncovered(_lines(truth), pred)
    if not extra and not lost:
        return kept, missing
    locator = PageLocator(html)
    for line in extra:
        kept[locator.kind(line)] += 1
    if not pred.strip():
        missing["empty body"] += len(lost)
    else:
        for line in lost:
            missing[locator.kind(line)] += 1
    return kept, missing


def with_without_causes(
    html: str, with_strings: Iterable[str], without_strings: Iterable[str], pred: str, rejected: str | None
) -> tuple[Counter[str], Counter[str]]:
    """(kept `without` strings by kind, missed `with` strings by kind) for one trafilatura-dev page."""
    kept: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    lost = [s for s in with_strings if not (pred and s in pred)]
    extra = [s for s in without_strings if pred and s in pred]
    if not lost and not extra:
        return kept, missing
    locator = PageLocator(html)
    for s in extra:
        kept[locator.kind(s)] += 1
    for s in lost:
        if rejected:
            missing[f"page rejected: {rejected}"] += 1
        elif not pred.strip():
            missing["empty body"] += 1
        elif _norm(s) in _norm(pred):
            missing["whitespace differs"] += 1
        else:
            missing[locator.kind(s)] += 1
    return kept, missing
