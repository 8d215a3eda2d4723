"""Section pages to article links and pagination links.

`parse_section(html, url, source, max_links=N)` reads a section (listing) page
and returns the links that look like articles, on the source's domains only
(unless it says `follow_offsite`), at most N of them, and the pagination links
to follow (`rel="next"`, `/page/N/`, `?page=N`). When the source has
allow/deny patterns they decide (`Source.url_allowed`); otherwise
`looks_like_article` does: a date in the path followed by a slug, a long
hyphenated slug (>= 3 words), a date plus a numeric id (`/2025/10/28/1859/`) or an
id-like number, and none of the usual non-article paths: tag, category, author, topic
and search pages in the major news languages (courlan's navigation filter plus
`_NON_ARTICLE`), legal pages, logins, feeds, media files. Links marked
`rel="nofollow"`, `"sponsored"` or `"ugc"` and links to another language's version
(`hreflang` other than the page's `<html lang>`, else the source's language) are not
followed; markup, quotes and whitespace left inside an `href` are cleaned (courlan's
`scrub_url`). Reads no settings; needs no Scrapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
from courlan import scrub_url
from courlan.filters import is_navigation_page

from crawler.discovery.entries import DiscoveredURL
from crawler.discovery.offsite import on_domains

if TYPE_CHECKING:
    from crawler.sources import Source

__all__ = ["SectionLinks", "is_pagination", "looks_like_article", "page_number", "parse_section"]

_MEDIA = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|docx?|xlsx?|pptx?|odt|zip|gz|tgz|rar|7z|"
    r"mp3|mp4|m4a|wav|ogg|webm|mov|avi|css|js|json|xml|rss|atom|txt|csv|woff2?|ttf|eot)$",
    re.IGNORECASE,
)
_NON_ARTICLE = re.compile(
    r"/(tags?|tagged|category|categories|topics?|authors?|writers?|contributors?|search|about(-us)?|contact(-us)?|"
    # The same listings in the major news languages (de, fr, es, it, pt, nl, nordic).
    r"thema|themen|schlagworte?|stichworte?|kategorien?|autoren|suche|rubriques?|sujets?|mots?-cles?|auteurs?|"
    r"recherche|etiquetas?|categorias?|categorie|temas?|autor(es)?|autore|autori|buscar|busqueda|argomenti|"
    r"argomento|cerca|ricerca|pesquisa|assuntos?|trefwoord|onderwerp|zoeken|emne|sok|haku|"
    r"privacy(-policy)?|terms(-of-(use|service))?|cookies?(-policy)?|imprint|impressum|login|log-in|signin|sign-in|"
    r"logout|signup|sign-up|register|subscribe|subscriptions?|account|my-account|newsletters?|feeds?|rss|"
    r"wp-login\.php|wp-admin|wp-json|comments|cart|shop|advertise|careers|jobs)(/|$)",
    re.IGNORECASE,
)
_PAGE_PATH = re.compile(r"/page/(\d+)/?$", re.IGNORECASE)
# Links the site does not vouch for: advertising, user content, "do not follow".
_NOT_FOLLOWED_REL = frozenset({"nofollow", "sponsored", "ugc"})
# /2025/10/28/slug, /2025/10/slug, /2025-10-28/slug: a date followed by a segment that is
# not just digits (so the date archive /2025/10/28/ itself does not count).
_DATE_PATH = re.compile(
    r"/(?:19|20)\d{2}(?:/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?|-\d{2}-\d{2})/[^/]*[^\d/][^/]*"
)
# /2025/10/28/1859/: a full date and a numeric id (3+ digits) as the last segment.
_DATE_ID_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/\d{3,}/?$")
_ID_SEGMENT = re.compile(r"(?:^|[-_.])\d{5,}(?:$|[-_.])")
_ID_QUERY_KEYS = frozenset({"id", "p", "article", "articleid", "story", "storyid", "newsid", "aid"})
_PAGE_EXT = re.compile(r"\.(s?html?|php|aspx?|cms)$", re.IGNORECASE)


@dataclass(slots=True)
class SectionLinks:
    articles: list[DiscoveredURL] = field(default_factory=list)  # title: the link text
    pages: list[str] = field(default_factory=list)  # pagination links, in page order
    offsite: int = 0  # article-looking links off the source's domains, left out
    cut: int = 0  # article links beyond `max_links`, left out (a link repeated there counts each time)


def _http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _slug_words(segment: str) -> list[str]:
    segment = _PAGE_EXT.sub("", segment)
    return [w for w in re.split(r"[-_+]", segment) if w]


def looks_like_article(url: str) -> bool:
    """The URL-shape heuristic for article links, used when a source has no patterns."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    path = parts.path
    if not path.strip("/") and not parts.query:
        return False
    if _MEDIA.search(path) or _NON_ARTICLE.search(path) or _PAGE_PATH.search(path):
        return False
    if _DATE_PATH.search(path) or _DATE_ID_PATH.search(path):
        return True
    # After the date paths: courlan's separators are broad ("/2025/10/28/price-tag/" is an article).
    if is_navigation_page(path + "/"):
        return False
    segments = [s for s in path.split("/") if s]
    if segments:
        words = _slug_words(segments[-1])
        if len(words) >= 3 and sum(w.isalpha() for w in words) >= 2:
            return True
    if any(_ID_SEGMENT.search(s) or (s.isdigit() and len(s) >= 5) for s in segments):
        return True
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    return any(key in query and query[key].isdigit() for key in _ID_QUERY_KEYS)


def _section_base(url: str) -> tuple[str, str]:
    """(host, path) of a section with any /page/N suffix removed: what its pages share."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("/", parts.path) or "/"
    return parts.netloc.lower(), path.rstrip("/") or "/"


def page_number(url: str) -> int | None:
    """The page number a pagination URL points at (/page/3/, ?page=3, ?paged=3), if any."""
    parts = urlsplit(url)
    match = _PAGE_PATH.search(parts.path)
    if match:
        return int(match.group(1))
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("page", "paged") and value.isdigit():
            return int(value)
    return None


def is_pagination(url: str, section_url: str) -> bool:
    """Whether `url` is another page of the listing at `section_url`."""
    if page_number(url) is None:
        return False
    return _section_base(url) == _section_base(section_url)


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _article_ok(url: str, source: Source | None) -> bool:
    """Whether a link is article-shaped for `source` (its patterns, else the heuristic); hosts are checked apart."""
    if source is not None:
        decision = source.url_allowed(url)
        if decision is not None:
            return decision
    return looks_like_article(url)


def _document(html: str | bytes) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:
        # lxml refuses str input with an XML encoding declaration; bytes are fine.
        if not isinstance(html, str):
            return None
        try:
            return lxml.html.document_fromstring(html.encode("utf-8"))
        except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
            return None
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        return None


def _primary_language(tag: str | None) -> str | None:
    """"de" of "de-AT" (lower-case); None when there is none."""
    primary = (tag or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return primary or None


def _other_language(element: lxml.html.HtmlElement, language: str | None) -> bool:
    """Whether a link is marked (`hreflang`) as a version in another language than the page's."""
    hreflang = _primary_language(element.get("hreflang"))
    return hreflang is not None and language is not None and hreflang not in (language, "x")


def parse_section(html: str | bytes, url: str, source: Source | None = None, *, max_links: int = 0) -> SectionLinks:
    """Article and pagination links of a section page; an unparsable page gives none.

    With a `source`, article links off its domains are left out (counted in `offsite` when
    they look like articles) unless it says `follow_offsite`; pagination stays on its domains.
    `max_links` (0: no cap) bounds the article links taken; the page is still read to its end
    for pagination, and each further article link is only counted (`cut`), not kept.
    """
    result = SectionLinks()
    if not html or not html.strip():
        return result
    doc = _document(html)
    if doc is None:
        return result
    base = url
    base_href = doc.xpath("string(//base/@href)")
    if base_href:
        base = urljoin(url, base_href.strip())
    own = _without_fragment(url)
    language = _primary_language(doc.get("lang") or (source.language if source is not None else None))
    seen_articles: set[str] = set()
    seen_pages: set[str] = {own}
    next_links: list[str] = []
    numbered: list[tuple[int, str]] = []
    # Walked lazily (no list of every link): a page may hold 100,000 of them.
    for element in doc.iter("a", "link"):
        href = (element.get("href") or "").strip().strip("\"'").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        rel = (element.get("rel") or "").lower().split()
        if element.tag == "link" and "next" not in rel:
            continue
        if "next" not in rel and (_NOT_FOLLOWED_REL.intersection(rel) or _other_language(element, language)):
            continue
        link = _without_fragment(scrub_url(urljoin(base, href)))
        if not _http(link) or link == own:
            continue
        owned = source is None or source.owns(link)
        if "next" in rel or (owned and is_pagination(link, url)):
            if owned and link not in seen_pages:
                seen_pages.add(link)
                if "next" in rel:
                    next_links.append(link)
                else:
                    numbered.append((page_number(link) or 0, link))
            continue
        if link in seen_articles or not _article_ok(link, source):
            continue
        if not on_domains(source, link):
            result.offsite += 1
            continue
        if max_links and len(result.articles) >= max_links:
            result.cut += 1
            continue
        seen_articles.add(link)
        text = " ".join(element.text_content().split()) or None
        result.articles.append(DiscoveredURL(link, text, None))
    result.pages = next_links + [link for _, link in sorted(numbered)]
    return result
