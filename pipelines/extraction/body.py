"""The article body as plain text, one paragraph per line.

trafilatura reads the main text from the already-parsed tree (it copies the
tree, so the caller's tree stays intact for the other stages), in its
precision mode: that drops more teasers, captions and widgets at the cost of
a little recall. When precision mode comes back with a small share of the
text the page's paragraphs hold (it sometimes drops the whole article), it is
run again in its balanced mode and the longer text is kept; this costs a
second pass on only a few pages in a hundred. When the page
also carries a JSON-LD ``articleBody``, the two are compared: the JSON-LD text
is taken when trafilatura found clearly less of the same article (paywalled or
script-rendered pages), otherwise trafilatura's paragraphing wins. Then the
boilerplate line filters run. Reads no settings; the caller passes its options.
"""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction

from .boilerplate import clean_body
from .structured import Structured, as_text
from .text import clean, count_words, norm

logger = logging.getLogger(__name__)

__all__ = ["extract_body"]

_WORDS = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
# articleBody replaces the extracted text only when it is this many times longer: the
# extractor then clearly missed part of the article (paywall teaser, script-built page).
_JSONLD_FACTOR = 2.0
# Precision mode's text below this share of the words in the page's <p> elements: it
# probably lost the article, and the balanced mode is tried too.
_PRECISION_FLOOR = 0.3


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool, tables: bool, precision: bool = True) -> str:
    try:
        document = bare_extraction(
            tree, url=url, fast=fast, include_comments=False, include_tables=tables,
            include_images=False, include_links=False, with_metadata=False, favor_precision=precision,
        )
    except Exception:  # trafilatura is a dependency: its failures must not become ours
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return ""
    if document is None:
        return ""
    text = getattr(document, "text", None) or ""
    return text


def _paragraph_words(tree: HtmlElement) -> int:
    return sum(count_words(p.text_content()) for p in tree.iter("p"))


def _main_text(tree: HtmlElement, url: str, *, fast: bool, tables: bool) -> str:
    text = _trafilatura_text(tree, url, fast=fast, tables=tables, precision=True)
    words = count_words(text)
    if words < _PRECISION_FLOOR * _paragraph_words(tree):
        balanced = _trafilatura_text(tree, url, fast=fast, tables=tables, precision=False)
        if count_words(balanced) > words:
            return balanced
    return text


def _jsonld_body(data: Structured) -> str:
    raw = as_text(data.article_value("articleBody", "text"))
    if not raw:
        return ""
    if _TAG.search(raw):
        try:
            holder = fromstring(f"<div>{raw}</div>")
            for br in holder.iter("br"):
                br.tail = "\n" + (br.tail or "")
            paragraphs = [clean(p.text_content()) for p in holder.iter("p")]
            raw = "\n".join(p for p in paragraphs if p) or holder.text_content()
        except Exception:  # broken markup inside a JSON string
            raw = _TAG.sub(" ", raw)
    lines = [clean(line) for line in raw.splitlines()]
    return "\n".join(line for line in lines if line)


def _overlap(part: str, whole: str) -> float:
    """Share of `part`'s words that also occur in `whole`."""
    words = _WORDS.findall(part.lower())
    if not words:
        return 0.0
    vocabulary = set(_WORDS.findall(whole.lower()))
    return sum(1 for w in words if w in vocabulary) / len(words)


def _choose(extracted: str, structured: str) -> str:
    if not structured:
        return extracted
    if not extracted:
        return structured
    n_extracted, n_structured = count_words(extracted), count_words(structured)
    if n_structured > n_extracted * _JSONLD_FACTOR and _overlap(extracted, structured) >= 0.6:
        return structured
    return extracted


def extract_body(tree: HtmlElement, data: Structured, url: str, headline: str | None, *,
                 fast: bool = False, tables: bool = True) -> str:
    """Plain-text body, boilerplate removed; the headline is not repeated as its first line."""
    text = _choose(_main_text(tree, url, fast=fast, tables=tables), _jsonld_body(data))
    text = clean_body(text)
    if headline:
        # The headline repeated inside the text (a title block, a share box) is not body.
        key = norm(headline)
        text = "\n".join(line for line in text.split("\n") if norm(line) != key)
    return text
