"""`extract_article`: one HTML page in, an `ArticleRecord` or a `NotAnArticle` out.

The page is decoded and parsed once; every stage (structured data, headline,
dates, authors, language, body) reads the same lxml tree. Stages that find the
page is not an article raise `Discard`; it is caught once here, logged at debug
level and returned as `NotAnArticle(reason, detail)`, so bad input never raises.
Between stages the page's CPU budget is checked (`budget`): a page over it is
``NotAnArticle("timeout")``. Any other exception is a bug met on this page: it is
logged at WARNING with its traceback (once per exception type and place, then at
debug level) and returned as ``NotAnArticle("error")``, so one page never stops
the caller. Reads no settings: behaviour is controlled by the `ExtractionOptions` passed in.
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from .authors import find_authors
from .body import extract_body
from .budget import Budget
from .classify import check_error_page, check_index_page, doubtful_confidence
from .authors import clean_authors
from .dates import DateResult, find_dates, parse_date, plausible, precision_of
from .document import decode_html, parse_html
from .domains import same_site
from .errors import EMPTY, ERROR, NO_HEADLINE, TOO_SHORT, Discard
from .headline import Headline, find_headline, site_name
from .language import find_language
from .liveblog import restore_live_blog
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
_MAX_DETAIL = 200
_reported: set[tuple[str, str, int]] = set()  # (exception type, file, line) already logged with a traceback


def extract_article(
    html: str | bytes,
    url: str,
    *,
    fetched_at: datetime | None = None,
    options: ExtractionOptions | None = None,
    content_type: str | None = None,
) -> ExtractionResult:
    """Extract one article from `html` fetched from `url`; never raises.

    `fetched_at` anchors relative dates ("2 hours ago") and the future-date check
    (default: now, UTC; a naive value is taken as UTC). `content_type` is the HTTP
    Content-Type header of page bytes, whose charset is tried first (`decode_page`).
    """
    try:
        options = options or _DEFAULT_OPTIONS
        budget = Budget(options.time_budget)
        if fetched_at is None:
            fetched_at = datetime.now(UTC)
        elif fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=UTC)
        return _extract(html, url, fetched_at, options, content_type, budget)
    except Discard as exc:
        logger.debug("not an article (%s: %s): %s", exc.reason, exc.detail, url)
        return NotAnArticle(exc.reason, exc.detail)
    except Exception as exc:  # noqa: BLE001 - the promise: one page never stops the caller
        _report(exc, url)
        return NotAnArticle(ERROR, f"{type(exc).__name__}: {exc}"[:_MAX_DETAIL])


def _report(exc: Exception, url: str) -> None:
    """Log a bug met on a page: with its traceback the first time it happens at that place."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ is not None else None
    key = (type(exc).__qualname__, frame.filename, frame.lineno or 0) if frame else (type(exc).__qualname__, "", 0)
    if key in _reported:
        logger.debug("extraction failed on %s: %r", url, exc)
        return
    _reported.add(key)
    logger.warning("extraction failed on %s: %r (logged once per place; later ones at debug level)",
                   url, exc, exc_info=exc)


# Pages longer than this skip trafilatura's fallback extractors: jusText's cost grows faster than
# the page (a 3.4 MB fuzz page took 7.6 of its 9.3 s there); the largest corpus page is 1.6 MB.
FALLBACK_MAX_CHARS = 2_000_000


def _extract(html: str | bytes, url: str, fetched_at: datetime, options: ExtractionOptions,
             content_type: str | None, budget: Budget) -> ArticleRecord:
    if html is None or (isinstance(html, (str, bytes)) and not html.strip()):
        raise Discard(EMPTY, "no content")
    text = decode_html(html, content_type)
    budget.check("parsing")
    tree = parse_html(text)
    budget.check("structured data")
    data = read_structured(tree)
    budget.check("classification")
    check_error_page(tree, data)

    rule = options.overrides.rule_for(url, fetched_at) if options.overrides is not None else None
    budget.check("headline")
    site = site_name(data)
    headline = _override_headline(rule, tree, data) or find_headline(tree, data, url, site)
    if headline is None or not headline.text:
        raise Discard(NO_HEADLINE, "no <title>, <h1> or metadata headline")
    language = find_language(tree, data, options.language_hint)
    budget.check("body")
    body = _override_body(rule, tree, data) or extract_body(
        tree, data, url, headline.text, fast=not options.use_trafilatura_fallback or len(text) > FALLBACK_MAX_CHARS,
        tables=options.include_tables,
        headline_element=headline.element, title_keys=headline.variants)
    if rule is None:
        body = restore_live_blog(tree, data, body)
    words = count_words(body)
    confidence = 1.0
    if options.detect_index_pages and rule is None:
        try:
            check_index_page(tree, data, body)
        except Discard as exc:  # kept, flagged, when the page still looks like an article
            confidence = _doubt(exc, words, data, url, confidence)
    if words < options.min_words:
        confidence = _doubt(Discard(TOO_SHORT, f"{words} words < {options.min_words}"), words, data, url, confidence)

    budget.check("dates")
    dates = find_dates(tree, data, url, headline.element, language=language,
                       fetched_at=fetched_at, max_future_days=options.max_future_days)
    published = _override_published(rule, tree, data, language, fetched_at, options.max_future_days)
    if published is not None:
        dates = DateResult(published, dates.modified_at, "override", precision_of(published))
    budget.check("authors")
    authors = _override_authors(rule, tree, data, site, url)
    if authors is None:
        authors = find_authors(tree, data, url, site, headline.element)
    budget.check("links")
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
        is_article_confidence=confidence,
    )


def _doubt(exc: Discard, words: int, data: Structured, url: str, confidence: float) -> float:
    """The confidence left after a failed check, or `exc` raised when the page shows no article evidence."""
    kept = doubtful_confidence(exc.reason, words, data, url)
    if kept is None:
        raise exc
    return min(confidence, kept)


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
