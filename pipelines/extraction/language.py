"""The page language as an ISO 639-1 code, from what the page declares.

Order: <html lang>, og:locale, JSON-LD inLanguage, <meta http-equiv=content-language>
/ <meta name=language>, then the caller's hint. No statistical detection (that
would add a dependency); a page that declares nothing gets the hint or None.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .structured import Structured, as_text

__all__ = ["find_language", "normalize_language"]

_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)


def normalize_language(value: str | None) -> str | None:
    """"de-DE" / "de_DE" / "DE" -> "de"; anything that is not a language tag -> None."""
    if not value:
        return None
    value = value.strip().split(",")[0].strip()
    match = _CODE.match(value)
    if not match:
        return None
    code = match.group(1).lower()
    return None if code in ("und", "mul", "zxx", "xx") else code


def find_language(tree: HtmlElement, data: Structured, hint: str | None = None) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("xml:lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        data.first("og:locale"),
        as_text(data.article_value("inLanguage")),
        data.first("content-language", "language", "dc.language", "dcterms.language"),
        hint,
    ]
    for candidate in candidates:
        code = normalize_language(candidate)
        if code:
            return code
    return None
