"""The `urls` spider and the spiders' configuration (options, sources, DOWNLOAD_SLOTS)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler.discovery import WindowError
from crawler.sources import SourcesError
from crawler.spiders.news import FeedsSpider, NewsSpider
from crawler.spiders.urls import UrlsSpider

SOURCES = """
[[source]]
name = "alpha"
domains = ["alpha.example.com"]
feeds = ["https://alpha.example.com/rss.xml", "https://www.alpha.example.com/feed/"]
language = "en"
delay = 2.5
concurrency = 1

[[source]]
name = "beta"
domains = ["beta.example.org:8080"]
sections = ["http://beta.example.org:8080/world/"]
delay = 0.5

[[source]]
name = "gamma"
domains = ["gamma.example.net"]
"""


@pytest.fixture
def sources_path(tmp_path: Path) -> str:
    return write_sources(tmp_path / "sources.toml", SOURCES)


def test_urls_spider_infers_sources_strips_tracking_and_packages_responses(
    tmp_path: Path, fixture_server: FixtureServer
) -> None:
    s = fixture_server
    s.route("/files/report.pdf", file="report.pdf")
    s.route("/moved-story-here-now", status=301, headers={"Location": s.url("/2025/10/28/final-story-location/")})
    s.route("/gone-story-here-now", "gone", status=404)
    path = write_sources(tmp_path / "sources.toml", f'[[source]]\nname = "local"\ndomains = ["{s.netloc}"]\nlanguage = "fr"\n')
    port = s.netloc.split(":")[1]
    urls = " , ".join(
        [
            s.url("/2025/10/28/a-b-c/?utm_source=x&id=7"),
            s.url("/2025/10/28/a-b-c/?id=7"),  # the same page once tracking is stripped
            s.url("/files/report.pdf"),
            s.url("/moved-story-here-now"),
            s.url("/gone-story-here-now"),
            f"http://localhost:{port}/not-in-the-registry-story",
            "ftp://example.com/nope",
        ]
    )
    result = run_crawl("urls", {"NEWSPIPE_SOURCES_FILE": path}, {"urls": urls})
    assert result.error is None, result.error
    by_url = {item.url: item for item in result.items}
    assert set(by_url) == {
        s.url("/2025/10/28/a-b-c/?id=7"),
        s.url("/files/report.pdf"),
        s.url("/moved-story-here-now"),
        f"http://localhost:{port}/not-in-the-registry-story",
    }
    page = by_url[s.url("/2025/10/28/a-b-c/?id=7")]
    assert (page.source, page.discovered_via, page.language_hint) == ("local", "url", "fr")
    assert page.hint_title is None and page.hint_published_at is None
    pdf = by_url[s.url("/files/report.pdf")]
    assert pdf.html is None and pdf.content_type == "application/pdf"
    moved = by_url[s.url("/moved-story-here-now")]
    assert moved.response_url == s.url("/2025/10/28/final-story-location/")  # url stays the requested one
    other = by_url[f"http://localhost:{port}/not-in-the-registry-story"]
    assert (other.source, other.language_hint) == ("localhost", None)
    assert result.stat("newspipe/fetch/http_404") == 1
    assert result.stat("newspipe/discovery/skipped/duplicate") == 1
    assert result.stat("newspipe/discovery/skipped/invalid_url") == 1


def test_urls_spider_accepts_a_list_and_needs_no_sources_file(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    result = run_crawl(
        "urls",
        {"NEWSPIPE_SOURCES_FILE": str(tmp_path / "absent.toml")},
        {"urls": [s.url("/one-two-three-story"), s.url("/four-five-six-story")]},
    )
    assert result.error is None, result.error
    assert result.urls == {s.url("/one-two-three-story"), s.url("/four-five-six-story")}
    assert {item.source for item in result.items} == {"127.0.0.1"}


def test_options_from_settings_and_spider_arguments(sources_path: str) -> None:
    crawler = get_crawler(
        NewsSpider,
        {
            "NEWSPIPE_SOURCES_FILE": sources_path,
            "NEWSPIPE_SOURCE_NAMES": ["alpha", "beta"],
            "NEWSPIPE_SINCE": "2025-09-01",
            "NEWSPIPE_SECTION_DEPTH": 3,
        },
    )
    spider = NewsSpider.from_crawler(crawler)
    assert [src.name for src in spider.options.sources] == ["alpha", "beta"]
    assert spider.options.window.since == datetime(2025, 9, 1, tzinfo=timezone.utc)
    assert spider.options.window.until is None
    assert spider.options.section_depth == 3

    crawler = get_crawler(NewsSpider, {"NEWSPIPE_SOURCES_FILE": "/nonexistent.toml", "NEWSPIPE_SINCE": "2025-09-01"})
    spider = NewsSpider.from_crawler(
        crawler, sources=sources_path, source="gamma, beta", since="2025-10-01", until=datetime(2025, 10, 2, 12)
    )
    assert [src.name for src in spider.options.sources] == ["gamma", "beta"]
    assert spider.options.window.since == datetime(2025, 10, 1, tzinfo=timezone.utc)
    assert spider.options.window.until == datetime(2025, 10, 2, 12, tzinfo=timezone.utc)
    assert not hasattr(spider, "source")  # consumed, not left as a spider attribute


@pytest.mark.parametrize(
    ("settings", "kwargs", "error"),
    [
        ({"NEWSPIPE_SOURCES_FILE": "/nonexistent/sources.toml"}, {}, SourcesError),
        ({}, {"source": "nope"}, SourcesError),
        ({}, {"since": "last tuesday"}, WindowError),
        ({}, {"since": "2025-10-05", "until": "2025-10-01"}, WindowError),
        ({}, {"section_depth": "deep"}, ValueError),
    ],
)
def test_bad_configuration_raises_from_from_crawler(sources_path: str, settings, kwargs, error) -> None:
    crawler = get_crawler(FeedsSpider, {"NEWSPIPE_SOURCES_FILE": sources_path, **settings})
    with pytest.raises(error):
        FeedsSpider.from_crawler(crawler, **kwargs)


def test_invalid_sources_file_is_an_error_even_for_urls(tmp_path: Path) -> None:
    path = write_sources(tmp_path / "bad.toml", "[[source]]\nname = 3\n")
    crawler = get_crawler(UrlsSpider, {"NEWSPIPE_SOURCES_FILE": path})
    with pytest.raises(SourcesError):
        UrlsSpider.from_crawler(crawler, urls="https://example.com/a-b-c")


def test_update_settings_turns_delay_and_concurrency_into_download_slots(sources_path: str) -> None:
    crawler = get_crawler(
        NewsSpider,
        {
            "NEWSPIPE_SOURCES_FILE": sources_path,
            "DOWNLOAD_SLOTS": {"alpha.example.com": {"randomize_delay": False}, "other.example": {"delay": 9}},
        },
    )
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    assert slots["alpha.example.com"] == {"randomize_delay": False, "delay": 2.5, "concurrency": 1}
    assert slots["www.alpha.example.com"] == {"delay": 2.5, "concurrency": 1}  # from the feed URL's host
    assert slots["beta.example.org"] == {"delay": 0.5}  # hostname: slot keys carry no port
    assert slots["other.example"] == {"delay": 9}
    assert "gamma.example.net" not in slots


def test_update_settings_leaves_a_bad_sources_file_to_the_spider(tmp_path: Path) -> None:
    crawler = get_crawler(NewsSpider, {"NEWSPIPE_SOURCES_FILE": str(tmp_path / "missing.toml")})
    assert crawler.settings.getdict("DOWNLOAD_SLOTS") == {}
    with pytest.raises(SourcesError):
        NewsSpider.from_crawler(crawler)


def test_spider_argument_sources_update_download_slots(sources_path: str, tmp_path: Path) -> None:
    # A bare Crawler, as `crawl()` has it when it creates the spider: settings not frozen yet
    # (get_crawler freezes them).
    crawler = Crawler(NewsSpider, {"NEWSPIPE_SOURCES_FILE": str(tmp_path / "missing.toml")})
    NewsSpider.from_crawler(crawler, sources=sources_path, source="beta")
    assert crawler.settings.getdict("DOWNLOAD_SLOTS") == {"beta.example.org": {"delay": 0.5}}
