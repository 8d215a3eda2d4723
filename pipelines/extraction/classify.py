"""Page classification before body extraction: error pages and link-list (index) pages.

Both checks raise `Discard`. An error page names itself in its <title> or <h1>
("404", "Page not found", "Seite nicht gefunden", ...). An index page (home,
section, tag page) has many links and little running text, and carries none of
the signals an article page gives (og:type=article, a JSON-LD article, a
published-time meta tag). Reads no settings.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .errors import ERROR_PAGE, INDEX_PAGE, Discard
from .structured import Structured
from .text import clean, count_words, is_noise

__all__ = ["check_error_page", "check_index_page", "has_article_signals"]

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
