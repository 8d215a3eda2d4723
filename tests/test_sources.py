"""The sources registry: valid files load, bad files fail naming the file, the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import SourcesError, load_sources, parse_sources, source_for_url

REPO = Path(__file__).resolve().parent.parent

GOOD = """
[[source]]
name = "herald"
feeds = ["https://herald.example/feed/"]
sections = ["https://herald.example/news/"]
allow = ['/\\d{4}/\\d{2}/']
deny = ['/tag/']
language = "en"
delay = 1.5
concurrency = 2

[[source]]
name = "local"
domains = ["127.0.0.1:8001"]
sitemaps = ["http://127.0.0.1:8001/sitemap.xml"]
"""


def test_good_file_loads() -> None:
    herald, local = parse_sources(GOOD, "good.toml")
    assert herald.domains == ("herald.example",)  # from the URLs when not given
    assert herald.delay == 1.5 and herald.concurrency == 2 and herald.language == "en"
    assert herald.url_allowed("https://herald.example/2025/10/story") is True
    assert herald.url_allowed("https://herald.example/tag/2025/10/") is False
    assert local.url_allowed("http://127.0.0.1:8001/x") is None  # no patterns: the heuristic decides
    assert source_for_url([herald, local], "https://www.herald.example/a") is herald
    assert source_for_url([herald, local], "http://127.0.0.1:8001/a") is local
    assert source_for_url([herald, local], "http://127.0.0.1:9999/a") is None


def test_example_sources_file_is_valid() -> None:
    sources = load_sources(REPO / "examples" / "sources.toml")
    assert len(sources) >= 5
    assert all(s.feeds or s.sitemaps for s in sources)


@pytest.mark.parametrize(
    ("text", "source", "field", "message"),
    [
        ('[[source]]\nname = "a"\nfeeds = "ftp://x/feed"', "a", "feeds", "not an http(s) URL"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nallow = ["("]', "a", "allow", "bad regular expression"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\ndelay = -1', "a", "delay", "seconds"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nconcurrency = 0', "a", "concurrency", "whole number"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nlanguage = "english!"', "a", "language", "language code"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nfeed = ["https://a/f"]', "a", "feed", "unknown field"),
        ('[[source]]\nname = "a"', "a", "domains", "needs domains"),
        ('[[source]]\nfeeds = ["https://a/f"]', "#1", "name", "missing or empty name"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\n[[source]]\nname = "a"\nfeeds = ["https://a/g"]', "a", "name", "duplicate"),
    ],
)
def test_bad_file_names_file_source_and_field(text: str, source: str, field: str, message: str) -> None:
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "bad.toml")
    assert info.value.path == "bad.toml" and info.value.source == source and info.value.field == field
    assert message in str(info.value) and "bad.toml" in str(info.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[source]\nname=", encoding="utf-8")
    with pytest.raises(SourcesError, match="broken.toml: not valid TOML"):
        load_sources(broken)
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    with pytest.raises(SourcesError, match="no source named 'nope'"):
        load_sources(good, ["nope"])
    assert [s.name for s in load_sources(good, ["local"])] == ["local"]

