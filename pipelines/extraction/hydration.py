"""The article body and publication date from a script-rendered page's hydration state.

Single-page-app sites (Next.js, Nuxt, React Query, Apollo) often ship the article
as an HTML string inside an inline ``<script>`` (``__NEXT_DATA__``, a
``window[...].push({...})`` cache, ``self.__next_f``) and build the visible DOM
in the browser; without JavaScript the page holds no paragraphs and every
DOM-based extractor comes back empty. This module finds the JSON string
literals in inline scripts that carry paragraph markup, decodes them, and
returns the paragraphs of the longest one about the headline; and it reads
publication-date keys ("publishedAt", "datePublished", ...) from the same
scripts. Both are fallbacks: the body stage calls the first only when the DOM
gave (almost) nothing, the date stage the second only when no other source gave
a date, so normal pages pay nothing. Reads no settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from .text import clean, count_words

__all__ = ["hydrated_body", "hydrated_dates"]

# A JSON string literal (escapes included) long enough to be an article.
_LITERAL = re.compile(r'"((?:[^"\\]|\\.){200,})"', re.DOTALL)
# Paragraph markup as it appears inside a JSON string: raw or \u003c-escaped.
_PARAGRAPH_MARK = re.compile(r"<p[\s>]|\\u003cp[\s>\\]", re.IGNORECASE)
_RAW_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
_MIN_SCRIPT_CHARS = 1000
_MIN_PARAGRAPHS = 2
_AGREEMENT = 0.5  # share of the headline's content words the text must contain
_SHORT = 3  # words this short ("the", "of", "und") say nothing about the topic...
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")  # ...unless CJK
_WORD = re.compile(r"\w+")
_BLOCKS = ("p", "h2", "h3", "blockquote")
# Paragraphs inside these are picture captions and credits, not story text.
_CAPTION = re.compile(r"caption|credit|figcaption", re.IGNORECASE)


def _decode(literal: str) -> str:
    try:
        return json.loads(f'"{literal}"')
    except ValueError:  # not a clean JSON string (a JS template or a regex): skip it
        return ""


def _in_caption(element: HtmlElement) -> bool:
    for node in element.iterancestors():
        if node.tag in ("figure", "figcaption") or _CAPTION.search(node.get("class", "")):
            return True
    return False


def _paragraphs(markup: str) -> list[str]:
    try:
        holder = fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    lines = []
    for element in holder.iter(*_BLOCKS):
        if any(parent.tag in _BLOCKS for parent in element.iterancestors()) or _in_caption(element):
            continue
        text = clean(element.text_content())
        if text:
            lines.append(text)
    return lines


def _strings(source: str, depth: int = 1) -> list[str]:
    """Decoded JSON string literals of `source` that hold paragraph markup."""
    found = []
    for match in _LITERAL.finditer(source):
        literal = match.group(1)
        if len(_PARAGRAPH_MARK.findall(literal)) < _MIN_PARAGRAPHS:
            continue
        decoded = _decode(literal)
        if len(_RAW_PARAGRAPH.findall(decoded)) >= _MIN_PARAGRAPHS:
            found.append(decoded)
        elif depth > 0:  # encoded twice (an RSC stream inside a JS string): one level deeper
            found.extend(_strings(decoded, depth - 1))
    return found


def _candidates(tree: HtmlElement) -> list[str]:
    found = []
    for script in tree.iter("script"):
        if script.get("src") or "ld+json" in (script.get("type") or ""):
            continue
        source = script.text or ""
        if len(source) >= _MIN_SCRIPT_CHARS and _PARAGRAPH_MARK.search(source):
            found.extend(_strings(source))
    return found


def _about(headline: str, text: str) -> float:
    """Share of the headline's content words (not short function words) found in `text`."""
    words = [w for w in _WORD.findall(headline.casefold()) if len(w) > _SHORT or _CJK.search(w)]
    if not words:
        return 1.0
    vocabulary = set(_WORD.findall(text.casefold()))
    return sum(1 for w in words if w in vocabulary) / len(words)


def hydrated_body(tree: HtmlElement, headline: str | None = None) -> str:
    """Paragraphs of the longest article-like HTML string in the page's inline scripts, or "".

    With a `headline`, only a text containing most of its words is taken: the state of a
    single-page app may also hold other stories (related articles, the next story).
    """
    best: list[str] = []
    best_words = 0
    for markup in _candidates(tree):
        lines = _paragraphs(markup)
        words = sum(count_words(line) for line in lines)
        if headline and _about(headline, "\n".join(lines)) < _AGREEMENT:
            continue
        if words > best_words:
            best, best_words = lines, words
    return "\n".join(best)


# Publication-time keys of hydration state objects ("publishedAt", "datePublished",
# "first_publish_date", "pubDate", "deployDt"); keys for updates, re-publications,
# embargo ends or expiry are not publication times, nor are release dates (of a film,
# a product) on review pages.
# A JSON key ("publishedAt": "...") or a script variable or property (`.publication_date = '...'`).
_DATE_KEY = re.compile(
    r'\\?["\'.]((?:date_?)?(?:first_?)?(?:published|publish|publication|pub|deploy|issued)'
    r'(?:_?(?:at|on|date|dt|time|datetime|timestamp))?)(?:\\?["\']\s*:|\s*=)\s*\\?["\']([^"\'\\]{8,40})\\?["\']',
    re.IGNORECASE,
)
_MAX_DATE_KEYS = 20


# Every _DATE_KEY match holds one of these words (any case) at most _KEY_REACH characters after its
# start (a backslash, a quote, "date_", "first_"). A script state is often hundreds of kilobytes
# with a quote every few characters, where _DATE_KEY would be tried at each quote: it is tried only
# just before these words instead (`_date_keys`), with the same matches.
_KEYWORDS = ("pub", "deploy", "issued")
_KEY_REACH = 13
# The only characters besides ASCII letters that an IGNORECASE pattern of these words matches
# ("ı", "İ", "ſ"); "İ" is also the only character whose lower case is longer than one character.
_FOLDING = ("\u0130", "\u0131", "\u017f")


def hydrated_dates(tree: HtmlElement) -> list[str]:
    """Raw values of publication-date keys in the page's inline script state, in page order."""
    found: list[str] = []
    for script in tree.iter("script"):
        if script.get("src") or "ld+json" in (script.get("type") or ""):
            continue
        for match in _date_keys(script.text or ""):
            found.append(match.group(2))
            if len(found) >= _MAX_DATE_KEYS:
                return found
    return found


def _date_keys(text: str) -> Iterator[re.Match[str]]:
    """`_DATE_KEY.finditer(text)`, trying the pattern only where a match can start: up to
    `_KEY_REACH` characters before a keyword, in increasing order, never before the last match's end."""
    if not text.isascii() and any(c in text for c in _FOLDING):
        yield from _DATE_KEY.finditer(text)  # lower() would not tell where IGNORECASE matches
        return
    lowered = text.lower()  # as long as `text`: positions agree (no "İ" in it)
    starts: set[int] = set()
    for keyword in _KEYWORDS:
        at = lowered.find(keyword)
        while at >= 0:
            starts.add(at)
            at = lowered.find(keyword, at + 1)
    end = 0
    for start in sorted(starts):
        for position in range(max(end, start - _KEY_REACH), start + 1):
            match = _DATE_KEY.match(text, position)
            if match is not None:
                yield match
                end = match.end()
                break
