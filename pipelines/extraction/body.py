"""The article body as plain text, one paragraph per line.

trafilatura reads the main text from the already-parsed tree (the caller's tree
stays intact for the other stages, but for the empty icons inside paragraphs' links,
removed first with their text kept: `_drop_empty_link_icons`), in its precision mode: that drops more
teasers, captions and widgets at the cost of a little recall. Its precision
passes run through `precision.precision_text`, the same text as `bare_extraction`
without a copy of the tree and page-wide prunes that find nothing. Its fallback extractors run only when its own pass is not
confidently an article (`_confident`). When precision mode comes back with a small share of the
text the page's paragraphs hold (it sometimes drops the whole article), it is
run again in its balanced mode and the longer text is kept; this costs a
second pass on only a few pages in a hundred. A paragraph dropped between two kept ones that
looks like them (same class and parent markup) is put back (`containers`); a line that is the text
of an element whose class names a caption is dropped, unless the page also prints it as a paragraph
outside any caption. When the page
also carries a JSON-LD ``articleBody``, the two are compared: the JSON-LD text
is taken when trafilatura found clearly less of the same article (paywalled or
script-rendered pages), otherwise trafilatura's paragraphing wins. When both
leave next to nothing, the article HTML of a script-rendered page is read from
its hydration state (`hydration.py`). Then the boilerplate line filters run, and
no-break or fixed-width spaces and blank runs become one ordinary space.
Reads no settings; the caller passes its options.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction

from .boilerplate import clean_body, drop_head_furniture
from .containers import complete_from_twins, restore_dropped_paragraphs
from .hydration import hydrated_body
from .lead import find_lead
from .precision import precision_text
from .structured import Structured, as_text
from .text import clean, count_words, norm, word_overlap

logger = logging.getLogger(__name__)

__all__ = ["extract_body"]

_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")  # [^<>]: each "<" starts one scan, not one to the end
# articleBody replaces the extracted text only when it is this many times longer: the
# extractor then clearly missed part of the article (paywall teaser, script-built page).
_JSONLD_FACTOR = 2.0
# Precision mode's text below this share of the words in the page's <p> elements: it
# probably lost the article, and the balanced mode is tried too.
_PRECISION_FLOOR = 0.45
# trafilatura's fallback extractors (readability, jusText) cost about a quarter of its time and
# replace its own text only when that text is short, much shorter than theirs or unclean. Its fast
# pass (no fallbacks) is kept when it has at least this many characters (4x trafilatura's
# MIN_EXTRACTED_SIZE) and this share of the page's <p> words; otherwise the full pass runs. On the
# 1,303 corpus pages 79 % keep the fast pass; 10 of those differ from the full pass, none on
# scrapinghub or fundus-dev (BENCHMARKS.md, "Extraction CPU").
_CONFIDENT_CHARS = 1000
_CONFIDENT_SHARE = 0.5
# Fewer words than this from the DOM and structured data: look for a script-rendered body.
_HYDRATION_FLOOR = 100


# An empty element inside a link of a paragraph, the link's words after it ('<a><span class="icon-extlink"></span>dehne
# der Beton sich aus</a>'): trafilatura's precision mode deletes the empty element and its tail with it, so
# the words vanish from the middle of the sentence. Such icons are dropped first, their tail kept (the
# page's text is unchanged). One XPath: an element's tail is the text node right after it.
_EMPTY_LINK_ICONS = XPath(
    "//p//a//*[self::span or self::i or self::svg or self::em or self::b or self::strong or self::small]"
    "[not(normalize-space())][following-sibling::node()[1][self::text()][normalize-space()]]"
)


def _drop_empty_link_icons(tree: HtmlElement) -> None:
    for icon in _EMPTY_LINK_ICONS(tree):
        if not any(True for _ in icon.iter("img", "picture", "video", "iframe")):
            icon.drop_tree()  # the tail joins the text before it


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool, tables: bool, precision: bool = True) -> str:
    try:
        if precision:  # the same text, without the copy and the page-wide prunes when they find nothing
            text = precision_text(tree, url, fast=fast, tables=tables)
            if text is not None:
                return text
        document = bare_extraction(
            tree, url=url, fast=fast, include_comments=False, include_tables=tables,
            include_images=False, include_links=False, with_metadata=False, favor_precision=precision,
        )
    except Exception:  # trafilatura is a dependency: its failures must not become ours
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return ""
    if document is None:
        return ""
    text = getattr(document, "text", None) or ""
    return text


_SOFT_HYPHEN = "\xad"


def _paragraphs(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """The page's <p> and <h2>-<h6> elements with their text, in document order: read once for the
    length checks and the gap filling. Soft hyphens (U+00AD) are dropped, as the main-text extractor
    drops them: "fórn\xadar\xadlamba" is one word, and a paragraph is found in the text by its opening."""
    return [(block, clean(block.text_content().replace(_SOFT_HYPHEN, ""))) for block in tree.iter("p", "h2", "h3", "h4", "h5", "h6")]


def _confident(text: str, words: int, paragraph_words: int) -> bool:
    """Whether trafilatura's own extractor found an article its fallbacks would not replace."""
    return len(text) >= _CONFIDENT_CHARS and words >= _CONFIDENT_SHARE * paragraph_words


def _main_text(tree: HtmlElement, url: str, paragraphs: list[tuple[HtmlElement, str]], *, fast: bool,
               tables: bool) -> str:
    paragraph_words = sum(count_words(text) for block, text in paragraphs if block.tag == "p")
    text = _trafilatura_text(tree, url, fast=True, tables=tables, precision=True)
    words = count_words(text)
    if not fast and not _confident(text, words, paragraph_words):
        text = _trafilatura_text(tree, url, fast=False, tables=tables, precision=True)
        words = count_words(text)
    if words < _PRECISION_FLOOR * paragraph_words:
        balanced = _trafilatura_text(tree, url, fast=fast, tables=tables, precision=False)
        if count_words(balanced) > words:
            return balanced
    return text


def _jsonld_body(data: Structured) -> str:
    raw = as_text(data.article_value("articleBody", "text"))
    if not raw:
        return ""
    if _TAG.search(raw):
        try:
            holder = fromstring(f"<div>{raw}</div>")
            for br in holder.iter("br"):
                br.tail = "\n" + (br.tail or "")
            paragraphs = [clean(p.text_content()) for p in holder.iter("p")]
            raw = "\n".join(p for p in paragraphs if p) or holder.text_content()
        except Exception:  # broken markup inside a JSON string
            raw = _TAG.sub(" ", raw)
    lines = [clean(line) for line in raw.splitlines()]
    return "\n".join(line for line in lines if line)


def _choose(extracted: str, structured: str) -> str:
    if not structured:
        return extracted
    if not extracted:
        return structured
    n_extracted, n_structured = count_words(extracted), count_words(structured)
    if n_structured > n_extracted * _JSONLD_FACTOR and word_overlap(extracted, structured) >= 0.6:
        return structured
    return extracted


_TITLE_ZONE = 3
_KICKER_CHARS = 60


_PARAGRAPH_WORDS = 20  # a line this long is body text, not part of a title block


def _after_paragraph(lines: list[str], index: int) -> bool:
    return any(count_words(line) >= _PARAGRAPH_WORDS for line in lines[:index])


def _is_kicked_title(line_key: str, key: str) -> bool:
    kicker = line_key[: len(line_key) - len(key)]
    # A dateline ("Beijing, April 24 - ...") carries digits; a kicker does not, unless it is only a
    # date run into the title ("27.01.2022Mineral oil report": digits alone once punctuation is gone).
    return line_key.endswith(key) and len(kicker) <= _KICKER_CHARS and (kicker.isdigit() or not any(c.isdigit() for c in kicker))


_LINK_SHARE = 0.8  # a list item whose text is mostly link text is a teaser or a source link
_LINK_ITEM_MAX_WORDS = 30


# A list whose every item is short and carries a link, and whose words are mostly link text, is a
# link list even when each item puts a kicker before its link ("<strong>Topic:</strong> <a>Headline</a>").
_LIST_LINK_SHARE = 0.5
_LIST_MIN_ITEMS = 2
_LINK_ROLL_SHARE = 0.3


def _link_items(tree: HtmlElement) -> tuple[set[str], set[str]]:
    """Comparison keys of list items that are links to elsewhere (related stories, link lists):
    the items that are links themselves, and the items of lists that are mostly links."""
    keys: set[str] = set()
    listed: set[str] = set()
    lists: dict[HtmlElement, list[tuple[str, int, int]]] = {}
    for item in tree.iter("li"):
        text = item.text_content()
        words = count_words(text)
        linked = sum(count_words(anchor.text_content()) for anchor in item.iter("a") if anchor.get("href"))
        parent = item.getparent()
        if parent is not None:
            lists.setdefault(parent, []).append((text, words, linked))
        if not words or words > _LINK_ITEM_MAX_WORDS:
            continue
        if linked >= _LINK_SHARE * words:
            keys.add(norm(text))
    for items in lists.values():
        if len(items) < _LIST_MIN_ITEMS or not all(0 < words <= _LINK_ITEM_MAX_WORDS and linked for _, words, linked in items):
            continue
        if sum(linked for _, _, linked in items) >= _LIST_LINK_SHARE * sum(words for _, words, _ in items):
            listed.update(norm(text) for text, _, _ in items)
    return keys, listed


_CARD_MAX_WORDS = 120
_CARD_MAX_PARAGRAPHS = 3
_LINKED_MAX_WORDS = 250


_CARD_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _links_within_site(card: HtmlElement, host: str) -> bool:
    """Whether a link of `card` leads to another page of the site (a relative path or the page's
    host); links within the page ("#top") and off the site do not."""
    for anchor in card.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            netloc = urlsplit(href).netloc.lower()
        except ValueError:
            continue
        if not netloc or netloc.removeprefix("www.") == host:
            return True
    return False


def _is_entry(card: HtmlElement, host: str) -> bool:
    """Whether a nested <article> is an entry of the story (a listicle's item: "1 Über die Baumwipfel
    schauen" with its paragraph, an address and a "Mehr Info" link off the site) rather than a teaser
    for another post: it has a heading, no heading of it is a link, and no link of it leads to
    another page of the site. A teaser links to the post it announces."""
    headings = list(card.iter(*_CARD_HEADINGS))
    if not headings or not host or _links_within_site(card, host):
        return False
    linked = {anchor for anchor in card.iter("a") if anchor.get("href")}
    return not any(heading.find(".//a[@href]") is not None or any(node in linked for node in heading.iterancestors())
                   for heading in headings)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower().removeprefix("www.")
    except ValueError:
        return ""


def _teaser_cards(tree: HtmlElement, host: str = "") -> set[str]:
    """Keys of the paragraphs of short, linked <article> cards nested in another <article>
    (teasers for other posts that broken or nested markup puts inside the story, not the story's
    own entries: `_is_entry`), and of paragraphs inside a link."""
    keys: set[str] = set()
    for card in tree.iter("article"):
        if not any(parent.tag == "article" for parent in card.iterancestors()):
            continue
        if card.find(".//a[@href]") is None or count_words(card.text_content()) > _CARD_MAX_WORDS or _is_entry(card, host):
            continue
        keys.update(norm(paragraph.text_content()) for paragraph in card.iter("p"))
    # Paragraphs wholly inside a link: the card for another story (a story's own text is
    # never one big link). Only small links, so that broken markup wrapping a page is not hit.
    linked: dict[HtmlElement, list[HtmlElement]] = {}
    for paragraph in tree.iter("p"):  # fewer <p> than <a>: walk up from the paragraphs
        anchor = next(paragraph.iterancestors("a"), None)
        if anchor is not None and anchor.get("href"):
            linked.setdefault(anchor, []).append(paragraph)
    for anchor, paragraphs in linked.items():
        if len(paragraphs) <= _CARD_MAX_PARAGRAPHS and count_words(anchor.text_content()) <= _LINKED_MAX_WORDS:
            keys.update(norm(paragraph.text_content()) for paragraph in paragraphs)
    keys.discard("")
    return keys


def _link_texts(tree: HtmlElement) -> set[str]:
    """Comparison keys of the page's link texts (asked for only after a "Read also" label)."""
    keys = {norm(anchor.text_content()) for anchor in tree.iter("a") if anchor.get("href")}
    keys.discard("")
    return keys


# Three or more lines in a row, each the whole text of a link and shaped like a headline, are
# a block of links to other stories (set as headings or paragraphs, not as a list).
_LINK_RUN = 3
_LINK_LINE_WORDS = (3, 25)


def _headline_like(line: str) -> bool:
    words = count_words(line)
    return _LINK_LINE_WORDS[0] <= words <= _LINK_LINE_WORDS[1] and "://" not in line and not line.endswith((".", ":"))


def _drop_link_runs(lines: list[str], tree: HtmlElement) -> list[str]:
    shaped = [_headline_like(line.removeprefix("- ")) for line in lines]
    if not any(all(shaped[i:i + _LINK_RUN]) for i in range(len(lines) - _LINK_RUN + 1)):
        return lines  # no candidate run: the page's links are not read
    links = _link_texts(tree)
    linked = [ok and norm(line.removeprefix("- ")) in links for ok, line in zip(shaped, lines)]
    drop: set[int] = set()
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and linked[end]:
            end += 1
        if end - start >= _LINK_RUN:
            drop.update(range(start, end))
        start = end + 1 if end == start else end
    return [line for i, line in enumerate(lines) if i not in drop] if drop else lines


def _without(lines: list[str], drop: Callable[[str], bool]) -> list[str]:
    """`lines` without those `drop` picks, unless they are a large share of the words: then
    the page is itself a list of links (a link roll: a blog post of links with notes) and keeps them."""
    dropped = [line for line in lines if drop(line)]
    if not dropped or count_words("\n".join(dropped)) >= _LINK_ROLL_SHARE * count_words("\n".join(lines)):
        return lines
    return [line for line in lines if not drop(line)]


def _drop_link_items(text: str, tree: HtmlElement, url: str = "") -> str:
    lines = _drop_link_runs(text.split("\n"), tree)
    teasers = _teaser_cards(tree, _host(url))
    if teasers:
        lines = [line for line in lines if norm(line) not in teasers]
    if not any(line.startswith("- ") for line in lines):
        return "\n".join(lines)
    keys, listed = _link_items(tree)
    lines = _without(lines, lambda line: line.startswith("- ") and norm(line[2:]) in keys)
    lines = _without(lines, lambda line: line.startswith("- ") and norm(line[2:]) in listed)
    return "\n".join(lines)


# An element whose class names a caption ("img__caption", "wp-caption-text", "imageCaption"): its text
# standing as a line of the body is an image caption the extractor took for a paragraph, unless the
# page also prints the same text as a paragraph outside any caption (a caption repeating the text).
# "aption": caption and Caption in one test; reading the class attributes is cheaper than every element's.
_CAPTIONS = XPath("//@class[contains(., 'aption')]/..")


def _in_caption(element: HtmlElement) -> bool:
    return any("caption" in (node.get("class") or "").lower() for node in (element, *element.iterancestors()))


def _drop_captions(text: str, tree: HtmlElement, paragraphs: list[tuple[HtmlElement, str]]) -> str:
    keys = {norm(element.text_content()) for element in _CAPTIONS(tree)}
    keys.discard("")
    if not keys:
        return text
    lines = text.split("\n")
    line_keys = [norm(line) for line in lines]
    # Only the keys of the body's lines can drop a line: the paragraphs are keyed only when one is a caption's.
    keys.intersection_update(line_keys)
    if not keys:
        return text
    keys -= {key for block, content in paragraphs if (key := norm(content)) in keys and not _in_caption(block)}
    return "\n".join(line for line, key in zip(lines, line_keys) if key not in keys) if keys else text


def _descriptions(data: Structured) -> list[str]:
    found: list[str] = []
    for value in (data.first("og:description"), data.first("description"), data.first("twitter:description"),
                  as_text(data.article_value("description"))):
        if value and value not in found:
            found.append(value)
    return found


def extract_body(tree: HtmlElement, data: Structured, url: str, headline: str | None, *,
                 fast: bool = False, tables: bool = True, headline_element: HtmlElement | None = None,
                 title_keys: Collection[str] = ()) -> str:
    """Plain-text body, boilerplate removed; the headline is not repeated as its first line.

    `title_keys` are the comparison keys of the page's other titles (og:title, the <h1>, ...):
    one of them heading the text is a title block, not body.
    """
    _drop_empty_link_icons(tree)
    paragraphs = _paragraphs(tree)
    main = _main_text(tree, url, paragraphs, fast=fast, tables=tables)
    extracted = complete_from_twins(tree, restore_dropped_paragraphs(paragraphs, main))
    text = _choose(extracted, _jsonld_body(data))
    if count_words(text) < _HYDRATION_FLOOR:
        # Next to nothing in the DOM: the page may build its article in the browser from
        # an HTML string in its hydration state.
        hydrated = hydrated_body(tree, headline)
        if count_words(hydrated) > _JSONLD_FACTOR * count_words(text):
            text = hydrated
    text = clean_body(_drop_link_items(text, tree, url), lambda: _link_texts(tree))
    text = _drop_captions(text, tree, paragraphs)
    if headline:
        # The headline repeated inside the text (a title block, a share box) is not body.
        key = norm(headline)
        lines = [line for line in text.split("\n") if norm(line) != key]
        lines = [line for i, line in enumerate(lines) if not (i < _TITLE_ZONE and norm(line) in title_keys)]
        # A kicker run into the headline ("Angebliche Dekolonisierung: Warum ...") heading the text;
        # after a paragraph the same line is a crosshead of the body.
        lines = [line for i, line in enumerate(lines)
                 if not (i < _TITLE_ZONE and len(key) >= 20 and _is_kicked_title(norm(line), key)
                         and not _after_paragraph(lines, i))]
        # The title lines gone, a byline or section label under them now heads the text.
        text = "\n".join(drop_head_furniture(lines))
    # No heading matched the headline (an <h1> whose class reads as page furniture, "banner__headline"):
    # the page's first <h1> still marks where the article's header is.
    anchor = headline_element if headline_element is not None else next(tree.iter("h1"), None)
    lead = find_lead(tree, _descriptions(data), text, anchor) if text else None
    return _normalize_spaces(_drop_link_notes(f"{lead}\n{text}" if lead else text))


# A screen-reader note that a link opens a new window ("Investoren(öffnet im neuen Fenster), zu denen"):
# text set visually hidden inside the link, which the main-text extractor reads as part of the sentence.
_LINK_NOTE = re.compile(
    r"\s?\((opens? in (a )?new (window|tab)|öffnet (sich )?(in einem|im) neuen (fenster|tab)|"
    r"s'ouvre dans (une )?nouvelle (fenêtre|fenetre|onglet)|se abre en (una )?nueva (ventana|pestaña)|"
    r"apre in una nuova (finestra|scheda)|opent in (een )?nieuw (venster|tabblad))\)",
    re.IGNORECASE,
)


def _drop_link_notes(text: str) -> str:
    return _LINK_NOTE.sub("", text) if "(" in text else text


# No-break and fixed-width spaces (U+00A0, U+2007, U+2009, U+200A, U+202F) and runs of blanks:
# typesetting, not text. Plain text gets one ordinary space, so a search for "35 heures" finds it.
_SPACES = re.compile(r"[ \t\xa0\u2007\u2009\u200a\u202f]{2,}|[\t\xa0\u2007\u2009\u200a\u202f]")


def _normalize_spaces(text: str) -> str:
    return _SPACES.sub(" ", text) if _SPACES.search(text) else text
