"""Property tests (hypothesis) for the extraction library: whatever the page, `extract_article`
returns a result without raising, and no pattern applied to page data takes more than linear
time. Seeded (derandomized) and small enough for CI; `benchmarks/fuzz.py` runs larger campaigns."""

from __future__ import annotations

import importlib
import pkgutil
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.extraction import ArticleRecord, NotAnArticle, extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
PAGES = sorted(FIXTURES.glob("*.html"))
URL = "https://herald.example/2024/03/05/story"
FETCHED = datetime(2024, 3, 6, tzinfo=UTC)
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that page text is made of, and the ones that broke the extractor before.
TAGS = ["<p>", "</p>", "<div class='byline'>", "</div>", "<h1>", "</h1>", "<article>", "<time datetime='", "'>",
        "<meta name='description' content='", "<meta name='author' content='", "<meta property='og:title' content='",
        "<script type='application/ld+json'>", "</script>", "<a rel='author' href='/a'>", "</a>", "<!--", "-->",
        "<![CDATA[", "]]>", "<title>", "</title>", "<br>", "&amp;", "&#0;", "&#xd800;", "<?xml version='1.0'?>"]
JSONLD = ['{"@type": "NewsArticle", "headline": "H", "datePublished": 1e999}', '{"datePublished": NaN}',
          '{"author": [[[{"name": {"@value": -Infinity}}]]]}', '{"@graph": [{"@id": "x"}, {"author": {"@id": "x"}}]}',
          '"\\ud800\\u0000"', "[" * 3000 + "]" * 3000, '{"dateModified": true, "keywords": {"a": 1}}']
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    ["\x00", "\x01", "\x1f", "\x7f", "\ud800", "\udfff", "\ufeff", "\u2028", "é", "’", " ", "\t", "\n", "@", "."]),
    max_size=60)
HTMLISH = st.lists(st.sampled_from(TAGS) | st.sampled_from(JSONLD) | TEXT, max_size=40).map("".join)


@st.composite
def mutated_pages(draw: st.DrawFn) -> str | bytes:
    """A fixture page with pieces cut out, repeated or inserted; as bytes or text."""
    data = draw(st.sampled_from(PAGES)).read_bytes()
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "insert", "repeat", "truncate"]))
        if kind == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 2000)):]
        elif kind == "insert":
            data = data[:at] + draw(HTMLISH).encode("utf-8", "surrogatepass") + data[at:]
        elif kind == "repeat":
            data = data[:at] + data[at:at + draw(st.integers(1, 200))] * draw(st.integers(2, 50)) + data[at:]
        else:
            data = data[:at]
    if draw(st.booleans()):
        return data
    return data.decode(draw(st.sampled_from(["utf-8", "cp1252", "latin-1"])), "surrogateescape" if draw(st.booleans())
                       else "replace")


def check(result: ArticleRecord | NotAnArticle) -> None:
    assert isinstance(result, (ArticleRecord, NotAnArticle))
    if isinstance(result, NotAnArticle):
        assert result.reason != "error", result.detail  # a caught exception is still a bug
        return
    for date in (result.published_at, result.modified_at):
        assert date is None or date.tzinfo is not None
    for field in fields(result):
        values = getattr(result, field.name)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and field.name != "url":
                assert "\x00" not in value and not re.search("[\ud800-\udfff]", value), (field.name, value)


@SETTINGS
@given(html=HTMLISH | HTMLISH.map(lambda t: t.encode("utf-8", "surrogatepass")))
@example(html=f"<html><head><title>T</title>{'<script type=application/ld+json>'}"
              '{"@type": "NewsArticle", "headline": "A title", "datePublished": 1e999}</script></head>'
              f"<body><h1>A title</h1><p>{'word ' * 80}\ud800</p></body></html>")
def test_generated_pages_never_raise(html: str | bytes) -> None:
    check(extract_article(html, URL, fetched_at=FETCHED))


@SETTINGS
@given(html=mutated_pages())
def test_mutated_fixture_pages_never_raise(html: str | bytes) -> None:
    check(extract_article(html, URL, fetched_at=FETCHED))


# --- every pattern applied to page data runs in linear time ---------------------------------------


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[str, tuple[str, re.Pattern[str]]] = {}
    for package in ("pipelines.extraction", "crawler.discovery"):
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            module = importlib.import_module(f"{package}.{info.name}")
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                    found.setdefault(value.pattern, (f"{module.__name__}.{name}", value))
    return list(found.values())


PATTERNS = _patterns()
LENGTH = 30_000  # a pattern quadratic in it takes minutes here; a linear one milliseconds
GUARD_SECONDS = 20


@contextmanager
def time_guard(seconds: int, what: str) -> Iterator[None]:
    """Fail instead of hanging: Python's regex engine checks for signals while it matches."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what}: still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_patterns_are_found() -> None:
    names = {name for name, _ in PATTERNS}
    assert len(PATTERNS) > 50 and "pipelines.extraction.authors._EMAIL" in names


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(unit=st.lists(st.sampled_from(list("aA1 .,-/:@(<>\"\\|[]'’&;\t\n") + ["\xa0", "年", "by", "Z"]),
                    min_size=1, max_size=3).map("".join))
@example(unit="\t")  # runs of spaces: a leading \s* tried from every space of the run
@example(unit="a")  # one long token: "\S+@" tried from every letter of it
@example(unit="(")  # brackets never closed
@example(unit="<p")  # tags never closed
@example(unit=" ")
def test_patterns_on_page_data_run_in_linear_time(unit: str) -> None:
    text = unit * (LENGTH // len(unit))
    with time_guard(GUARD_SECONDS, f"patterns on {unit!r} x {LENGTH // len(unit)}"):
        for _name, pattern in PATTERNS:
            for _match in pattern.finditer(text):
                pass
