"""`extract_article`: one HTML page in, an `ArticleRecord` or a `NotAnArticle` out.

The page is decoded and parsed once; every stage (structured data, headline,
dates, authors, language, body) reads the same lxml tree. Stages that find the
page is not an article raise `Discard`; it is caught once here, logged at debug
level and returned as `NotAnArticle(reason, detail)`, so bad input never raises.
Reads no settings: behaviour is controlled by the `ExtractionOptions` passed in.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from .authors import find_authors
from .body import extract_body
from .classify import check_error_page, check_index_page
from .authors import clean_authors
from .dates import DateResult, find_dates, parse_date, plausible, precision_of
from .document import decode_html, parse_html
from .domains import same_site
from .errors import EMPTY, NO_HEADLINE, TOO_SHORT, Discard
from .headline import Headline, find_headline, site_name
from .language import find_language
from .options import ExtractionOptions
from .overrides import FieldMatch, SiteRule, apply_rule
from .record import ArticleRecord, ExtractionResult, NotAnArticle
from .structured import Structured, as_list, as_text, read_structured
from .text import clean, count_words, is_noise
from .urls import canonicalize_url

logger = logging.getLogger(__name__)

__all__ = ["extract_article"]

_DEFAULT_OPTIONS = ExtractionOptions()
_SOURCE_ANCHOR = re.compile(
    r"^(source link|source|original source|original article|originally published( (at|on|by|in))?.*|"
    r"read the original( article)?|via|quelle|fuente|fonte|source originale|artículo original)\W*$",
    re.IGNORECASE,
)
_SOURCE_LEAD = re.compile(
    r"(originally published (at|on|by|in)|first published (at|on|by|in)|source|quelle|fuente|fonte|via)\s*:?\s*$",
    re.IGNORECASE,
)
_MAX_TAGS = 30


def extract_article(
    html: str | bytes,
    url: str,
    *,
    fetched_at: datetime | None = None,
    options: ExtractionOptions | None = None,
) -> ExtractionResult:
    """Extract one article from `html` fetched from `url`; never raises on bad input.

    `fetched_at` anchors relative dates ("2 hours ago") and the future-date check
    (default: now, UTC; a naive value is taken as UTC).
    """
    options = options or _DEFAULT_OPTIONS
    if fetched_at is None:
        fetched_at = datetime.now(UTC)
    elif fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    try:
        return _extract(html, url, fetched_at, options)
    except Discard as exc:
        logger.debug("not an article (%s: %s): %s", exc.reason, exc.detail, url)
        return NotAnArticle(exc.reason, exc.detail)


def _extract(html: str | bytes, url: str, fetched_at: datetime, options: ExtractionOptions) -> ArticleRecord:
    if html is None or (isinstance(html, (str, bytes)) and not html.strip()):
        raise Discard(EMPTY, "no content")
    tree = parse_html(decode_html(html))
    data = read_structured(tree)
    check_error_page(tree, data)

    rule = options.overrides.rule_for(url, fetched_at) if options.overrides is not None else None
    site = site_name(data)
    headline = _override_headline(rule, tree, data) or find_headline(tree, data, url, site)
    if headline is None or not headline.text:
        raise Discard(NO_HEADLINE, "no <title>, <h1> or metadata headline")
    language = find_language(tree, data, options.language_hint)
    body = _override_body(rule, tree, data) or extract_body(
        tree, data, url, headline.text, fast=not options.use_trafilatura_fallback, tables=options.include_tables,
        headline_element=headline.element, title_keys=headline.variants)
    if options.detect_index_pages and rule is None:
        check_index_page(tree, data, body)
    words = count_words(body)
    if words < options.min_words:
        raise Discard(TOO_SHORT, f"{words} words < {options.min_words}")

    dates = find_dates(tree, data, url, headline.element, language=language,
                       fetched_at=fetched_at, max_future_days=options.max_future_days)
    published = _override_published(rule, tree, data, language, fetched_at, options.max_future_days)
    if published is not None:
        dates = DateResult(published, dates.modified_at, "override", precision_of(published))
    authors = _override_authors(rule, tree, data, site, url)
    if authors is None:
        authors = find_authors(tree, data, url, site, headline.element)
    canonical, syndicated = _canonical_and_syndication(tree, data, url)
    return ArticleRecord(
        url=url,
        canonical_url=canonical,
        headline=headline.text,
        body=body,
        published_at=dates.published_at,
        modified_at=dates.modified_at,
        date_source=dates.source,  # type: ignore[arg-type]
        published_precision=dates.precision,  # type: ignore[arg-type]
        authors=authors,
        description=_description(data),
        language=language,
        site_name=site,
        section=_section(data),
        tags=_tags(data),
        image_url=_image(data, url),
        word_count=words,
        syndicated_from=syndicated,
    )


def _match(rule: SiteRule | None, name: str, tree: HtmlElement, data: Structured) -> FieldMatch | None:
    specs = getattr(rule, name) if rule is not None else ()
    if not specs:
        return None
    found = apply_rule(specs, tree, data)
    return found if found.values else None  # nothing matched: the generic extractor decides


def _override_headline(rule: SiteRule | None, tree: HtmlElement, data: Structured) -> Headline | None:
    found = _match(rule, "headline", tree, data)
    text = clean(found.values[0]) if found else ""
    return Headline(text, found.element) if found and text else None


def _override_body(rule: SiteRule | None, tree: HtmlElement, data: Structured) -> str:
    found = _match(rule, "body", tree, data)
    if not found:
        return ""
    lines = [clean(line) for value in found.values for line in value.splitlines()]
    return "\n".join(line for line in lines if line)


def _override_published(rule: SiteRule | None, tree: HtmlElement, data: Structured, language: str | None,
                        fetched_at: datetime, max_future_days: float) -> datetime | None:
    found = _match(rule, "published", tree, data)
    for raw in found.values if found else ():
        value = parse_date(raw, language)
        if value is not None and plausible(value, fetched_at, max_future_days):
            return value
    return None


def _override_authors(rule: SiteRule | None, tree: HtmlElement, data: Structured, site: str | None,
                      url: str) -> list[str] | None:
    found = _match(rule, "authors", tree, data)
    names = clean_authors(found.values, site_name=site, url=url) if found else []
    return names or None


def _absolute(href: str | None, base: str) -> str | None:
    if not href or not href.strip():
        return None
    try:
        absolute = urljoin(base, href.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def _canonical_and_syndication(tree: HtmlElement, data: Structured, url: str) -> tuple[str, str | None]:
    """The page's canonical URL (same site only) and where it says it was copied from."""
    canonical = canonicalize_url(url)
    syndicated: str | None = None
    for candidate in (data.canonical, data.first("og:url")):
        absolute = _absolute(candidate, url)
        if absolute is None:
            continue
        if same_site(absolute, url) or not urlsplit(url).hostname:
            # A canonical pointing at the home page is a CMS default, not this article.
            if urlsplit(absolute).path.strip("/") or not urlsplit(url).path.strip("/"):
                canonical = canonicalize_url(absolute)
                break
        elif candidate is data.canonical:
            syndicated = canonicalize_url(absolute)
    if syndicated is None:
        syndicated = _source_anchor(tree, url)
    return canonical, syndicated


def _source_anchor(tree: HtmlElement, url: str) -> str | None:
    """A "Source link" / "Originally published at" anchor to another site; the last one wins."""
    found = None
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("#", "/", "javascript:", "mailto:")):
            continue  # relative links stay on the site
        text = clean(anchor.text_content())
        previous = anchor.getprevious()
        if previous is not None:
            lead = clean(previous.tail)
        else:
            parent = anchor.getparent()
            lead = clean(parent.text) if parent is not None else ""
        if not (_SOURCE_ANCHOR.match(text) or _SOURCE_LEAD.search(lead)):
            continue
        absolute = _absolute(href, url)
        if absolute is not None and not same_site(absolute, url) and not is_noise(anchor):
            found = canonicalize_url(absolute)
    return found


def _description(data: Structured) -> str | None:
    value = data.first("og:description", "description", "twitter:description", "dc.description") \
        or as_text(data.article_value("description"))
    return clean(value) or None


def _section(data: Structured) -> str | None:
    value = data.first("article:section", "parsely-section", "section") or as_text(data.article_value("articleSection"))
    return clean(value) or None


def _tags(data: Structured) -> list[str]:
    raw: list[str] = data.all("article:tag")
    keywords = data.article_value("keywords")
    for item in as_list(keywords):
        if isinstance(item, str):
            raw.extend(item.split(",") if "," in item else [item])
    if not raw:
        for value in data.all("news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
            raw.extend(value.split(","))
    tags: list[str] = []
    seen: set[str] = set()
    for tag in raw:
        tag = clean(tag)
        if tag and tag.casefold() not in seen and len(tag) <= 80:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags[:_MAX_TAGS]


def _image(data: Structured, url: str) -> str | None:
    candidate = data.first("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    if not candidate:
        candidate = as_text(data.article_value("image", "thumbnailUrl"))
    return _absolute(candidate, url)
