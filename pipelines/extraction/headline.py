"""The headline: a weighted vote of <h1>, og:title, JSON-LD, twitter:title and <title>.

Titles usually carry the outlet ("Story | Site", "Story - Site", "Site: Story"),
and sites disagree about which field holds the headline as shown. Rather than
trusting one source, every source proposes its title with the site's name
removed (parts naming og:site_name, the publisher or the domain), and the
proposals vote: the visible <h1> and og:title weigh most, the JSON-LD headline
next, twitter:title and <title> least; the spelling with the most weight wins,
ties going to og:title, then the <h1>. An <h1> made of a kicker and the
headline votes for the metadata title it ends with, and an <h1> and a metadata
title with different kickers before one shared headline vote for that shared
part; a shortened ("…") title, or one cut at an unescaped quote, yields to a
source that has it whole. When the <h1> and the structured headline (JSON-LD,
a `headline` meta tag, microdata) agree, that text wins over social titles
(og:/twitter:) whatever the vote. A site that keeps its only <h1> in the
breadcrumb or the logo shows the headline in an <h2>: the first <h2> showing a
metadata title (its headline element, when it is built of a kicker and a
headline element) stands for the <h1>. A visible heading that matches no
metadata title (a live ticker's latest entry) says nothing about which title is
the article's: the structured headline agreeing with the document <title> then
wins. The metadata spelling is kept over the
<h1>'s when they differ only in punctuation (styled <h1> parts lose their
separators). Reads no settings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import islice

from lxml.html import HtmlElement

from .structured import Structured, as_text, itemprop_values
from .text import clean, is_noise, norm
from .domains import registrable_domain

__all__ = ["Headline", "find_headline", "strip_site_name", "site_name"]

# " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " / ", "｜", "ㅣ", "--" between title parts.
_SEPARATOR = re.compile(r"((?<!\s)(?:\s+(?:[|\-–—·•»/]{1,2}|::)\s+|\s*[|｜ㅣ]\s*|\s*--\s*))")
_PREFIX = re.compile(r"^([^:]{2,40}):\s+(.+)$")
_ELLIPSIS = ("...", "…")
_MIN_KEY = 15  # characters of a comparison key below which partial matches are not trusted
_MAX_TITLE_CHARS = 1000  # a metadata title is read this far: longer is stuffing, and splitting it costs

# Votes per source. The <h1> is what readers see and og:title what the publisher
# chose to share; the JSON-LD headline is often an SEO variant; <title> and
# twitter:title mostly repeat one of the others and so mainly break ties.
_WEIGHTS = {"og": 5, "h1": 4, "jsonld": 2, "twitter": 1, "meta": 1, "title": 1}
_CORE_WEIGHT = 0.25
_CORE_SHARE = 0.5
_PRIORITY = ("og", "h1", "jsonld", "twitter", "meta", "title")
_MAX_SUBHEADINGS = 20  # <h2>s read for the headline when no <h1> shows it: later ones are teasers
_MICRODATA_VALUES = 2  # itemprop="headline" values read: later ones describe other articles
# An attribute cut at an unescaped quote (content="Why "X" matters" reads as "Why ") stops
# where the full title goes on with a quotation mark.
_QUOTES = "\"'“”„‟«»‘’‚‹›「」『』"


@dataclass(slots=True)
class Headline:
    text: str
    element: HtmlElement | None  # the <h1>/<h2> carrying it, when one was found
    variants: frozenset[str] = frozenset()  # comparison keys of every title the sources proposed


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
    # "Site: Story", but not "Story about the Site: more story": the prefix must be the name.
    if match and (norm(match.group(1)) in keys or norm(match.group(1)) == label):
        result = match.group(2)
    return clean(result)


def _unescape(text: str) -> str:
    """Undo a second round of HTML escaping ("&amp;quot;" in the source)."""
    return html.unescape(text) if "&" in text and ";" in text else text


def _headings(tree: HtmlElement) -> list[HtmlElement]:
    return [h for h in tree.iter("h1") if clean(h.text_content()) and not is_noise(h)]


@dataclass(slots=True)
class _Proposal:
    source: str
    text: str  # the spelling proposed
    key: str  # its comparison key


def _metadata(tree: HtmlElement, data: Structured, url: str, site: str | None) -> list[_Proposal]:
    raw = [
        ("jsonld", as_text(data.article_value("headline"))),
        ("og", data.first("og:title")),
        ("twitter", data.first("twitter:title")),
        ("meta", data.first("headline", "title", "dc.title", "parsely-title", "sailthru.title")),
    ]
    title_el = tree.find(".//title")
    if title_el is not None:
        raw.append(("title", title_el.text_content()))
    proposals = []
    for source, value in raw:
        text = strip_site_name(_unescape(clean(value[:_MAX_TITLE_CHARS])), site, url) if value else ""
        if text and norm(text):
            proposals.append(_Proposal(source, text, norm(text)))
    return proposals


def _heading_proposal(tree: HtmlElement, headings: list[HtmlElement], meta: list[_Proposal], site: str | None,
                      url: str) -> tuple[_Proposal | None, HtmlElement | None]:
    """The <h1> that shows the headline (or the <h2> standing for it), and what it proposes."""
    keys, label = _site_keys(site, url)
    candidates = [h for h in headings if not _is_site(clean(h.text_content()), keys, label)]
    by_key = {p.key: p for p in reversed(meta)}  # first source's spelling wins
    for heading in candidates:  # an <h1> equal to a metadata title (its spelling kept)
        key = norm(heading.text_content())
        if key in by_key:
            return _Proposal("h1", by_key[key].text, key), heading
    for heading in candidates:  # kicker + headline: the metadata title it ends with
        key = norm(heading.text_content())
        for meta_key, proposal in by_key.items():
            if len(meta_key) >= _MIN_KEY and len(meta_key) >= 0.5 * len(key) and key.endswith(meta_key):
                return _Proposal("h1", proposal.text, meta_key), heading
    if candidates:
        heading = candidates[0]
        text = clean(heading.text_content())
        return _Proposal("h1", text, norm(text)), heading
    return _subheading_proposal(tree, by_key)


def _subheading_proposal(tree: HtmlElement,
                         by_key: dict[str, _Proposal]) -> tuple[_Proposal | None, HtmlElement | None]:
    """Without an article <h1> (the only one is in the breadcrumb or the logo), the first <h2>
    showing a metadata title is the visible headline: such sites style the headline as an <h2>.
    An <h2> made of a kicker element and a headline element shows the headline element's text:
    only that is compared (a metadata title joining both is not what the heading shows)."""
    for heading in islice(tree.iter("h2"), _MAX_SUBHEADINGS):
        key = _headline_part_key(heading)
        if len(key) >= _MIN_KEY and key in by_key and not is_noise(heading):
            return _Proposal("h1", by_key[key].text, key), heading
    return None, None


def _headline_part_key(heading: HtmlElement) -> str:
    """The comparison key of a heading's text, or of its last child element when the heading
    is built of separate elements (<span>kicker</span><span>headline</span>)."""
    parts = [child for child in heading if isinstance(child.tag, str) and norm(child.text_content())]
    return norm((parts[-1] if len(parts) >= 2 else heading).text_content())


def _microdata_keys(tree: HtmlElement, site: str | None, url: str) -> set[str]:
    """Comparison keys of the first `headline` itemprop values (a search of the whole tree: asked
    for only when the structured sources have not already confirmed the <h1>)."""
    return {norm(strip_site_name(v, site, url)) for v in itemprop_values(tree, "headline")[:_MICRODATA_VALUES]}


def find_headline(tree: HtmlElement, data: Structured, url: str, site: str | None) -> Headline | None:
    """Pick the headline and the element showing it (None when the page has no title at all)."""
    meta = _metadata(tree, data, url, site)
    headings = _headings(tree)
    heading_proposal, heading = _heading_proposal(tree, headings, meta, site, url)
    proposals = meta + ([heading_proposal] if heading_proposal is not None else [])
    if not proposals:
        return None
    variants = frozenset(p.key for p in proposals) | {norm(h.text_content()) for h in headings[:1]}
    # A shortened title ("Story that goes on…", or one cut at an unescaped quote in its
    # attribute) votes for the whole one it starts.
    for proposal in proposals:
        if len(proposal.key) >= _MIN_KEY:
            for other in proposals:
                if other.key != proposal.key and _is_truncation(proposal.text, other.text):
                    proposal.key, proposal.text = other.key, other.text
                    break
    # A title that is another source's title plus a short tail after a separator
    # ("Story | Sport", "Story - Local news", "Story-Politics") carries a section or
    # site affix that site-name stripping did not recognise: it votes for the bare title.
    # The <h1> and a metadata title with different kickers before one shared headline
    # ("Eskalation in Nahost - «Quote»" and "Angriff auf Israel: «Quote»"): each kicker is
    # one source's framing, the shared part is the headline both show.
    if heading_proposal is not None:
        shared = _shared_tail(heading_proposal.text, [p.text for p in proposals if p is not heading_proposal])
        if shared:
            for proposal in proposals:
                tail = _KICKER.match(proposal.text)
                if tail and norm(tail.group(2)) == norm(shared):
                    proposal.key, proposal.text = norm(shared), shared
    sections = _sections(data)
    for proposal in proposals:
        for other in proposals:
            if other.key != proposal.key and _is_affixed(proposal.text, other.text, sections):
                proposal.key, proposal.text = other.key, other.text
                break
    votes: dict[str, float] = {}
    for proposal in proposals:
        votes[proposal.key] = votes.get(proposal.key, 0) + _WEIGHTS[proposal.source]
    # A title that another source shows inside a longer one (with a kicker before it or a
    # section after it) gets part of that source's vote: the shared core is the headline.
    keys = set(votes)
    for key in keys:
        for proposal in proposals:
            if proposal.key != key and len(key) >= _MIN_KEY and key in proposal.key \
                    and len(key) >= _CORE_SHARE * len(proposal.key):
                votes[key] += _CORE_WEIGHT * _WEIGHTS[proposal.source]
    rank = {source: i for i, source in enumerate(_PRIORITY)}
    winner = min(proposals, key=lambda p: (-votes[p.key], rank[p.source]))
    # The visible <h1> and the structured headline agreeing on one text are the article's
    # own headline: a social title (og:/twitter:) written for sharing does not outvote them.
    # (The "meta" source is structured only when it is the `headline` itemprop/meta itself.)
    # Microdata (itemprop="headline", first values only) counts too, though it does not vote.
    structured = {"jsonld", "meta"} if data.first("headline") else {"jsonld"}
    if heading_proposal is not None and (
            any(p.source in structured and p.key == heading_proposal.key for p in proposals)
            or heading_proposal.key in _microdata_keys(tree, site, url)):
        winner = heading_proposal
    elif heading_proposal is not None and not any(p.key == heading_proposal.key for p in meta):
        # The page shows a heading no metadata title matches (a live ticker's latest entry, a
        # rewritten display title): which title is the article's is not shown. The structured
        # headline and the document <title> agreeing name it; a social title is a sharing variant.
        declared = {p.key for p in proposals if p.source == "title"}
        winner = next((p for p in proposals if p.source in structured and p.key in declared), winner)
    text = winner.text
    if heading is not None and heading_proposal is not None and heading_proposal.key == winner.key:
        return Headline(text, heading, variants)
    return Headline(text, _element_for(tree, headings, winner.key), variants)


# A tail of one or two words after a spaced separator ("Story | Sport", "Story - Local news"),
# or after a bare hyphen or bar when the tail is the page's section ("Story-Politics").
_AFFIX = re.compile(r"^(\s*)[-–—|｜ㅣ:·/»]+(\s*)(\S+(?:\s+\S+)?)\s*$")
_AFFIX_CHARS = 20
_SECTION_META = ("article:section", "section", "parsely-section", "category", "content_category")


def _sections(data: Structured) -> set[str]:
    names = {norm(value) for value in data.all(*_SECTION_META)}
    names.add(norm(as_text(data.article_value("articleSection"))))
    names.discard("")
    return names


def _is_affixed(longer: str, shorter: str, sections: set[str] = frozenset()) -> bool:
    """Whether `longer` is `shorter` followed by a separator and a short affix of one or two words."""
    if len(norm(shorter)) < _MIN_KEY or not longer.startswith(shorter):
        return False
    match = _AFFIX.match(longer[len(shorter):])
    if not match or len(match.group(3)) > _AFFIX_CHARS:
        return False
    # Without spaces the separator may be a hyphen inside a word ("Berlin-Mitte").
    return bool(match.group(1) and match.group(2)) or norm(match.group(3)) in sections


_KICKER = re.compile(r"^(.{2,60}?)(?:\s+[-–—|]\s+|:\s+)(.+)$")


def _shared_tail(heading: str, others: list[str]) -> str | None:
    """The headline after the <h1>'s kicker when another title has it after a different kicker."""
    match = _KICKER.match(heading)
    if not match or len(norm(match.group(2))) < _MIN_KEY:
        return None
    kicker, tail = norm(match.group(1)), norm(match.group(2))
    for other in others:
        other_match = _KICKER.match(other)
        other_kicker = norm(other_match.group(1)) if other_match else ""
        # One kicker inside the other ("MSV-Interimstrainer X" and "Interimstrainer X") is one
        # kicker spelt two ways: the titles differ in it, not in their framing.
        if other_match and norm(other_match.group(2)) == tail and other_kicker not in kicker and kicker not in other_kicker:
            return clean(match.group(2))
    return None


def _is_truncation(short: str, full: str) -> bool:
    """Whether `short` is `full` cut off: ending in "…"/"...", or stopping where `full` goes on with a quote."""
    if short.endswith(_ELLIPSIS):
        return norm(full).startswith(norm(short)) and norm(full) != norm(short)
    if len(full) <= len(short) or not full.startswith(short):
        return False
    return full[len(short):].lstrip()[:1] in _QUOTES


def _element_for(tree: HtmlElement, headings: list[HtmlElement], key: str) -> HtmlElement | None:
    """The heading showing the chosen text (an <h2> when a site keeps <h1> for its logo)."""
    for heading in headings + [h for h in tree.iter("h2")][:20]:
        hk = norm(heading.text_content())
        if len(hk) >= _MIN_KEY and (hk in key or key in hk) and not is_noise(heading):
            return heading
    return headings[0] if headings else None
