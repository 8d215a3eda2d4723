"""Small text helpers shared by the field extractors. Reads no settings."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lxml.html import HtmlElement

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Characters no text may carry: C0 controls but tab and line breaks, DEL, surrogates (a lone
# one cannot be encoded; lxml cuts a document at the first, and refuses controls in XPath values)
# and the non-characters U+FFFE/U+FFFF (not XML either: lxml refuses them in attribute values).
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The same test on the UTF-8 bytes, twice as fast on a page (the regex tries its class at every
# character): a surrogate does not encode; a C0 control or DEL is its own byte, never part of another
# character's; U+FFFE and U+FFFF are the only characters encoded EF BF BE and EF BF BF.
_BYTES_CHECK_FROM = 512  # shorter texts: the regex, which has no encoding to pay for
_UNWANTED_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])

# Ancestors whose text never belongs to the article proper.
NOISE_TAGS = frozenset({"nav", "aside", "footer", "form", "noscript", "script", "style", "template", "iframe", "select", "button"})
NOISE_HINTS = re.compile(
    r"(^|[\s_-])(comments?|comment-list|respond|reply|related|recommend\w*|sidebar|widget|popular|trending|"
    r"most-read|newsletter|promo|teaser-list|breadcrumbs?|share|social|footer|menu|navigation|nav|"
    r"subscribe|cookie|consent|advert\w*|ad-slot|banner|outbrain|taboola|more-stories|read-more|tags?-list)($|[\s_-])",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """`text` without control characters (tab and line breaks kept) and lone surrogates; a
    surrogate pair left by a JSON escape ("\\ud83d\\ude00") becomes the character it encodes."""
    if not _has_unwanted(text):
        return text
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return _UNWANTED.sub("", text)


def _has_unwanted(text: str) -> bool:
    """Whether `_UNWANTED` finds a character in `text`."""
    if len(text) < _BYTES_CHECK_FROM:
        return _UNWANTED.search(text) is not None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a surrogate
        return True
    return len(data.translate(None, _UNWANTED_BYTES)) != len(data) or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data


def clean(text: str | None) -> str:
    """Collapse whitespace (including NBSP) and strip."""
    if not text:
        return ""
    # str(): an lxml text-node result knows its element; remembered as such, it would keep its page alive.
    return _clean_cached(str(text)) if len(text) <= _CLEAN_CACHED_CHARS else _clean(text)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


# Element texts are cleaned again by each stage that reads them (37 % of the calls on the corpora
# repeat a text of the page): the result is remembered, as `norm`'s below. It depends on the text
# alone. At most _CLEAN_CACHED_TEXTS texts of at most _CLEAN_CACHED_CHARS characters are kept.
_CLEAN_CACHED_TEXTS = 4096
_CLEAN_CACHED_CHARS = 1000
_clean_cached = lru_cache(maxsize=_CLEAN_CACHED_TEXTS)(_clean)


def norm(text: str | None) -> str:
    """A comparison key: case-folded, NFKC, punctuation and spaces removed."""
    if not text:
        return ""
    return _norm_cached(str(text)) if len(text) <= _NORM_CACHED_CHARS else _norm(text)  # str(): see clean


def _norm(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


# A page keys the same lines and element texts several times (its body's lines against captions,
# teasers, link lists, the headline; 58 % of the calls on the corpora repeat one of the page), and
# page furniture repeats across pages: keys are remembered. A key depends on the text alone (an lxml
# "smart string" is equal to, and keyed as, its plain text). Memory bound: at most _NORM_CACHED_KEYS
# texts of at most _NORM_CACHED_CHARS characters.
_NORM_CACHED_KEYS = 4096
_NORM_CACHED_CHARS = 1000
_norm_cached = lru_cache(maxsize=_NORM_CACHED_KEYS)(_norm)


def count_words(text: str) -> int:
    """Words for length checks; CJK characters count as one word each per two characters."""
    words = len(_WORD.findall(text))
    cjk = len(_CJK.findall(text))
    if cjk:
        words = max(words, cjk // 2)
    return words


def word_overlap(part: str, whole: str) -> float:
    """Share of `part`'s words that also occur in `whole`."""
    words = _WORD.findall(part.lower())
    if not words:
        return 0.0
    vocabulary = set(_WORD.findall(whole.lower()))
    return sum(1 for w in words if w in vocabulary) / len(words)


def element_text(element: HtmlElement) -> str:
    return clean(element.text_content())


def is_noise_itself(element: HtmlElement) -> bool:
    """Whether the element's own tag or class/id/role marks it as noise (its ancestors not read)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in NOISE_TAGS:
        return True
    if tag in ("main", "body"):
        return False
    hints = f"{element.get('class', '')} {element.get('id', '')}" + ("" if tag == "article" else f" {element.get('role', '')}")
    return bool(hints.strip()) and bool(NOISE_HINTS.search(hints))


def is_noise(element: HtmlElement) -> bool:
    """Whether the element sits in navigation, sidebars, comments, related lists and the like."""
    node: HtmlElement | None = element
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in NOISE_TAGS:
            return True
        if tag in ("article", "main", "body"):
            # An article container ends the walk, unless it is itself a related teaser.
            hints = f"{node.get('class', '')} {node.get('id', '')}"
            return tag == "article" and bool(NOISE_HINTS.search(hints))
        hints = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
        if hints.strip() and NOISE_HINTS.search(hints):
            return True
        node = node.getparent()
    return False
