"""The headline: agree <h1>, JSON-LD, OpenGraph and <title>, minus the site's name.

Titles usually carry the outlet ("Story | Site", "Story - Site", "Site: Story").
Rather than trusting one source we compare them: an <h1> that matches a metadata
title (or one of its separator-delimited parts) wins; otherwise the JSON-LD
headline, og:title and <title> are used in that order, with parts naming the
site (og:site_name, the publisher, the domain) removed. Reads no settings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from .structured import Structured, as_text
from .text import clean, is_noise, norm
from .urls import registrable_domain

__all__ = ["Headline", "find_headline", "strip_site_name", "site_name"]

# " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " / ", "｜", "--" between title parts.
_SEPARATOR = re.compile(r"(\s+(?:[|\-–—·•»/]{1,2}|::)\s+|\s*[|｜ㅣ]\s*|\s*--\s*)")
_PREFIX = re.compile(r"^([^:]{2,40}):\s+(.+)$")
_ELLIPSIS = ("...", "…")


@dataclass(slots=True)
class Headline:
    text: str
    element: HtmlElement | None  # the <h1>/<h2> carrying it, when one was found


def site_name(data: Structured) -> str | None:
    """og:site_name, else the JSON-LD publisher name, else application-name."""
    name = data.first("og:site_name", "application-name", "apple-mobile-web-app-title")
    if not name:
        publisher = data.article_value("publisher", "sourceOrganization")
        name = as_text(publisher)
    if not name:
        for node in data.jsonld:
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(str(t).lower() in ("website", "newsmediaorganization", "organization") for t in types):
                name = as_text(node.get("name"))
                if name:
                    break
    name = clean(name)
    return name if name and not name.startswith("http") else None


def _site_keys(site: str | None, url: str) -> tuple[set[str], str]:
    keys = {norm(site)} if site else set()
    domain = registrable_domain(url)
    label = domain.split(".")[0] if domain else ""
    keys.add(norm(domain))
    keys.discard("")
    return keys, norm(label)


def _is_site(part: str, keys: set[str], label: str) -> bool:
    key = norm(part)
    if not key:
        return True
    if key in keys:
        return True
    if len(part.split()) <= 5:
        if len(label) >= 3 and label in key:
            return True
        if any(len(k) >= 4 and (k in key or key in k) for k in keys) and len(key) <= 40:
            return True
    return False


def strip_site_name(title: str, site: str | None, url: str) -> str:
    """Remove leading/trailing title parts that name the site."""
    title = clean(title)
    if not title:
        return title
    keys, label = _site_keys(site, url)
    pieces = _SEPARATOR.split(title)
    parts, seps = pieces[0::2], pieces[1::2]
    # Drop site parts from the end, then from the start, never the last remaining part.
    while len(parts) > 1 and _is_site(parts[-1], keys, label):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and _is_site(parts[0], keys, label):
        parts.pop(0)
        seps.pop(0)
    result = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=False))
    match = _PREFIX.match(result)
    if match and _is_site(match.group(1), keys, label):
        result = match.group(2)
    return clean(result)


def _unescape(text: str) -> str:
    """Undo a second round of HTML escaping ("&amp;quot;" in the source)."""
    return html.unescape(text) if "&" in text and ";" in text else text


def _segments(title: str) -> list[str]:
    pieces = _SEPARATOR.split(clean(title))
    return [p for p in pieces[0::2] if p.strip()]


def _headings(tree: HtmlElement) -> list[HtmlElement]:
    return [h for h in tree.iter("h1") if clean(h.text_content())]


def find_headline(tree: HtmlElement, data: Structured, url: str, site: str | None) -> Headline | None:
    """Pick the headline and the element showing it (None when the page has no title at all)."""
    meta_titles = [
        as_text(data.article_value("headline")),
        data.first("og:title"),
        data.first("twitter:title"),
        as_text(data.article_value("name", "alternativeHeadline")),
        data.first("title", "dc.title", "parsely-title", "sailthru.title"),
    ]
    title_el = tree.find(".//title")
    if title_el is not None:
        meta_titles.append(title_el.text_content())
    meta_titles = [_unescape(clean(t)) for t in meta_titles if t and clean(t)]

    # Every spelling a metadata title offers: as is, without the site, each part. The
    # metadata spelling is kept: it has the separators that styled <h1> parts lose.
    keys: dict[str, str] = {}
    for title in meta_titles:
        stripped = strip_site_name(title, site, url)
        for spelling in (stripped, title, *(seg for seg in _segments(title) if len(seg.split()) >= 2)):
            keys.setdefault(norm(spelling), spelling)
    keys.pop("", None)

    headings = _headings(tree)
    for heading in headings:
        key = norm(heading.text_content())
        if key in keys and not is_noise(heading):
            return Headline(keys[key], heading)
    # An <h1> made of a kicker and the headline: the metadata title it ends with.
    for heading in headings:
        key = norm(heading.text_content())
        for meta_key, spelling in keys.items():
            if len(meta_key) >= 0.5 * len(key) and key.endswith(meta_key) and len(meta_key) >= 15:
                if not is_noise(heading):
                    return Headline(spelling, heading)
    # A heading that starts a (truncated) metadata title, or an h2 when sites use h1 for the logo.
    for heading in headings + [h for h in tree.iter("h2")][:20]:
        text = clean(heading.text_content())
        key = norm(text)
        if len(key) >= 15 and any(k.startswith(key) or key.startswith(k) for k in keys if len(k) >= 15):
            if not is_noise(heading):
                return Headline(text, heading)

    for title in meta_titles:
        stripped = strip_site_name(title, site, url)
        if stripped.endswith(_ELLIPSIS) and len(meta_titles) > 1:
            continue  # a shortened headline; a later source may carry it whole
        if stripped:
            return Headline(stripped, _element_for(headings, stripped))
    for heading in headings:
        if not is_noise(heading):
            return Headline(clean(heading.text_content()), heading)
    if meta_titles:
        return Headline(strip_site_name(meta_titles[0], site, url), None)
    return None


def _element_for(headings: list[HtmlElement], text: str) -> HtmlElement | None:
    key = norm(text)
    for heading in headings:
        hk = norm(heading.text_content())
        if hk and (hk in key or key in hk):
            return heading
    for heading in headings:
        if not is_noise(heading):
            return heading
    return None
