"""Author names: read from JSON-LD, <meta>, microdata and byline elements, then cleaned.

`clean_authors` turns raw bylines into a list of names: it splits "A, B and C",
"A und B", "A & B" and "A/B", drops "By"/"Von"/"Par", job titles ("Staff Writer",
"Reporter", "Korrespondentin", "기자"), dates, e-mail addresses, URLs and generic
accounts ("admin", "editor", "redaktion" alone), and removes case and spacing
variants. Wire agencies ("dpa", "AFP", "Reuters") are names: they tell the reader
the copy is syndicated. `find_authors` asks the sources from the most trusted
down and returns the first that names anyone; *house credits* (the outlet itself,
"DER SPIEGEL", "ndr.de", its desks, "MND Staff", "Gear Team", and authors typed
as an Organization) never beat a person named by any source, but are returned
when no source names a person, because then the piece is credited to the outlet.
Reads no settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .structured import Structured, as_list, as_text
from .text import clean, is_noise, norm
from .domains import registrable_domain

__all__ = ["clean_authors", "find_authors"]

_SPLIT = re.compile(
    r"(?<!\s)\s*(?:,|;|\||\s&\s|/|／|·|•|、|，|\n"
    r"|(?<=[a-z]{4})\.\s+(?=[A-Z])"  # "Jane Doe. Sputnik International", not "Jane E. Doe"
    r"|(?i:\band\b|\bund\b|\bsowie\b|\bwith\b|\bmit\b|\bavec\b|\bcon\b)"
    r"|\s(?:et|y|e|i|og|och|en|ve)\s)\s*"
)
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|posted|story|text|photos?|analysis|commentary|opinion|interview|words|column|review|"
    r"edited|compiled)\s+by|by|von|par|por|di|de|door|av|af|текст|автор|yazar|"
    r"autor(?:in)?|author|auteur|texte|text|bericht|redacción|escrito\s+por)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
# Desks and collectives: "Gear Team", "MND Staff", "Newsroom" credit the outlet, not a person.
_DESK_WORDS = (
    r"staff|team|desk|bureau|newsroom|redaktion|editors|editorial|rédaction|redacción|redazione|"
    r"wires?(?:\s+services?)?"
)
_ROLE_WORDS = (
    r"senior|chief|deputy|managing|executive|contributing|associate|assistant|special|political|"
    r"business|technology|tech|science|health|sports?|foreign|national|local|white\s+house|washington|"
    r"europe|economics?|financial|investigative|digital|news|video|data|photo|freelance|"
    r"writer|reporter|correspondent|editor(?:ial)?|columnist|contributor|journalist|producer|"
    r"analyst|critic|photographer|redakteur(?:in)?|korrespondent(?:in)?|reporter(?:in)?|"
    r"journaliste|rédact(?:eur|rice)|envoyée?\s+spéciale?|periodista|redactor[a]?|"
    r"corresponsal|giornalista|autor(?:in)?|author|guest|published|updated|"
    r"기자|특파원|논설위원|선임기자|객원기자|記者|记者|特派員|特派员|編集委員|" + _DESK_WORDS
)
_ROLE_ONLY = re.compile(rf"^(?:(?:the|a|an|our|der|die|das|{_ROLE_WORDS}|and|&|of|for|at|in)\s*)+$", re.IGNORECASE)
_TRAILING_ROLE = re.compile(rf"(?<!\s)(?:\s*[-–—,|]\s*|\s+)((?:(?:{_ROLE_WORDS})\b\s*)+)(?:(?:at|for|of)\s+.*)?$",
                            re.IGNORECASE)
_DESK = re.compile(rf"\b(?:{_DESK_WORDS})\b", re.IGNORECASE)
# Both start at a fixed point (an opening bracket, the start of a token), so that every
# pattern here runs in linear time on page data however long its tokens (see tests).
_PARENS = re.compile(r"[(\[（][^()\[\]（）]*[)\]）]")
_EMAIL = re.compile(r"(?<!\S)[^\s@]+@\S+\.\w+")
_URL = re.compile(r"^(?:https?://|www\.)|\.(?:com|org|net|de|fr|co\.uk|es|it)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")  # names written without spaces
# What follows a name in a byline line: "Jane Doe 05.08.2024, 20:59 Uhr", "Jane Doe on Monday",
# "Jane Doe Monday, November 18", "Jane Doe Published 4:05 PM", "Jane Doe 3 Comments".
_TRAILING_DATE = re.compile(
    r"(?<!\s)\s+(?:\d{1,4}[./:-]\d{1,2}\b|on\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b,?\s+(?:\w+\s+)?\d|"
    r"(?:published|updated|posted|last\s+updated|veröffentlicht|aktualisiert|publié|mis\s+à\s+jour)\b|"
    r"\d+\s+(?:comments?|kommentare?|commentaires?|comentarios?)\b).*$"
    r"|(?<=[a-z])(?-i:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b.*$",  # "Jeff FoustMonday, Nov 18"
    re.IGNORECASE,
)
# Degrees and credentials after a name ("Jane Doe, MS, RD") are not names.
_CREDENTIAL = re.compile(
    r"^(?:Ph\.?\s?D\.?|M\.?[DSA]\.?|R\.?[DN]\.?|RDN|LDN?|MPH|MBA|MSc|BSc|CDE|CPT|J\.?D\.?|NP|DO|DDS|DVM|PharmD|"
    r"LCSW|CSCS|FACP|CNS|IBCLC|CDCES|Dipl\.?-\w+\.?)$"
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_STRIP = " .,:;-–—|*"
# Caps that bound the cleaning of one page: a byline longer than this is not a byline (a
# stuffed field of megabytes is skipped whole), and no source names more people than this.
_MAX_BYLINE_CHARS = 1000
_MAX_VALUES = 50
_GENERIC = frozenset(
    norm(x)
    for x in (
        "admin", "administrator", "editor", "editors", "staff", "redaktion", "rédaction", "redacción",
        "redazione", "newsroom", "web desk", "webdesk", "news desk", "desk", "team", "guest", "anonymous",
        "unknown", "user", "root", "webmaster", "wpengine", "agencies", "agency", "reuters staff",
        "editorial", "editorial staff", "editorial team",
        "staff reporter", "staff writer", "correspondent", "our correspondent", "news", "online",
        "contributor", "contributors", "press release", "sponsored", "author", "autor", "auteur",
        "by", "von", "par", "por", "door",  # a "By" label left on its own
    )
)
# Wire services: kept as authors wherever they appear (also lower-case "dpa", or typed as an
# Organization), because agency copy is what an analyst of coverage most needs to see.
_AGENCIES = frozenset(
    norm(x)
    for x in (
        "dpa", "afp", "ap", "reuters", "sda", "sid", "kna", "epd", "apa", "ansa", "efe", "upi", "aap", "ddp",
        "dts", "afx", "dpa-afx", "belga", "anp", "ntb", "ritzau", "ctk", "pap", "mti", "tass", "interfax",
        "xinhua", "kyodo", "jiji", "yonhap", "bernama", "pti", "ians", "ani", "lusa", "agi", "adnkronos",
        "keystone-sda", "ats", "europa press", "associated press", "agence france-presse", "pa media",
        "press association", "canadian press", "the canadian press", "anadolu", "ukrinform", "unian",
    )
)
# The last path segment of an author profile URL that marks a CMS account, not a byline.
_GENERIC_SLUGS = frozenset({"admin", "administrator", "editor", "webmaster", "wpengine", "redaktion", "staff"})


_MIN_KEY = 5  # outlet keys shorter than this are only compared whole


@dataclass(frozen=True, slots=True)
class Outlet:
    """What the page's own publisher is called: its name, initials and domain."""

    keys: frozenset[str]  # whole-name keys: site name, its initials, domain, domain label, publisher
    prefixes: frozenset[str]  # keys a desk credit may start with: "MDR THÜRINGEN", "NZZ-Redaktion"
    domain: str

    @classmethod
    def of(cls, site_name: str | None, url: str | None, data: Structured | None = None) -> Outlet:
        names = [site_name] if site_name else []
        if data is not None:
            for publisher in as_list(data.article_value("publisher")):
                if isinstance(publisher, dict):
                    names.append(as_text(publisher.get("name")))
        keys = {norm(n) for n in names if n} | {_initials(n) for n in names if n}
        domain = registrable_domain(url) if url else ""
        prefixes = {norm(n) for n in names if n}
        if domain:
            label = norm(domain.split(".")[0])
            keys.update({norm(domain), label})
            prefixes.add(label)
        return cls(frozenset(k for k in keys if k), frozenset(k for k in prefixes if len(k) >= 3), domain)

    def owns(self, name: str) -> bool:
        """Whether `name` credits this outlet or one of its desks rather than a person."""
        key = norm(name)
        if key in self.keys or (self.domain and self.domain in name.lower()):
            return True
        if any(len(k) >= _MIN_KEY and (key.startswith(k) or len(key) >= _MIN_KEY and key in k) for k in self.keys):
            return True  # "India Post News Weekly", "Detroit News" for "The Detroit News"
        words = name.split()
        if len(words) > 3:
            return False
        first = words[0]
        return norm(first) in self.prefixes or norm(first.split("-")[0]) in self.prefixes


@dataclass(slots=True)
class _Names:
    """Names found in one source: people and agencies, and house credits held back."""

    people: list[str]
    house: list[str]


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\W_]+", name) if w]
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def _pieces(raw: str) -> Iterable[str]:
    raw = _EMAIL.sub(" ", raw)
    raw = _PARENS.sub(" ", raw)
    for piece in _SPLIT.split(raw):
        yield piece


def _sort(raw_values: Iterable[str], outlet: Outlet, *, organisations: bool = False) -> _Names:
    """Split, clean and sort raw bylines into people (and agencies) and house credits."""
    found = _Names([], [])
    seen: set[str] = set()
    for raw in islice(raw_values, _MAX_VALUES):
        if len(raw) > _MAX_BYLINE_CHARS:
            continue
        raw = _TRAILING_DATE.sub("", clean(raw))
        if not raw or raw.startswith(("http://", "https://")):
            continue
        whole = _BY_PREFIX.sub("", raw).strip(_STRIP)
        if whole and (norm(whole) in outlet.keys or outlet.domain and outlet.domain in whole.lower()):
            # "Deutsche Welle (www.dw.com)", "Redaktion hessenschau.de": the outlet, credited whole.
            if norm(whole) not in seen:
                seen.add(norm(whole))
                found.house.append(whole)
            continue
        for piece in _pieces(raw):
            for part in _unglue(piece, outlet):
                kind, name = _classify(part, outlet, organisations)
                key = norm(name)
                if kind is None or not key or key in seen:
                    continue
                seen.add(key)
                (found.people if kind == "person" else found.house).append(name)
    return found


def _unglue(piece: str, outlet: Outlet) -> list[str]:
    """A name with an agency or the outlet glued on without a separator: "Tom Davies Associated
    Press" is two credits, "Kevin McCoy USA TODAY" is the person (the outlet is known)."""
    piece = _BY_PREFIX.sub("", _TRAILING_DATE.sub("", clean(piece))).strip(_STRIP)
    words = piece.split()
    for size in (3, 2, 1):
        if len(words) - size < 2:
            continue
        head, tail = " ".join(words[:-size]), " ".join(words[-size:])
        if norm(tail) in _AGENCIES and (size > 1 or tail.isupper()):
            return [head, tail]
        if norm(tail) in outlet.keys and (size > 1 or tail.isupper()):
            return [head]
    return [piece]


def _classify(piece: str, outlet: Outlet, organisation: bool) -> tuple[str | None, str]:
    """("person" | "house" | None, cleaned name) for one piece of a byline."""
    name = _BY_PREFIX.sub("", _TRAILING_DATE.sub("", clean(piece))).strip(_STRIP)
    key = norm(name)
    if key in _AGENCIES:
        return "person", name
    if _CREDENTIAL.match(name):
        return None, name
    match = _TRAILING_ROLE.search(name)
    if match:
        stripped = name[: match.start()].strip(_STRIP)
        if _DESK.search(match.group(1)) and (len(stripped.split()) == 1 or outlet.owns(stripped)):
            return "house", name  # "Gear Team", "MND Staff", "Detroit News wire services": a desk
        agency = next((w for w in stripped.split()[:1] if norm(w) in _AGENCIES and w.isupper()), None)
        if agency:
            return "person", agency  # "AP Auto Writer", "AP National Security Writer": the agency
        if len(stripped.split()) == 1 and not _CJK.search(stripped):
            return None, name  # "Auto Writer", "Sports Reporter": a title without a name
        name = _BY_PREFIX.sub("", stripped).strip(_STRIP)
        key = norm(name)
    if not key or key in _GENERIC:
        return None, name
    if key in _AGENCIES:
        return "person", name
    if outlet.owns(name) or organisation:
        return "house", name
    if _DIGIT.search(name) or _URL.search(name) or "@" in name:
        return None, name
    if _ROLE_ONLY.match(name) or not _LETTER.search(name):
        return None, name
    words = name.split()
    if len(words) > 5 or len(name) > 60:
        return None, name
    if name.islower():
        return None, name  # a login such as "jdoe", or words of a sentence, not a byline
    return "person", name


def clean_authors(raw_values: Iterable[str], *, site_name: str | None = None, url: str | None = None) -> list[str]:
    """Cleaned, de-duplicated names (people and wire agencies) from raw byline strings."""
    return _sort(raw_values, Outlet.of(site_name, url)).people


# --- sources -------------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    return {str(t).rsplit("/", 1)[-1].lower() for t in as_list(raw) if t}


def _generic_profile(node: dict[str, Any]) -> bool:
    """An author object whose profile URL is a CMS account (".../author/admin/")."""
    for key in ("url", "@id", "sameAs"):
        for value in as_list(node.get(key)):
            if isinstance(value, str) and value.strip():
                segment = urlsplit(value.strip()).path.rstrip("/").rsplit("/", 1)[-1].lower()
                if segment in _GENERIC_SLUGS:
                    return True
    return False


def _jsonld_authors(value: Any, data: Structured, *, references: bool = False,
                    depth: int = 0) -> tuple[list[str], list[str]]:
    """(person names, organisation names) of a JSON-LD `author` value.

    With `references`, only the authors given as a bare {"@id": ...} reference into the @graph
    (Yoast and similar), read from the node it points to; without, only those named in place.
    """
    people: list[str] = []
    organisations: list[str] = []
    if depth > 3:
        return people, organisations
    for item in as_list(value)[:_MAX_VALUES]:
        if isinstance(item, str):
            if not references:
                people.append(item)
        elif isinstance(item, list):  # a list nested in the list
            more_people, more_orgs = _jsonld_authors(item, data, references=references, depth=depth + 1)
            people.extend(more_people)
            organisations.extend(more_orgs)
        elif isinstance(item, dict):
            reference = not item.get("name") and item.get("@id") and not item.get("givenName")
            if bool(reference) != references:
                continue
            if reference:
                item = next((node for node in data.jsonld if node.get("@id") == item["@id"] and node is not item), item)
            if _generic_profile(item):
                continue
            name = item.get("name")
            names = [as_text(n) for n in name[:_MAX_VALUES]] if isinstance(name, list) else [as_text(name)]
            names = [n for n in names if n]
            if not names and (item.get("givenName") or item.get("familyName")):
                names = [f"{as_text(item.get('givenName')) or ''} {as_text(item.get('familyName')) or ''}"]
            types = _types(item)
            if "person" not in types and types & {"organization", "newsmediaorganization", "corporation"}:
                organisations.extend(names)  # the outlet or an agency credited as author
            else:
                people.extend(names)
    return people, organisations


def _elsewhere(element: HtmlElement) -> bool:
    """Whether the element belongs to something other than the article: noise, or an <aside> or
    <nav> anywhere above it, past any <article> (teaser cards of other stories carry bylines too)."""
    if is_noise(element):
        return True
    return any(a.tag in ("aside", "nav") for a in element.iterancestors())


def _text(element: HtmlElement) -> str:
    # Text nodes joined with a space: "<span>ERIC TUCKER</span><span>Associated Press</span>".
    return clean(" ".join(element.itertext()))


def _microdata_authors(tree: HtmlElement) -> list[str]:
    values = []
    for element in tree.xpath('//*[@itemprop="author"]')[:_MAX_VALUES]:
        if _elsewhere(element):
            continue
        value = element.get("content")
        if value is None:
            names = element.xpath('.//*[@itemprop="name"]')
            value = (names[0].get("content") or _text(names[0])) if names else _text(element)
        value = clean(value)
        if value:
            values.append(value)
    return values


_BYLINE_XPATH = '//a[@rel="author"] | //*[contains(@class, "author-name") or contains(@class, "byline__name")]'


def _byline_elements(tree: HtmlElement) -> list[str]:
    values = []
    for element in tree.xpath(_BYLINE_XPATH)[:_MAX_VALUES]:
        href = element.get("href") or ""
        slug = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1].lower() if href else ""
        if slug not in _GENERIC_SLUGS and not _elsewhere(element):
            values.append(_text(element))
    if not values:
        for element in tree.xpath('//*[contains(@class, "byline")]')[:2]:
            if not _elsewhere(element):
                values.append(_text(element))
    return [v for v in values if v and len(v) < 120]


_BYLINE_TEXT = re.compile(r"^(?:(?:by|von|par|por|door|di|av|af|written by)\s+|text:\s*)\w", re.IGNORECASE)
_BYLINE_SCAN = 40  # elements after the headline searched for a "By ..." line
_BYLINE_MAX_WORDS = 12
_BYLINE_MAX_CHARS = 120


def _byline_after(heading: HtmlElement | None) -> list[str]:
    """A short "By Jane Doe" / "Von ..." / "Par ..." line right after the headline.

    The line may be split over elements ("<span>von</span> <a>Jane Doe</a>"), so the text of
    each element is read whole, and only short texts are considered.
    """
    if heading is None:
        return []
    for count, element in enumerate(_following(heading)):
        if count >= _BYLINE_SCAN:
            break
        text = clean(element.text)
        if not _BYLINE_TEXT.match(text) and text.lower() in _BY_WORDS:
            text = _short_text(element)  # "<p>von <a>Jane Doe</a></p>", "<li><span>By</span> ..."
        if text and _BYLINE_TEXT.match(text) and len(text.split()) <= _BYLINE_MAX_WORDS and not _elsewhere(element):
            return [text]
    return []


_BY_WORDS = frozenset({"", "by", "von", "par", "por", "door", "di", "av", "af", "written by", "text"})


def _short_text(element: HtmlElement) -> str:
    """The element's whole text when it is short (bylines are), else ""."""
    pieces = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > _BYLINE_MAX_CHARS * 2:
            return ""
        pieces.append(piece)
    return clean(" ".join(pieces))  # "<p>Jane Doe</p><p>20.10.2025</p>": two words, not one


_LABELS = frozenset(
    norm(x)
    for x in (
        "author", "authors", "autor", "autorin", "autoren", "autorin/autor", "autor/in", "auteur", "auteurs",
        "autor/a", "autores", "written by",
    )
)
_LABEL_TAGS = ("strong", "b", "dt", "th", "label", "span", "em")


def _labelled_author(tree: HtmlElement) -> list[str]:
    """A labelled author field: "<strong>Autor</strong> Jane Doe", "<dt>Author</dt><dd>...</dd>"."""
    for element in tree.iter(*_LABEL_TAGS):
        label = clean(element.text).rstrip(":").strip()
        if not label or len(label) > 20 or norm(label) not in _LABELS:
            continue
        value = clean(element.tail).lstrip(":").strip()
        if not value:
            sibling = element.getnext()
            value = clean(sibling.text_content()) if sibling is not None else ""
        if value and len(value.split()) <= 8 and not _elsewhere(element):
            return [value]
    return []


def _following(element: HtmlElement) -> Iterable[HtmlElement]:
    node: HtmlElement | None = element
    while node is not None and node.tag != "body":
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield sibling
                yield from (d for d in sibling.iterdescendants() if isinstance(d.tag, str))
        node = node.getparent()


def _jsonld_source(authors: Any, data: Structured, outlet: Outlet, *, references: bool = False) -> _Names:
    people, organisations = _jsonld_authors(authors, data, references=references)
    found = _sort(people, outlet)
    found_orgs = _sort(organisations, outlet, organisations=True)
    return _Names(found.people + found_orgs.people, found.house + found_orgs.house)


def _sources(tree: HtmlElement, data: Structured, outlet: Outlet, heading: HtmlElement | None) -> Iterator[_Names]:
    """Names per source, most trusted first; later (DOM) sources are only read when asked for."""
    authors = data.article_value("author", "creator")
    yield _jsonld_source(authors, data, outlet)
    yield _sort(data.all("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                         "dcterms.creator", "byl", "citation_author"), outlet)
    # A reference names the CMS account that posted the piece, which may not be the byline:
    # the <meta> author is trusted first.
    yield _jsonld_source(authors, data, outlet, references=True)
    yield _sort(_microdata_authors(tree), outlet)
    yield _sort(_byline_elements(tree), outlet)
    yield _sort(_byline_after(heading), outlet)
    yield _sort(_labelled_author(tree), outlet)


def find_authors(tree: HtmlElement, data: Structured, url: str, site: str | None,
                 heading: HtmlElement | None = None) -> list[str]:
    """People (and agencies) from the most trusted source that names any; else the house credit."""
    outlet = Outlet.of(site, url, data)
    house: list[str] = []
    for found in _sources(tree, data, outlet, heading):
        if found.people:
            return found.people
        if not house:
            house = found.house
    return house
