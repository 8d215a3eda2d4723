"""Live blogs: every entry, in page order, each under its heading, after the summary.

A live blog is a page of dated entries ("11:04 Uhr: Drone strike in the Bekaa valley" and a few
paragraphs, repeated). The main-text extractor keeps the summary and most entry paragraphs but
drops what makes them readable: the entries' headings and times look like datelines or teaser
titles to it, and entries it judges too short or too far from the top get lost. This module finds
the entries and restores them in the extracted body (`restore_live_blog`):

- from schema.org: a `LiveBlogPosting` whose `liveBlogUpdate` lists entries with `headline` and
  `articleBody` (the publisher's own text, without the page's furniture);
- else from the page: at least `_MIN_ENTRIES` sibling blocks of one kind (`article`, `li`, `div`,
  `section` sharing tag and class) that each carry a heading and a time (a `<time>` element or a
  clock at the start of their text) and some running text; or, in a flat layout, at least
  `_MIN_ENTRIES` headings in one container whose text starts with a clock time ("11.04 Uhr: …"),
  each followed by its paragraphs.

The extracted text stays the base (its summary, lead and cleaning are kept): an entry whose first
paragraph is in it gets its heading line put right before that paragraph when missing; an entry
not in it is inserted after the entry before it (after the text, for the first), so the order is
the page's. A page without such entries is returned unchanged. Reads no settings.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field

from lxml.html import HtmlElement, fromstring

from .structured import Structured, as_list
from .text import clean, count_words, is_noise, norm

__all__ = ["LiveEntry", "live_blog_entries", "restore_live_blog"]

_MIN_ENTRIES = 3  # fewer dated blocks are a news item with a few sections, not a live blog
_MIN_JSONLD_ENTRIES = 2  # the publisher says it is a live blog: two entries are enough
_MIN_ENTRY_WORDS = 8  # an entry's running text at least this long (a teaser card has less)
_MAX_LINK_SHARE = 0.5  # entries whose text is mostly links are teaser lists, not a live blog
_MATCH_CHARS = 60  # a body line and an entry paragraph agree on this many leading characters
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("article", "li", "div", "section")
_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")
# A clock time opening an entry's heading or text: "11:04", "11.04 Uhr", "9:30 a.m.", "14h05".
_LEADING_CLOCK = re.compile(r"^\s*(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*(?:Uhr|h|[ap]\.?\s?m\.?))?(?=\W|$)",
                            re.IGNORECASE)
_CLOCK_ANYWHERE = re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3])[:.h][0-5]\d(?![\d])")


@dataclass(slots=True)
class LiveEntry:
    """One entry: the line that heads it (its time and heading) and its paragraphs."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    full: str = ""  # comparison key of all the entry's text on the page (page entries only)

    def __post_init__(self) -> None:
        # A line repeated back to back is one line shown twice (a card's title and its link).
        self.paragraphs = [p for i, p in enumerate(self.paragraphs) if i == 0 or p != self.paragraphs[i - 1]]
        if self.paragraphs and _repeats_text(self.heading, self.paragraphs[0]):
            self.heading = ""  # an entry without a heading of its own: its first words (and time) stand in


def _repeats_text(heading: str, paragraph: str) -> bool:
    """Whether the heading, after a leading time or label of up to three words, opens the paragraph."""
    words = heading.split()
    text = norm(paragraph)
    for skip in range(min(4, len(words))):
        tail = norm(" ".join(words[skip:]))
        if len(tail) >= 20 and text.startswith(tail):
            return True
    return False


def restore_live_blog(tree: HtmlElement, data: Structured, body: str) -> str:
    """`body` with the live blog's entries and their headings in page order; unchanged if no live blog."""
    entries = _jsonld_entries(data)
    found_on_page = not entries
    if found_on_page:
        entries = _block_entries(tree) or _flat_entries(tree)
    if not entries:
        return body  # most pages: the body's lines are not keyed
    lines = [line for line in body.split("\n") if line.strip()]
    keys = [norm(line) for line in lines]
    # Blocks found on the page are this article's entries only when the extractor kept most of
    # them as its text: repeated dated teaser cards elsewhere on the page must not get in.
    if found_on_page and sum(1 for entry in entries if _find(keys, entry.paragraphs) is not None) < max(2, len(entries) / 2):
        return body
    cursor = len(lines)  # where an entry missing from the text goes: after the one before it
    placed_any = False
    for entry in entries:
        heading_key = norm(entry.heading)
        at = _find(keys, entry.paragraphs)
        if at is None:
            block = ([entry.heading] if entry.heading else []) + entry.paragraphs
            if not placed_any:
                cursor = len(lines)
            lines[cursor:cursor] = block
            keys[cursor:cursor] = [norm(line) for line in block]
            cursor += len(block)
            placed_any = True
            continue
        if heading_key and not _heading_present(keys, at, heading_key):
            lines.insert(at, entry.heading)
            keys.insert(at, heading_key)
            at += 1
        cursor = _entry_end(keys, at, entry.paragraphs)
        placed_any = True
    if all(entry.full for entry in entries):
        lines = _summary_first(lines, entries)
    return "\n".join(lines)


def _summary_first(lines: list[str], entries: list[LiveEntry]) -> list[str]:
    """The lines in no entry that the extractor put among the entries (the summary, the intro) go
    before the first entry; lines after the last entry stay after it."""
    owned = [any(key in entry.full for entry in entries) if (key := norm(line)) else False for line in lines]
    if not any(owned):
        return lines
    last = max(i for i, flag in enumerate(owned) if flag)
    intro = [line for i, line in enumerate(lines[:last]) if not owned[i]]
    inside = [line for i, line in enumerate(lines[:last + 1]) if owned[i]]
    return intro + inside + lines[last + 1:]


def _find(keys: list[str], paragraphs: list[str]) -> int | None:
    """Index of the body line the entry's first findable paragraph starts with."""
    for paragraph in paragraphs[:3]:
        key = norm(paragraph)[:_MATCH_CHARS]
        if len(key) < 20:
            continue
        for i, line in enumerate(keys):
            if line[:_MATCH_CHARS] == key or (len(line) >= 20 and key.startswith(line[:_MATCH_CHARS])):
                return i
    return None


def _heading_present(keys: list[str], at: int, heading_key: str) -> bool:
    """Whether the heading (alone or after its time) is one of the two lines before `at`."""
    return any(keys[i] == heading_key or keys[i].endswith(heading_key) or heading_key.endswith(keys[i])
               for i in range(max(0, at - 2), at) if keys[i])


def _entry_end(keys: list[str], at: int, paragraphs: list[str]) -> int:
    """The index after the last body line that belongs to the entry starting at `at`."""
    wanted = {norm(p)[:_MATCH_CHARS] for p in paragraphs}
    end = at + 1
    for i in range(at + 1, min(len(keys), at + 1 + 2 * len(paragraphs))):
        if keys[i][:_MATCH_CHARS] in wanted:
            end = i + 1
    return end


def live_blog_entries(tree: HtmlElement, data: Structured) -> list[LiveEntry]:
    """The page's live-blog entries in page order (empty for any other page)."""
    return _jsonld_entries(data) or _block_entries(tree) or _flat_entries(tree)


# --- schema.org LiveBlogPosting ------------------------------------------------------------------

def _jsonld_entries(data: Structured) -> list[LiveEntry]:
    for node in data.jsonld:
        types = as_list(node.get("@type"))
        if not any(isinstance(t, str) and t.rsplit("/", 1)[-1].lower() == "liveblogposting" for t in types):
            continue
        entries = []
        for update in as_list(node.get("liveBlogUpdate")):
            if not isinstance(update, dict):
                continue
            paragraphs = _text_lines(update.get("articleBody") or update.get("text"))
            if count_words(" ".join(paragraphs)) < _MIN_ENTRY_WORDS:
                continue
            heading = _text_lines(update.get("headline") or update.get("name"))
            entries.append(LiveEntry(" ".join(heading), paragraphs))
        if len(entries) >= _MIN_JSONLD_ENTRIES:
            return entries
    return []


def _text_lines(value: object) -> list[str]:
    """A JSON-LD text (plain, entity-escaped or HTML) as clean lines."""
    if not isinstance(value, str) or not value.strip():
        return []
    raw = html.unescape(value)
    if _TAG.search(raw):
        try:
            holder = fromstring(f"<div>{raw}</div>")
            for br in holder.iter("br"):
                br.tail = "\n" + (br.tail or "")
            for block in holder.iter("p", "li", "h2", "h3", "h4", "div"):
                block.tail = "\n" + (block.tail or "")
            raw = holder.text_content()
        except Exception:  # broken markup inside a JSON string: its text without tags
            raw = _TAG.sub(" ", raw)
    return [line for line in (clean(part) for part in raw.split("\n")) if line]


# --- repeated entry blocks -----------------------------------------------------------------------

def _block_entries(tree: HtmlElement) -> list[LiveEntry]:
    """Sibling blocks of one kind, each with a heading, a time and running text; the largest group."""
    groups: dict[tuple[HtmlElement, str, str], list[HtmlElement]] = defaultdict(list)
    for block in tree.iter(*_BLOCKS):
        parent = block.getparent()
        if parent is not None:  # siblings of one kind: a template writes their class the same way
            groups[(parent, block.tag, block.get("class"))].append(block)
    best: list[LiveEntry] = []
    best_words = 0
    for blocks in groups.values():
        if len(blocks) < _MIN_ENTRIES or blocks[0].find(".//p") is None or is_noise(blocks[0]):
            continue
        found = []
        allowed_misses = len(blocks) - max(_MIN_ENTRIES, 0.8 * len(blocks))
        misses = 0
        for block in blocks:
            entry = _block_entry(block)
            if entry is not None:
                found.append(entry)
            else:
                misses += 1
                if misses > allowed_misses:
                    break  # the group can no longer qualify: spare the rest of its blocks
        if misses > allowed_misses:
            continue
        words = sum(count_words(" ".join(e.paragraphs)) for e in found)
        if words > best_words:
            best, best_words = found, words
    return best


def _block_entry(block: HtmlElement) -> LiveEntry | None:
    heading = next((h for h in block.iter(*_HEADINGS)), None)
    if heading is None:
        return None
    title = clean(heading.text_content())
    time = next((t for t in block.iter("time")), None)
    shown = clean(time.text_content()) if time is not None else ""
    if not title:
        return None
    # An entry shows the time of day it was posted (a teaser card shows a date, if anything).
    if not (_CLOCK_ANYWHERE.search(shown) or _LEADING_CLOCK.match(title)
            or _LEADING_CLOCK.match(clean(_opening(block)))):
        return None
    link = next(heading.iterancestors("a"), None)
    if link is None:
        link = next(heading.iter("a"), None)
    if link is not None and not (link.get("href") or "#").startswith("#") and \
            count_words(link.text_content()) >= count_words(title):
        return None  # a heading that links to another page is a teaser for it
    paragraphs = [clean(p.text_content()) for p in block.iter("p")]
    paragraphs = [p for p in paragraphs if p and p != shown]
    text = " ".join(paragraphs)
    words = count_words(text)
    if words < _MIN_ENTRY_WORDS:
        return None
    link_words = sum(count_words(a.text_content()) for p in block.iter("p") for a in p.iter("a"))
    if link_words > _MAX_LINK_SHARE * words:
        return None
    if shown and _CLOCK_ANYWHERE.search(shown) and shown not in title:
        title = f"{shown}: {title}"
    return LiveEntry(title, paragraphs, norm(block.text_content()))


def _opening(block: HtmlElement, chars: int = 40) -> str:
    """The start of the block's text (enough for a leading clock), without joining all of it."""
    parts: list[str] = []
    size = 0
    for piece in block.itertext():
        parts.append(piece)
        size += len(piece.strip())
        if size >= chars:
            break
    return "".join(parts)


# --- flat layout: clock-time headings followed by paragraphs -------------------------------------

def _flat_entries(tree: HtmlElement) -> list[LiveEntry]:
    """Headings whose text starts with a clock time, at least `_MIN_ENTRIES` in one container, each
    with the paragraphs that follow it up to the next heading."""
    by_parent: dict[HtmlElement, list[HtmlElement]] = defaultdict(list)
    for heading in tree.iter(*_HEADINGS):
        parent = heading.getparent()
        title = clean(heading.text_content())
        if parent is not None and _LEADING_CLOCK.match(title) and count_words(_LEADING_CLOCK.sub("", title)) >= 2:
            by_parent[parent].append(heading)
    best: list[LiveEntry] = []
    for parent, headings in by_parent.items():
        if len(headings) < _MIN_ENTRIES or is_noise(parent):
            continue
        entries = []
        for heading in headings:
            paragraphs = []
            for sibling in heading.itersiblings():
                if sibling.tag in _HEADINGS:
                    break
                if sibling.tag == "p":
                    text = clean(sibling.text_content())
                    if text:
                        paragraphs.append(text)
            if count_words(" ".join(paragraphs)) >= _MIN_ENTRY_WORDS:
                title = clean(heading.text_content())
                entries.append(LiveEntry(title, paragraphs, norm(" ".join([title, *paragraphs]))))
        if len(entries) >= _MIN_ENTRIES and len(entries) > len(best):
            best = entries
    return best
