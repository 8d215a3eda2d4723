"""Page classification before body extraction: error pages and link-list (index) pages.

Both checks raise `Discard`. An error page names itself in its <title> or <h1>
("404", "Page not found", "Seite nicht gefunden", ...). An index page (home,
section, tag page) has many links and little running text, and carries none of
the signals an article page gives (og:type=article, a JSON-LD article, a
published-time meta tag).

Neither check is certain, and a lost article is worse than a flagged one: a page
that fails the index or length check but shows article evidence that a list page
does not have (a publication date in its metadata or its URL, a URL ending in a
sentence-like slug) is kept with `is_article_confidence` below 1 instead
(`doubtful_confidence`). Reads no settings.
"""

from __future__ import annotations

import re

from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .errors import ERROR_PAGE, INDEX_PAGE, TOO_SHORT, Discard
from .structured import Structured
from .text import clean, count_words, is_noise

__all__ = ["check_error_page", "check_index_page", "doubtful_confidence", "has_article_signals"]

_ERROR = re.compile(
    r"^\W*(?:error\s*|fehler\s*|erreur\s*)?(?:404|410)\b"
    r"|\b(?:page|seite|pagina|página|sidan|strona|sayfa|pagina)\b.{0,30}\b(?:not found|nicht gefunden|introuvable|"
    r"non trouvée|no encontrada|non trovata|niet gevonden|hittades inte|kunde inte hittas|nie znaleziono|bulunamadı|"
    r"n'existe pas|existiert nicht|no existe|doesn't exist|does not exist|could not be found|cannot be found)"
    r"|\b(?:not found|file not found|nicht gefunden|introuvable)\W*$"
    r"|ページが見つかりません|找不到(?:该)?页面|页面不存在|페이지를 찾을 수 없",
    re.IGNORECASE,
)
_ARTICLE_OG = re.compile(r"article|news|blog", re.IGNORECASE)
_NO_TEXT = frozenset({"script", "style", "noscript", "template"})
_MIN_LINKS = 30
_MIN_LINKS_WITHOUT_TEXT = 5  # with no running text at all, this many links make a link list
_PARAGRAPH_WORDS = 20  # a body line this long is running text, not a teaser or link
_MIN_RUNNING_WORDS = 60  # that many words in such lines make an article, however many links
_WORDS_PER_LINK = 2.5  # running-text words per content link below which a page is a link list


def has_article_signals(data: Structured) -> bool:
    og_type = data.first("og:type") or ""
    return bool(
        _ARTICLE_OG.search(og_type)
        or (data.article is not None and (data.article.get("datePublished") or data.article.get("articleBody")))
        or data.first("article:published_time", "parsely-pub-date", "sailthru.date")
    )


# Confidence of a page kept in doubt: a short post dated by its metadata or URL is
# likelier an article than a link-list-looking page that only has an article-like URL.
SHORT_CONFIDENCE = 0.6
SHORT_SLUG_CONFIDENCE = 0.4
INDEX_LIKE_CONFIDENCE = 0.3
EMPTY_DECLARED_CONFIDENCE = 0.2
_MIN_KEPT_WORDS = 10  # a body shorter than this is kept only when the page declares a dated article
_SLUG_WORDS = 4  # a last path segment of this many words is an article's slug, not a section's name
# A short undated page is kept (flagged) on a slug of this many words when it has at least
# _MIN_SLUG_KEPT_WORDS words: short posts and news items on article-like URLs ("/good-pay-is-not-enough").
_SHORT_SLUG_WORDS = 3
_MIN_SLUG_KEPT_WORDS = 20
_DATED_PATH = re.compile(r"/(?:19|20)\d\d(?:/|[-_]?(?:0[1-9]|1[0-2])(?:/|[-_]?[0-3]\d/))")
_SLUG_SPLIT = re.compile(r"[-_+]+")


def _slug_words(url: str) -> int:
    """How many words the URL's last path segment has ("why-the-port-closes.html": 4)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return 0
    last = re.sub(r"\.[a-z0-9]{2,5}$", "", segments[-1].lower())
    return sum(1 for word in _SLUG_SPLIT.split(last) if re.search(r"[^\W\d]", word))


def _is_dated_post_url(url: str) -> bool:
    """A date in the path followed by a slug (/2019/12/17/the-story/), not a date archive (/2019/12/)."""
    path = urlsplit(url).path
    match = _DATED_PATH.search(path)
    return bool(match) and _slug_words(url) >= 2 and bool(path[match.end():].strip("/"))


def _has_publication_date(data: Structured) -> bool:
    return bool(
        (data.article is not None and data.article.get("datePublished"))
        or data.first("article:published_time", "parsely-pub-date", "sailthru.date", "datepublished")
    )


def _declares_article(data: Structured) -> bool:
    """og:type=article and a JSON-LD article node with a headline and a publication date: the
    publisher's own statement that the page is one article (og:type alone is set on every page
    by many CMSs; a JSON-LD article node without both fields is often a site-wide template)."""
    node = data.article
    return bool(
        node is not None and node.get("headline") and node.get("datePublished")
        and (data.first("og:type") or "").strip().lower() == "article"
    )


def doubtful_confidence(reason: str, words: int, data: Structured, url: str) -> float | None:
    """How likely a page that failed `reason` (too_short/index_page) is an article anyway; None: drop it.

    A too-short body is kept when the page is dated (metadata or a dated URL): short news items and
    blog posts; with less confidence also when it is not quite a stub and its URL ends in a slug of
    a few words (section and service pages are named in one or two). A link-list-looking page is kept when its URL reads like an article's (a dated post
    URL or a slug of several words); the real home, section and tag pages have neither.
    """
    if words < _MIN_KEPT_WORDS:
        # No body in the HTML (rendered by a script, behind a paywall), but the page's own
        # structured data declares a dated article: kept, flagged, so it is not lost.
        return EMPTY_DECLARED_CONFIDENCE if _declares_article(data) else None
    if reason == TOO_SHORT and (_has_publication_date(data) or _is_dated_post_url(url)):
        return SHORT_CONFIDENCE
    if reason == TOO_SHORT and words >= _MIN_SLUG_KEPT_WORDS and _slug_words(url) >= _SHORT_SLUG_WORDS:
        return SHORT_SLUG_CONFIDENCE
    if reason == INDEX_PAGE and (_is_dated_post_url(url) or _slug_words(url) >= _SLUG_WORDS):
        return INDEX_LIKE_CONFIDENCE
    return None


def check_error_page(tree: HtmlElement, data: Structured) -> None:
    texts = [clean(el.text_content()) for el in tree.iter("title", "h1")]
    for text in texts:
        if text and len(text) < 150 and _ERROR.search(text):
            if data.article is not None and data.article.get("datePublished"):
                return  # an article about a missing page, not a missing page
            raise Discard(ERROR_PAGE, text[:80])


def check_index_page(tree: HtmlElement, data: Structured, body_text: str) -> None:
    """Raise `Discard` for link-list pages; `body_text` is the extracted body (lists have no paragraphs)."""
    if has_article_signals(data):
        return
    running = sum(n for n in map(count_words, body_text.split("\n")) if n >= _PARAGRAPH_WORDS)
    if running >= _MIN_RUNNING_WORDS:
        return
    body = tree.find("body")
    if body is None:
        return
    links = [a for a in body.iter("a") if a.get("href") and clean(a.text_content())]
    content_links = [a for a in links if not is_noise(a)]
    if running == 0 and len(content_links) >= _MIN_LINKS_WITHOUT_TEXT:
        # Not one line of running text: a short list of teasers (a small home or tag page).
        raise Discard(INDEX_PAGE, f"{len(content_links)} links and no paragraph of running text")
    if len(content_links) < _MIN_LINKS:
        return
    # Words outside links anywhere in the body: running text, whatever element holds it.
    link_words = sum(count_words(a.text_content()) for a in links)
    total_words = sum(
        count_words(el.tail or "") + (0 if el.tag in _NO_TEXT or not isinstance(el.tag, str) else count_words(el.text or ""))
        for el in body.iter()
    )
    running_words = max(total_words - link_words, 0)
    if running_words < len(content_links) * _WORDS_PER_LINK:
        raise Discard(INDEX_PAGE, f"{len(content_links)} links, {running_words} words outside links")
