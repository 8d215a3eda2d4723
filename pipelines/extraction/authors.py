"""Author names: read from JSON-LD, <meta>, microdata and byline elements, then cleaned.

`clean_authors` turns raw bylines into a list of person names: it splits
"A, B and C", drops "By", job titles ("Staff Writer", "Reporter"), dates,
e-mail addresses, URLs, the outlet's own name and generic accounts ("admin",
"editor", "staff"), and removes duplicates case-insensitively. Reads no settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lxml.html import HtmlElement

from .structured import Structured, as_list, itemprop_values
from .text import clean, is_noise, norm
from .urls import registrable_domain

__all__ = ["clean_authors", "find_authors"]

_SPLIT = re.compile(
    r"\s*(?:,|;|\||\s&\s|/|·|•|\n|(?i:\band\b|\bund\b|\bsowie\b|\bwith\b|\bmit\b|\bavec\b|\bcon\b)"
    r"|\s(?:et|y|e|i|og|och|en|ve)\s)\s*"
)
_BY_PREFIX = re.compile(
    r"^\s*(?:written\s+by|reported\s+by|posted\s+by|story\s+by|text\s+by|photos?\s+by|by|von|par|por|di|de|door|av|af|"
    r"autor(?:in)?|author|auteur|texte|text|bericht|redacción|escrito\s+por)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
_ROLE_WORDS = (
    r"staff|senior|chief|deputy|managing|executive|contributing|associate|assistant|special|political|"
    r"business|technology|tech|science|health|sports?|foreign|national|local|white\s+house|washington|"
    r"europe|economics?|financial|investigative|digital|news|video|data|photo|freelance|"
    r"writer|reporter|correspondent|editor(?:ial)?|editors|columnist|contributor|journalist|producer|"
    r"analyst|critic|photographer|bureau|chief|desk|team|staff\s+writer|redakteur(?:in)?|redaktion|"
    r"korrespondent(?:in)?|journaliste|rédact(?:eur|rice)|envoyée?\s+spéciale?|periodista|redactor[a]?|"
    r"corresponsal|giornalista|autor(?:in)?|author|guest|published|updated"
)
_ROLE_ONLY = re.compile(rf"^(?:(?:the|a|an|our|der|die|das|{_ROLE_WORDS}|and|&|of|for|at|in)\s*)+$", re.IGNORECASE)
_TRAILING_ROLE = re.compile(rf"(?:\s*[-–—,|]\s*|\s+)(?:(?:{_ROLE_WORDS})\b\s*)+(?:(?:at|for|of)\s+.*)?$", re.IGNORECASE)
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"^(?:https?://|www\.)|\.(?:com|org|net|de|fr|co\.uk|es|it)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_GENERIC = frozenset(
    norm(x)
    for x in (
        "admin", "administrator", "editor", "editors", "staff", "redaktion", "rédaction", "redacción",
        "redazione", "newsroom", "web desk", "webdesk", "news desk", "desk", "team", "guest", "anonymous",
        "unknown", "user", "root", "webmaster", "wpengine", "agencies", "agency", "reuters staff",
        "editorial", "editorial staff", "editorial team",
        "staff reporter", "staff writer", "correspondent", "our correspondent", "news", "online",
        "contributor", "contributors", "press release", "sponsored", "author", "autor", "auteur",
    )
)


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\W_]+", name) if w]
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def _pieces(raw: str) -> Iterable[str]:
    raw = _EMAIL.sub(" ", raw)
    raw = _PARENS.sub(" ", raw)
    for piece in _SPLIT.split(raw):
        yield piece


def clean_authors(raw_values: Iterable[str], *, site_name: str | None = None, url: str | None = None) -> list[str]:
    """Cleaned, de-duplicated person names from raw byline strings."""
    outlet_keys = {norm(site_name), _initials(site_name)} if site_name else set()
    domain = registrable_domain(url) if url else ""
    if domain:
        outlet_keys.update({norm(domain), norm(domain.split(".")[0])})
    outlet_keys = {k for k in outlet_keys if k}
    names: list[str] = []
    seen: set[str] = set()
    for raw in raw_values:
        raw = clean(raw)
        if not raw or raw.startswith(("http://", "https://")):
            continue
        if domain and domain in raw.lower():
            continue  # "Outlet (www.outlet.com)", "outlet.com, City": a credit to the site itself
        for piece in _pieces(raw):
            name = _BY_PREFIX.sub("", clean(piece)).strip(" .,:;-–—|*")
            stripped = _TRAILING_ROLE.sub("", name).strip(" .,:;-–—|*")
            if stripped != name and len(stripped.split()) == 1:
                continue  # "Gear Team", "MND Staff": a desk, not a person
            name = _BY_PREFIX.sub("", stripped).strip(" .,:;-–—|*")
            key = norm(name)
            if not key or key in seen or key in _GENERIC or key in outlet_keys:
                continue
            if _DIGIT.search(name) or _URL.search(name) or "@" in name:
                continue
            if _ROLE_ONLY.match(name) or not _LETTER.search(name):
                continue
            words = name.split()
            if len(words) > 5 or len(name) > 60:
                continue
            if len(words) == 1 and name.islower():
                continue  # a login such as "jdoe", not a byline
            seen.add(key)
            names.append(name)
    return names


def _jsonld_names(value: Any) -> list[str]:
    names: list[str] = []
    for item in as_list(value):
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(str(t).lower() in ("organization", "newsmediaorganization") for t in types):
                continue  # the outlet credited as author is not a person
            name = item.get("name")
            if isinstance(name, list):
                names.extend(str(n) for n in name if n)
            elif name:
                names.append(str(name))
            elif item.get("givenName") or item.get("familyName"):
                names.append(f"{item.get('givenName', '')} {item.get('familyName', '')}")
    return names


def _byline_elements(tree: HtmlElement) -> list[str]:
    values = []
    for element in tree.xpath('//a[@rel="author"] | //*[contains(@class, "author-name") or contains(@class, "byline__name")]'):
        if not is_noise(element):
            values.append(clean(element.text_content()))
    if not values:
        for element in tree.xpath('//*[contains(@class, "byline")]')[:2]:
            if not is_noise(element):
                values.append(clean(element.text_content()))
    return [v for v in values if v and len(v) < 120]


_BYLINE_TEXT = re.compile(r"^(?:by|von|par|por|door|di|av|af|written by|text)\s+\w", re.IGNORECASE)
_BYLINE_SCAN = 40  # elements after the headline searched for a "By ..." line
_BYLINE_MAX_WORDS = 12


def _byline_after(heading: HtmlElement | None) -> list[str]:
    """A short "By Jane Doe" / "Von ..." / "Par ..." line right after the headline."""
    if heading is None:
        return []
    for count, element in enumerate(_following(heading)):
        if count >= _BYLINE_SCAN:
            break
        text = clean(element.text)
        if text and _BYLINE_TEXT.match(text) and len(text.split()) <= _BYLINE_MAX_WORDS and not is_noise(element):
            return [text]
    return []


def _following(element: HtmlElement) -> Iterable[HtmlElement]:
    node: HtmlElement | None = element
    while node is not None and node.tag != "body":
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield sibling
                yield from (d for d in sibling.iterdescendants() if isinstance(d.tag, str))
        node = node.getparent()


def find_authors(tree: HtmlElement, data: Structured, url: str, site: str | None,
                 heading: HtmlElement | None = None) -> list[str]:
    """Authors from the most trusted source that names any person."""
    sources: list[list[str]] = [
        _jsonld_names(data.article_value("author", "creator")),
        data.all("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                 "byl", "citation_author"),
        itemprop_values(tree, "author"),
        _byline_elements(tree),
        _byline_after(heading),
    ]
    for raw in sources:
        names = clean_authors(raw, site_name=site, url=url)
        if names:
            return names
    return []
