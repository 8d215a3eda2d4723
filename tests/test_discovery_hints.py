"""What Google News and image sitemaps carry besides dates and titles: kept on the entry, passed
in request meta as JSON, used by the extract pipeline only where the page has none."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from crawlutil import FixtureServer, fixture_server, run_crawl, write_sources  # noqa: F401
from scrapy.utils.test import get_crawler

from crawler.discovery import parse_sitemap
from crawler.items import Article
from pipelines.extract import ExtractPipeline

BASE = "https://news.example.com"
NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>__BASE__/2025/10/28/1859/</loc>
    <news:news>
      <news:publication><news:name>Der Beispiel-Bote</news:name><news:language>de</news:language></news:publication>
      <news:genres>PressRelease, Blog</news:genres>
      <news:publication_date>2025-10-28T08:00:00+01:00</news:publication_date>
      <news:title>Brücke wird saniert</news:title>
      <news:keywords>Verkehr, Brücken ,Stadtrat, Verkehr</news:keywords>
    </news:news>
    <image:image><image:loc>__BASE__/img/1.jpg</image:loc><image:caption>Die alte Brücke</image:caption></image:image>
    <image:image><image:loc>__BASE__/img/2.jpg</image:loc></image:image>
  </url>
  <url><loc>__BASE__/2025/10/29/plain/</loc></url>
</urlset>
"""
PAGE = """<html><head><title>Brücke wird saniert</title>{meta}</head><body><article><h1>Brücke wird saniert</h1>
<p>{text}</p></article></body></html>"""
TEXT = "Die Stadt beginnt am Montag mit der Sanierung der alten Brücke über den Fluss, sagte der Stadtrat. " * 8


def test_news_and_image_values_are_kept_on_the_entry() -> None:
    first, plain = parse_sitemap(NEWS.replace("__BASE__", BASE), f"{BASE}/news.xml").entries
    assert first.keywords == ("Verkehr", "Brücken", "Stadtrat")
    assert first.genres == ("PressRelease", "Blog")
    assert (first.publication, first.language) == ("Der Beispiel-Bote", "de")
    assert first.image_captions == ("Die alte Brücke",)
    assert first.published_at == datetime(2025, 10, 28, 7, tzinfo=timezone.utc)
    assert (plain.keywords, plain.language, plain.image_captions) == ((), None, ())


def _article(html: str, **hints) -> Article:
    url = f"{BASE}/2025/10/28/1859/"
    return Article(
        url=url, response_url=url, source="bote", status=200, content_type="text/html", html=html,
        fetched_at=datetime(2025, 10, 29, tzinfo=timezone.utc), discovered_via="sitemap", **hints,
    )  # fmt: skip


def test_extract_pipeline_uses_the_hints_only_where_the_page_has_none() -> None:
    pipeline = ExtractPipeline.from_crawler(get_crawler())
    bare = pipeline.process_item(_article(PAGE.format(meta="", text=TEXT), hint_tags=["Verkehr"], language_hint="de"))
    assert bare.record.tags == ["Verkehr"]
    assert bare.record.language == "de"
    own = '<meta name="keywords" content="Sanierung">'
    tagged = pipeline.process_item(_article(PAGE.format(meta=own, text=TEXT), hint_tags=["Verkehr"]))
    assert tagged.record.tags == ["Sanierung"]


def test_crawl_passes_the_hints_in_json_meta(tmp_path: Path, fixture_server: FixtureServer) -> None:
    s = fixture_server
    s.route("/news.xml", NEWS.replace("__BASE__", s.base), content_type="application/xml")
    text = f'[[source]]\nname = "bote"\ndomains = ["{s.netloc}"]\nlanguage = "en"\nsitemaps = [{s.url("/news.xml")!r}]\n'
    path = write_sources(tmp_path / "sources.toml", text)
    result = run_crawl("sitemaps", {"NEWSPIPE_SOURCES_FILE": path, "NEWSPIPE_SINCE": "2025-10-01", "NEWSPIPE_UNTIL": "2025-10-31"})
    assert result.error is None, result.error
    by_url = {item.url: item for item in result.items}
    hinted = by_url[s.url("/2025/10/28/1859/")]
    assert hinted.hint_tags == ["Verkehr", "Brücken", "Stadtrat"]
    assert hinted.language_hint == "de"  # the sitemap's, over the source's "en"
    assert by_url[s.url("/2025/10/29/plain/")].language_hint == "en"
