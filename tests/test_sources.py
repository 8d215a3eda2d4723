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


def test_offsite_and_fan_out_fields() -> None:
    herald, local = parse_sources(GOOD, "good.toml")
    assert (herald.follow_offsite, herald.max_links_per_page, herald.max_requests) == (False, None, None)
    [aggregator] = parse_sources(
        '[[source]]\nname = "agg"\nfeeds = ["https://agg.example/f"]\n'
        "follow_offsite = true\nmax_links_per_page = 50\nmax_requests = 0",
        "agg.toml",
    )
    assert (aggregator.follow_offsite, aggregator.max_links_per_page, aggregator.max_requests) == (True, 50, 0)


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
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nfollow_offsite = "yes"', "a", "follow_offsite", "true or false"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nmax_links_per_page = -1', "a", "max_links_per_page", "whole number >= 0"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nmax_requests = 1.5', "a", "max_requests", "whole number >= 0"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nmax_requests = true', "a", "max_requests", "whole number >= 0"),
        ('[[source]]\nfeeds = ["https://a/f"]', "#1", "name", "missing or empty name"),
        ('[[source]]\nname = "a"\nfeeds = ["https://a/f"]\n[[source]]\nname = "a"\nfeeds = ["https://a/g"]', "a", "name", "duplicate"),
    ],
)
def test_bad_file_names_file_source_and_field(text: str, source: str, field: str, message: str) -> None:
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "bad.toml")
    assert info.value.path == "bad.toml" and info.value.source == source and info.value.field == field
    assert message in str(info.value) and "bad.toml" in str(info.value)


def test_unknown_field_suggests_the_known_one() -> None:
    text = '[[source]]\nname = "a"\nfeeds = ["https://a/f"]\nsitemap = ["https://a/s"]\nxyzzy = 1'
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "bad.toml")
    assert info.value.field == "sitemap"
    assert str(info.value) == "bad.toml: source 'a', field 'sitemap': unknown field 'sitemap'; did you mean 'sitemaps'?"


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



@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("sitemap = 'https://a/s.xml'", "sitemap", "unknown field 'sitemap'; did you mean 'sitemaps'?"),
        ("robot_sitemaps = false", "robot_sitemaps", "did you mean 'robots_sitemaps'?"),
        ("zzz = 1", "zzz", "known fields: name, domains, feeds"),
        ("delay = 'slow'", "delay", "must be a number of seconds >= 0"),
        ("delay = true", "delay", "must be a number of seconds >= 0"),
        ("concurrency = 1.5", "concurrency", "must be a whole number >= 1"),
        ("robots_sitemaps = 'yes'", "robots_sitemaps", "must be true or false"),
        ("domains = ['  ']", "domains", "list of non-empty strings"),
    ],
)
def test_field_errors_are_one_line_with_did_you_mean(extra: str, field: str, message: str) -> None:
    with pytest.raises(SourcesError) as info:
        parse_sources(f'[[source]]\nname = "a"\nfeeds = ["https://a/f"]\n{extra}\n', "bad.toml")
    assert str(info.value).startswith(f"bad.toml: source 'a', field '{field}': ")
    assert message in str(info.value) and "\n" not in str(info.value)
