"""The shortcuts that spare extraction CPU time give what the plain computation gives.

Each remembered or narrowed computation (boilerplate verdicts, the microdata dates a page is
asked for several times, the script-state date keys, the unwanted-character test made on a page's
UTF-8 bytes) is checked against the plain one, and for not leaking from one page to the next.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from lxml.html import document_fromstring

from pipelines.extraction import dates as dates_module
from pipelines.extraction import extract_article
from pipelines.extraction.boilerplate import (
    _CACHED_CHARS,
    _is_boilerplate,
    _is_boilerplate_cached,
    clean_body,
    is_boilerplate_line,
)
from pipelines.extraction.dates import find_dates
from pipelines.extraction.hydration import _DATE_KEY, _KEY_REACH, _date_keys, hydrated_dates
from pipelines.extraction.lead import find_lead
from pipelines.extraction.structured import read_structured
from pipelines.extraction.text import _BYTES_CHECK_FROM, _SURROGATE, _UNWANTED, _has_unwanted, scrub

FETCHED = datetime(2024, 6, 1, tzinfo=UTC)

# --- boilerplate verdicts -------------------------------------------------------------------------

LINES = [
    "Advertisement",
    "  Advertisement  ",
    "Sign up for our newsletter to get the briefing in your inbox",
    "The council voted on Tuesday to close the bridge for repairs.",
    "Related: Council closes the bridge",
    "© 2024 Example Media. All rights reserved.",
    "",
    "x" * (_CACHED_CHARS + 5),
    "Sign up for our newsletters " + "word " * 300,  # longer than any gated pattern's limit
    "Copyright 2024 " + "y" * (_CACHED_CHARS + 10),  # long, and matched by a line pattern
]


@pytest.mark.parametrize("line", LINES)
def test_boilerplate_verdict_is_the_uncached_one(line: str) -> None:
    expected = _is_boilerplate(line.strip())
    assert is_boilerplate_line(line) == expected
    assert is_boilerplate_line(line) == expected  # asked again: from the cache when short


def test_boilerplate_verdicts_are_remembered_for_short_lines_only() -> None:
    _is_boilerplate_cached.cache_clear()
    text = "\n".join(["The council voted on Tuesday to close the bridge.", "Advertisement", "z" * (_CACHED_CHARS + 1)])
    first = clean_body(text)
    info = _is_boilerplate_cached.cache_info()
    assert info.hits >= 1  # each short line is tested twice per body, computed once
    assert info.currsize == 2  # the long line is not kept
    assert clean_body(text) == first


# --- microdata dates, read once per page ----------------------------------------------------------

def _microdata_page(day: str) -> str:
    return (f"<html><head><title>Bridge closes</title></head><body><article><h1>Bridge closes</h1>"
            f'<span itemprop="datePublished" content="{day}T10:00:00Z"></span>'
            f"<p>The council voted to close the bridge for repairs.</p></article></body></html>")


def _dates(html: str) -> dates_module.DateResult:
    tree = document_fromstring(html)
    return find_dates(tree, read_structured(tree), "https://example.com/news/bridge", tree.find(".//h1"),
                      language="en", fetched_at=FETCHED)


def test_microdata_dates_are_searched_once_per_page_and_not_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    plain = dates_module.itemprop_values

    def counting(tree: object, prop: str) -> list[str]:
        asked.append(prop)
        return plain(tree, prop)  # type: ignore[arg-type]

    monkeypatch.setattr(dates_module, "itemprop_values", counting)
    first = _dates(_microdata_page("2024-03-04"))
    assert first.published_at == datetime(2024, 3, 4, 10, tzinfo=UTC)
    assert asked.count("datePublished") == 1  # asked for by several rules, searched once
    second = _dates(_microdata_page("2024-05-06"))  # another page: its own values
    assert second.published_at == datetime(2024, 5, 6, 10, tzinfo=UTC)
    monkeypatch.setattr(dates_module, "itemprop_values", plain)
    assert _dates(_microdata_page("2024-05-06")) == second


# --- script-state date keys -----------------------------------------------------------------------

TRICKY = [
    '{"datePublished":"2024-01-02T10:00:00Z"}',
    '\\"date_first_published\\":\\"2024-01-02T10:00:00+01:00\\"',  # the longest reach before the keyword
    "x.publication_date = '2024-01-02 10:00';",
    '"issuedeploy":"2024-01-02T10:00" "deployDt":"2024-01-02T11:00"',  # keywords sharing a letter
    '"pubDate":"2024-01-02T10:00","pubDate":"2024-01-03T10:00"',
    '"PUBLISHED_AT": "2024-01-02T10:00:00Z"',
    '"ıssued":"2024-01-02T10:00:00" "İSSUED":"2024-01-02T10:00:00"',  # dotless i, dotted capital I
    '"publiſhed":"2024-01-02T10:00:00"',  # long s: matched ignoring case, lower() keeps it
    '"titre":"Élysée" "publishedAt":"2024-01-02T10:00:00"',  # not ASCII, no special folding
    '"pub""pub""published":"2024-01-02T10:00:00"',
    '"publishedAt":"2024-01-02T10:00:00"publishedAt":"2024-01-03T10:00:00"',  # a match ends where another starts
]


@pytest.mark.parametrize("text", TRICKY)
def test_date_keys_are_the_pattern_matches(text: str) -> None:
    expected = [(m.start(), m.group(0)) for m in _DATE_KEY.finditer(text)]
    assert [(m.start(), m.group(0)) for m in _date_keys(text)] == expected
    assert expected or text.startswith('"pub""pub"')


def test_date_keys_match_the_pattern_on_random_scripts() -> None:
    pieces = ['"', "'", ".", "\\", ":", "=", " ", "_", "date", "first", "pub", "publish", "ed", "ication",
              "deploy", "issued", "at", "on", "Dt", "time", "2024-01-02T10:00", "İ", "ı", "ſ", "é", "x"]
    rng = random.Random(15)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        expected = [(m.start(), m.group(0)) for m in _DATE_KEY.finditer(text)]
        assert [(m.start(), m.group(0)) for m in _date_keys(text)] == expected, text


def test_key_reach_covers_the_longest_prefix() -> None:
    # backslash, quote, "date_", "first_" before the keyword: nothing longer can start a match.
    assert _KEY_REACH == len('\\"') + len("date_") + len("first_")


def test_hydrated_dates_read_through_the_shortcut() -> None:
    filler = "var x = 'a.b.c';" * 50
    html = (f"<html><body><script>{filler}window.__S__ = {{\"pubDate\":\"2024-01-02T10:00:00\"}}</script>"
            f"<script src='x.js'></script></body></html>")
    assert hydrated_dates(document_fromstring(html)) == ["2024-01-02T10:00:00"]


def test_extraction_is_repeatable_across_pages() -> None:
    # Two pages in a row, then the first again: nothing remembered from one changes the other.
    body = " ".join(["The council voted to close the bridge for repairs over the summer."] * 12)
    page_a = _microdata_page("2024-03-04").replace("<p>The council voted to close the bridge for repairs.</p>",
                                                   f"<p>{body}</p><p>Advertisement</p>")
    page_b = page_a.replace("2024-03-04", "2024-05-06")
    a1 = extract_article(page_a, "https://example.com/news/bridge", fetched_at=FETCHED)
    b = extract_article(page_b, "https://example.com/news/bridge", fetched_at=FETCHED)
    a2 = extract_article(page_a, "https://example.com/news/bridge", fetched_at=FETCHED)
    assert a1 == a2
    assert a1.published_at != b.published_at  # type: ignore[union-attr]
    assert "Advertisement" not in a1.body  # type: ignore[union-attr]


# --- the lead's text search skips script and style text -------------------------------------------

_DESCRIPTION = "Three winters of floods pushed the town of Millbrook to build a wall."
_STORY = " ".join(["The wall took two years to build and cost the town most of its reserves."] * 3)


def _lead(html: str) -> str | None:
    tree = document_fromstring(html)
    return find_lead(tree, [_DESCRIPTION], _STORY, next(tree.iter("h1")))


def test_lead_is_found_beside_the_same_text_in_scripts_and_styles() -> None:
    state = f'<script>window.__S__ = {{"description": "{_DESCRIPTION}"}}</script><style>/* {_DESCRIPTION} */</style>'
    page = (f"<html><head>{state}</head><body><article><h1>Flood wall</h1>{state}"
            f'<p class="dek">{_DESCRIPTION}</p><p>{_STORY}</p></article></body></html>')
    assert _lead(page) == _DESCRIPTION


def test_lead_only_in_a_script_is_no_lead() -> None:
    page = (f"<html><body><article><h1>Flood wall</h1><script>var d = '{_DESCRIPTION}';</script>"
            f"<p>{_STORY}</p></article></body></html>")
    assert _lead(page) is None


def test_lead_in_text_after_a_script_is_found() -> None:
    # The text after </script> is the paragraph's (a tail in lxml's terms), not the script's.
    page = (f"<html><body><article><h1>Flood wall</h1><p class='dek'><script></script>{_DESCRIPTION}</p>"
            f"<p>{_STORY}</p></article></body></html>")
    assert _lead(page) == _DESCRIPTION


# --- the unwanted-character test on a page's bytes -------------------------------------------------


_LONG = "x" * _BYTES_CHECK_FROM  # long enough for the test on bytes


def _unwanted_by_regex(text: str) -> bool:
    return _UNWANTED.search(text) is not None


@pytest.mark.parametrize("start, stop", [(0, 0x3000), (0xD700, 0xE100), (0xF000, 0x10000), (0x1F000, 0x1F700),
                                         (0x10F000, 0x110000)])
def test_unwanted_characters_are_found_as_the_regex_finds_them(start: int, stop: int) -> None:
    for code in range(start, stop):
        for text in (chr(code), f"Stra\u00dfe {chr(code)} caf\u00e9", f"\uff21{chr(code)}" + _LONG):
            assert _has_unwanted(text) == _unwanted_by_regex(text), hex(code)


@pytest.mark.parametrize("text", ["", "plain ascii\n\ttext\r\n", "\uffef\uffbf\uffbe fullwidth forms", "\ufffe", "x\uffff",
                                  "\ud83d\ude00", "caf\u00e9\x00", "\x7f", "\x1f", "\x0b", "\x0c", "\x0e", "\u2028\x85"])
def test_unwanted_characters_on_edge_cases(text: str) -> None:
    assert _has_unwanted(text) == _unwanted_by_regex(text)
    assert _has_unwanted(text + _LONG) == _unwanted_by_regex(text)
    assert _has_unwanted(_LONG + text) == _unwanted_by_regex(text)
    assert scrub(text) == _UNWANTED.sub("", text) or _SURROGATE.search(text)


def test_unwanted_characters_on_random_texts() -> None:
    rng = random.Random(15)
    alphabet = [chr(c) for c in (*range(0, 0x80), 0xA0, 0xE9, 0x2028, 0xD800, 0xDFFF, 0xFEFF, 0xFFFD, 0xFFFE,
                                 0xFFFF, 0xFF21, 0x1F600, 0x10FFFF)]
    for _ in range(3000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 12)))
        assert _has_unwanted(text) == _unwanted_by_regex(text), repr(text)
        assert _has_unwanted(text + _LONG) == _unwanted_by_regex(text), repr(text)
