"""The extraction CPU shortcuts of round 6 give what the plain computation gives.

- `boilerplate._contains_short_line_pattern`: one search per line with the alternation of the
  length-bounded patterns the line keeps to, against one search per pattern;
- `liveblog.restore_live_blog`: the body's lines are keyed only once the page has entries;
- `body._drop_captions`: the paragraphs are keyed only when a line of the body is a caption's text;
- `text.norm` and `text.clean`: remembered for texts of at most 1,000 characters;
- `boilerplate._is_sign_up_terms_or_plea`: searched only in lines holding one of their words, against
  the two length-bounded "a line containing X" patterns they were written as.
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest
from lxml.html import HtmlElement, document_fromstring

from pipelines.extraction import body as body_module
from pipelines.extraction import liveblog as liveblog_module
from pipelines.extraction import text as text_module
from pipelines.extraction.body import _CAPTIONS, _drop_captions, _in_caption
from pipelines.extraction.boilerplate import (
    _CONTAINS,
    _CONTAINS_BY_LENGTH,
    _contains_short_line_pattern,
    _is_sign_up_terms_or_plea,
)
from pipelines.extraction.document import parse_html
from pipelines.extraction.liveblog import restore_live_blog
from pipelines.extraction.structured import read_structured
from pipelines.extraction.text import clean, norm

# --- the length-bounded boilerplate patterns --------------------------------------------------------


def _plain_contains(line: str) -> bool:
    return any(len(line) <= n and pattern.search(line) for n, pattern in _CONTAINS)


# Lines matching each kind of pattern, at and around their length bounds, and prose.
_PHRASES = [
    "Sign up to our newsletters", "Get our newsletter for free", "This post contains affiliate links",
    "Download our app for the latest news", "Join our Telegram channel", "Never miss a story: sign up",
    "Support us: the paywall is gone, your support keeps it so", "displaying the site without styles",
    "12 issues for £1", "Letters to the editor: we'd like to hear from you", "Live blog:",
    "Newsletter: hier anmelden", "Jetzt unsere App laden", "Auch auf Social Media", "Probeabo: lesen Sie 4 Wochen gratis",
    "RSS-Feed abonnieren", "Jane Roe contributed reporting.", "Posted by admin in Category: News",
    "The council voted on Tuesday to close the bridge for repairs.", "", "x",
]


def _lines() -> list[str]:
    lines: list[str] = []
    for phrase in _PHRASES:
        for bound, _ in _CONTAINS_BY_LENGTH:
            for length in (bound - 1, bound, bound + 1):  # padded to straddle every bound
                pad = max(0, length - len(phrase))
                lines.extend([phrase + " " + "a" * max(0, pad - 1), "b" * max(0, pad - 1) + " " + phrase])
        lines.append(phrase)
        lines.append(phrase.upper())
    return lines


def test_length_bounds_cover_every_pattern_once_per_bound() -> None:
    bounds = [bound for bound, _ in _CONTAINS_BY_LENGTH]
    assert bounds == sorted(set(bounds)) and set(bounds) == {n for n, _ in _CONTAINS}
    for bound, pattern in _CONTAINS_BY_LENGTH:
        assert pattern.flags & re.IGNORECASE
        assert pattern.pattern == "|".join(f"(?:{p.pattern})" for n, p in _CONTAINS if n >= bound)


@pytest.mark.parametrize("line", _lines())
def test_short_line_patterns_found_as_one_search_per_pattern_finds_them(line: str) -> None:
    assert _contains_short_line_pattern(line) == _plain_contains(line)


def test_short_line_patterns_on_random_lines() -> None:
    rng = random.Random(6)
    words = [w for phrase in _PHRASES for w in phrase.split()] + ["the", "and", "news", ":", "'", "—"]
    found = 0
    for _ in range(3000):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 120)))
        assert _contains_short_line_pattern(line) == _plain_contains(line), line
        found += _plain_contains(line)
    assert found > 50  # the random lines do match


def test_the_fixture_lines_hold_matches_and_misses() -> None:
    verdicts = [_plain_contains(line) for line in _lines()]
    assert any(verdicts) and not all(verdicts)


# --- live blogs: keys only for pages with entries ----------------------------------------------------

_FIXTURES = Path(__file__).parent / "fixtures"


def _counting_norm(monkeypatch: pytest.MonkeyPatch, module: object) -> list[str]:
    calls: list[str] = []

    def counted(text: str | None) -> str:
        calls.append(text or "")
        return norm(text)

    monkeypatch.setattr(module, "norm", counted)
    return calls


def _plain_restore(tree: HtmlElement, data: object, body: str) -> str:
    """The live-blog step as it was before the shortcut (keys computed first)."""
    entries = liveblog_module._jsonld_entries(data)
    lines = [line for line in body.split("\n") if line.strip()]
    keys = [norm(line) for line in lines]
    if not entries:
        entries = liveblog_module._block_entries(tree) or liveblog_module._flat_entries(tree)
        if sum(1 for entry in entries if liveblog_module._find(keys, entry.paragraphs) is not None) < max(2, len(entries) / 2):
            return body
    if not entries:
        return body
    return restore_live_blog(tree, data, body)  # the rest is unchanged


def test_a_page_without_live_blog_entries_does_not_key_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    html = (_FIXTURES / "liveblog" / "normal_article.html").read_text(encoding="utf-8")
    tree = parse_html(html)
    data = read_structured(tree)
    body = "The quay was rebuilt in 1902.\nIt is 300 metres long and the ferries still call there."
    calls = _counting_norm(monkeypatch, liveblog_module)
    assert restore_live_blog(tree, data, body) == body
    assert calls == []


@pytest.mark.parametrize("name", ["jsonld_live_blog", "entry_blocks_live_blog", "flat_live_blog", "normal_article"])
@pytest.mark.parametrize("cut", [0, 1, 3, None])
def test_live_blog_restoration_is_the_plain_one(name: str, cut: int | None) -> None:
    html = (_FIXTURES / "liveblog" / f"{name}.html").read_text(encoding="utf-8")
    tree = parse_html(html)
    data = read_structured(tree)
    paragraphs = [clean(p.text_content()) for p in tree.iter("p")]
    body = "\n".join(paragraphs[:cut] if cut is not None else paragraphs)
    assert restore_live_blog(tree, data, body) == _plain_restore(tree, data, body)


# --- captions: paragraphs keyed only when a body line is a caption's text ---------------------------------

P1 = "The pier was built in 1902 and has been closed since the storm of last winter."
P2 = "Repairs will start in spring, the council said on Tuesday after a long debate."
CAPTION = "The old pier at low tide"
REPEATED = "Only nine of the old piers are still standing on this coast"
CAPTION_PAGE = f"""<html><body><article><h1>Title</h1><p>{P1}</p>
  <div class="inline-img"><img src="p.jpg"><div class="img__caption">{CAPTION}</div></div>
  <div class="group"><img src="q.jpg"><p class="imageCaption">{REPEATED}</p></div>
  <p>{REPEATED}</p><p>{P2}</p></article></body></html>"""


def _plain_drop_captions(text: str, tree: HtmlElement, paragraphs: list[tuple[HtmlElement, str]]) -> str:
    keys = {norm(element.text_content()) for element in _CAPTIONS(tree)}
    keys.discard("")
    if not keys:
        return text
    keys -= {key for block, content in paragraphs if (key := norm(content)) in keys and not _in_caption(block)}
    return "\n".join(line for line in text.split("\n") if norm(line) not in keys) if keys else text


def _caption_tree() -> tuple[HtmlElement, list[tuple[HtmlElement, str]]]:
    tree = document_fromstring(CAPTION_PAGE)
    return tree, [(e, clean(e.text_content())) for e in tree.iter("p", "h2")]


@pytest.mark.parametrize("text", [
    f"{P1}\n{P2}", f"{P1}\n{CAPTION}\n{P2}", f"{P1}\n{REPEATED}\n{P2}", f"{P1}\n{CAPTION}\n{REPEATED}\n{P2}",
    f"{CAPTION}", f"{P1}\n\n{P2}", "", f"{P1}\n{CAPTION.upper()}!\n{P2}", f"{CAPTION}\n{CAPTION}",
])
def test_caption_drop_is_the_plain_one(text: str) -> None:
    tree, paragraphs = _caption_tree()
    assert _drop_captions(text, tree, paragraphs) == _plain_drop_captions(text, tree, paragraphs)


def test_paragraphs_are_not_keyed_when_no_line_is_a_caption(monkeypatch: pytest.MonkeyPatch) -> None:
    tree, paragraphs = _caption_tree()
    text = f"{P1}\n{P2}"
    calls = _counting_norm(monkeypatch, body_module)
    assert _drop_captions(text, tree, paragraphs) == text
    # The two captions and the two lines; none of the four paragraphs.
    assert sorted(calls) == sorted([CAPTION, REPEATED, P1, P2])


def test_caption_line_still_dropped_and_repeated_one_kept() -> None:
    tree, paragraphs = _caption_tree()
    text = f"{P1}\n{CAPTION}\n{REPEATED}\n{P2}"
    assert _drop_captions(text, tree, paragraphs).split("\n") == [P1, REPEATED, P2]


# --- remembered text keys and cleaned texts -------------------------------------------------------------

_TEXTS = [
    "", " ", "Hello, World!", "  two\xa0\xa0spaces\tand\nlines  ", "Straße", "STRASSE", "ﬁnancial ﬂows", "İstanbul",
    "\u212a is a kelvin sign", "日本語のテキスト", "née — l'été “quoted”", "a_b-c", "\u2028line\u2029para\x85",
    "x" * 999, "y " * 500, "z" * 1001, "Ünïcödé " * 300,
]


def _plain_norm(text: str | None) -> str:
    return "" if not text else re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _plain_clean(text: str | None) -> str:
    return "" if not text else re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


@pytest.mark.parametrize("text", [*_TEXTS, None])
def test_remembered_keys_and_cleaned_texts_are_the_plain_ones(text: str | None) -> None:
    for _ in range(2):  # computed, then remembered
        assert norm(text) == _plain_norm(text) and type(norm(text)) is str
        assert clean(text) == _plain_clean(text) and type(clean(text)) is str


def test_smart_strings_are_keyed_as_their_text() -> None:
    tree = document_fromstring("<html><body><p>The\xa0Pier  at dawn</p><p>the pier, at dawn!</p></body></html>")
    first, second = tree.xpath("//p/text()")
    assert type(first) is not str and first.getparent().tag == "p"  # lxml's smart string
    for text in (first, str(first), second, first):
        assert norm(text) == _plain_norm(str(text)) and type(norm(text)) is str
        assert clean(text) == _plain_clean(str(text)) and type(clean(text)) is str


def test_short_texts_are_remembered_and_long_ones_are_not() -> None:
    short, long = "A line of the page seen twice " + "q" * 20, "w" * (text_module._NORM_CACHED_CHARS + 1)
    for function, cached in ((norm, text_module._norm_cached), (clean, text_module._clean_cached)):
        function(short)
        before = cached.cache_info()
        assert function(short) == function(short)
        assert cached.cache_info().hits == before.hits + 2
        size = cached.cache_info().currsize
        function(long + "unseen")
        assert cached.cache_info().currsize == size and cached.cache_info().maxsize == 4096


def test_random_texts_are_keyed_and_cleaned_as_plainly() -> None:
    rng = random.Random(61)
    alphabet = "aAß ﬁİ\u212a\xa0\t\n.,;_-—日é0 "
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert norm(text) == _plain_norm(text) and clean(text) == _plain_clean(text), repr(text)


# --- sign-up terms and pleas, searched only in lines holding their words -----------------------------

_PLAIN_SIGN_UP = re.compile(
    r"^(?=.{0,300}$).*[ysdv](?<!\w[ysdv])(ou can (check out|unsubscribe|opt[- ]out) at any time|ie können sich jederzeit "
    r"(wieder )?(abmelden|austragen)|u kannst dich jederzeit (wieder )?(abmelden|austragen)|ous pouvez vous désinscrire "
    r"à tout moment)\b.*$",
    re.IGNORECASE,
)
_PLAIN_PLEA = re.compile(
    r"^(?=.{0,400}$).*[sy](?<!\w[sy])(ie können|ou can) (das |uns |us |this |our work )?(unterstützen|support)\b.*\b(abonnieren|"
    r"abonnement|subscribe|subscription|spenden|donate|donation)\b.*$",
    re.IGNORECASE,
)
_SIGN_UP_LINES = [
    "You can check out at any time. Read our Privacy Policy", "YOU CAN UNSUBSCRIBE AT ANY TIME.",
    "Sie können sich jederzeit wieder abmelden.", "Du kannst dich jederzeit austragen", "Vous pouvez vous désinscrire à tout moment.",
    "Sie können das unterstützen. Darum: Krautreporter abonnieren!", "You can support our work: subscribe today",
    "If you can support us, please donate.", "Yesyou can support us and donate", "You can support the team at the game.",
    "Wir hoffen, Sie können uns unterstützen: spenden Sie jetzt", "Readers said you can opt out at any time, she wrote.",
    "x" * 290 + " you can opt-out at any time", "x" * 301 + " you can opt-out at any time",
    "You can support us " + "y" * 380 + " donate", "You can support us " + "y" * 390 + " donate",
]


@pytest.mark.parametrize("line", _SIGN_UP_LINES)
def test_sign_up_terms_and_pleas_are_the_plain_patterns(line: str) -> None:
    plain = bool(_PLAIN_SIGN_UP.match(line) or _PLAIN_PLEA.match(line))
    assert _is_sign_up_terms_or_plea(line) == plain


def test_sign_up_terms_and_pleas_on_random_lines() -> None:
    rng = random.Random(62)
    words = ["you can", "You can", "Sie können", "yes", "support", "support us", "unterstützen", "das unterstützen",
             "subscribe", "abonnieren", "donate.", "check out at any time", "sich jederzeit abmelden", "opt-out at any time",
             "the", "news", "our work", ".", "!", "Ass"]
    found = 0
    for _ in range(3000):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 14)))
        plain = bool(_PLAIN_SIGN_UP.match(line) or _PLAIN_PLEA.match(line))
        found += plain
        assert _is_sign_up_terms_or_plea(line) == plain, line
    assert found > 20  # the random lines do match


def test_remembered_texts_do_not_keep_the_page_alive() -> None:
    """A text node from an XPath knows its element: the caches must hold a plain copy, or every
    remembered line would keep its whole page in memory for the rest of a crawl."""
    import gc
    import types

    tree = document_fromstring("<html><body><p>A line the page repeats in its teaser and its body.</p></body></html>")
    node = tree.xpath("//p/text()")[0]
    assert node.getparent() is not None
    text_module._norm_cached.cache_clear()
    text_module._clean_cached.cache_clear()
    assert norm(node) == norm(str(node)) and clean(node) == clean(str(node))
    gc.collect()
    holders = [r for r in gc.get_referrers(node) if not isinstance(r, types.FrameType)]
    assert holders == []
