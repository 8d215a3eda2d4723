"""Structured metadata embedded in a page: JSON-LD, OpenGraph/<meta> tags, microdata.

`read_structured(tree)` collects everything once into a `Structured` object that
the field extractors (headline, dates, authors, ...) query. JSON-LD is read
forgivingly: ``@graph`` containers, top-level lists, nested objects, HTML-escaped
or CDATA-wrapped scripts, trailing commas and raw control characters. What a page
can stuff in is bounded: JSON-LD blocks over `_MAX_JSONLD_CHARS` are skipped, JSON
nested deeper than `_MAX_DEPTH` is cut there, strings lose control characters and
lone surrogates (JSON escapes can carry both), and only so many nodes and values
per <meta> name are kept. Reads no settings.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from lxml.html import HtmlElement

from .text import is_noise, scrub

logger = logging.getLogger(__name__)

__all__ = ["Structured", "read_structured", "as_text", "as_list", "ARTICLE_TYPES"]

# schema.org types that describe a single article-like page.
ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting",
        "liveblogposting", "socialmediaposting", "techarticle", "scholarlyarticle", "report",
        "satiricalarticle", "advertisercontentarticle", "medicalscholarlyarticle", "posting",
    }
)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_HTML_COMMENT = re.compile(r"^\s*<!--|-->\s*$")
_MAX_JSONLD_CHARS = 2_000_000  # a block longer than this is not metadata (long articleBody included)
_MAX_DEPTH = 24  # JSON-LD nesting kept; deeper values become None
_MAX_NODES = 200  # JSON-LD nodes kept per page
_MAX_META_VALUES = 50  # values kept per <meta> name (article:tag repeats, nothing else needs more)


@dataclass(slots=True)
class Structured:
    """Everything machine-readable a page says about itself."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # lowercased name/property -> contents
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # every JSON-LD node, flattened
    article: dict[str, Any] | None = None  # the JSON-LD node describing the article
    canonical: str | None = None  # <link rel=canonical href>

    def first(self, *keys: str) -> str | None:
        """The first non-empty <meta> content among `keys` (tried in order)."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        """Every non-empty <meta> content among `keys`, in key order."""
        return [v.strip() for key in keys for v in self.meta.get(key, ()) if v.strip()]

    def article_value(self, *keys: str) -> Any:
        """The first present key of the JSON-LD article node."""
        if self.article is None:
            return None
        for key in keys:
            value = self.article.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    def node_types(self) -> set[str]:
        return {t for node in self.jsonld for t in _types(node)}


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def as_text(value: Any) -> str | None:
    """A JSON-LD value as one string: strings as is, objects by name/@value/url, lists by first."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else None  # JSON-LD may say NaN or 1e999
    if isinstance(value, dict):
        for key in ("name", "@value", "text", "url", "@id"):
            text = as_text(value.get(key))
            if text:
                return text
        return None
    if isinstance(value, list):
        for item in value:
            text = as_text(item)
            if text:
                return text
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _loads(raw: str) -> Any:
    text = raw.strip()
    text = _CDATA.sub("", text)
    text = _HTML_COMMENT.sub("", text).strip()
    if text.startswith(("{&quot;", "[&quot;", "{ &quot;")) or "&quot;@" in text[:200]:
        text = html.unescape(text)
    text = text.rstrip(";").strip()
    if not text:
        return None
    decoder = json.JSONDecoder(strict=False)
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return decoder.decode(candidate)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            pass
    # Several objects back to back, or garbage after the first: take what decodes.
    values: list[Any] = []
    pos = 0
    while pos < len(text):
        start = min((i for i in (text.find("{", pos), text.find("[", pos)) if i >= 0), default=-1)
        if start < 0:
            break
        try:
            value, pos = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            break
        values.append(value)
    return values or None


def _scrubbed(value: Any, depth: int = 0) -> Any:
    """Parsed JSON with clean strings (keys too) and nothing nested deeper than `_MAX_DEPTH`."""
    if isinstance(value, str):
        return scrub(value)
    if depth >= _MAX_DEPTH and isinstance(value, (list, dict)):
        return None
    if isinstance(value, list):
        return [_scrubbed(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {scrub(key): _scrubbed(item, depth + 1) for key, item in value.items()}
    return value


def _flatten(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value or "@graph" in value:
            yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _flatten(graph, depth + 1)
        # Article nodes nested in WebPage.mainEntity / ItemPage.mainEntityOfPage etc.
        for key in ("mainEntity", "mainEntityOfPage", "hasPart", "itemListElement"):
            nested = value.get(key)
            if isinstance(nested, (dict, list)):
                yield from _flatten(nested, depth + 1)


def _article_score(node: dict[str, Any]) -> int:
    types = _types(node)
    score = 0
    if types & ARTICLE_TYPES or any(t.endswith("article") for t in types):
        score += 10
    elif "webpage" in types and node.get("headline"):
        score += 2
    else:
        return 0
    score += sum(1 for key in ("headline", "datePublished", "author", "articleBody") if node.get(key))
    return score


def read_structured(tree: HtmlElement) -> Structured:
    """Collect <meta> tags, JSON-LD and rel=canonical from the parsed page."""
    data = Structured()
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content is not None:
            values = data.meta.setdefault(key.strip().lower(), [])
            if len(values) < _MAX_META_VALUES:
                values.append(html.unescape(content))
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" not in kind or not script.text or len(data.jsonld) >= _MAX_NODES:
            continue
        if len(script.text) > _MAX_JSONLD_CHARS:
            logger.debug("JSON-LD block of %d characters skipped", len(script.text))
            continue
        parsed = _loads(script.text)
        if parsed is None:
            logger.debug("unreadable JSON-LD block skipped")
            continue
        data.jsonld.extend(islice(_flatten(_scrubbed(parsed)), _MAX_NODES - len(data.jsonld)))
    best = max(data.jsonld, key=_article_score, default=None)
    if best is not None and _article_score(best) > 0:
        data.article = best
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            data.canonical = link.get("href", "").strip()
            break
    return data


def itemprop_values(tree: HtmlElement, prop: str) -> list[str]:
    """Microdata values of `prop` (content/datetime attribute, else the element text).

    Elements inside navigation, sidebars, related lists and comments are skipped:
    their microdata describes other articles.
    """
    values = []
    for element in tree.xpath(f"//*[@itemprop={json.dumps(prop)}]")[:_MAX_META_VALUES]:
        if is_noise(element):
            continue
        value = element.get("content") or element.get("datetime")
        if value is None:
            names = element.xpath('.//*[@itemprop="name"]')
            value = (names[0] if names else element).text_content()
        value = " ".join(value.split())
        if value:
            values.append(value)
    return values
