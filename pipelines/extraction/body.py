"""The article body as plain text, one paragraph per line.

trafilatura reads the main text from the already-parsed tree (it copies the
tree, so the caller's tree stays intact for the other stages). When the page
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


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool, tables: bool) -> str:
    try:
        document = bare_extraction(
            tree, url=url, fast=fast, include_comments=False, include_tables=tables,
            include_images=False, include_links=False, with_metadata=False,
        )
    except Exception:  # trafilatura is a dependency: its failures must not become ours
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return ""
    if document is None:
        return ""
    text = getattr(document, "text", None) or ""
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
    text = _choose(_trafilatura_text(tree, url, fast=fast, tables=tables), _jsonld_body(data))
    text = clean_body(text)
    if headline:
        lines = text.split("\n")
        while lines and norm(lines[0]) == norm(headline):
            lines.pop(0)
        text = "\n".join(lines)
    return text
