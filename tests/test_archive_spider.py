"""The `warc` spider on its own: which captures become items, stored URLs skipped with one
query per chunk of records, and no downloader stack built for an import."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import crawler.spiders.warc as warc_module
from crawler.runner import build_settings
from crawler.spiders.warc import WarcSpider
from dedup.fingerprint import content_hash
from storage.engine import Database
from dedup.stories import Stories
from storage.repository import ArticleRepository
from tests.newarticles import new_article

PAGE = "<html><head><title>{n}</title></head><body><article><h1>Story {n}</h1><p>Text of story {n}.</p></article></body></html>"


def write_captures(path: Path, captures: list[tuple[str, str, str]]) -> Path:
    """(url, status line, content type) per response record, after a warcinfo record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newspipe tests"}))
        for n, (url, status, mime) in enumerate(captures):
            body = PAGE.format(n=n).encode()
            headers = StatusAndHeaders(status, [("Content-Type", mime), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                               warc_headers_dict={"WARC-Date": "2025-11-06T10:00:00Z"})
            writer.write_record(record)
    return path


def store_urls(db_url: str, urls: list[str]) -> None:
    with Database(db_url) as database, database.sessions.begin() as session:
        repository = Stories(session)
        for n, url in enumerate(urls):
            body = f"stored body {n}"
            repository.save(new_article(source="example.org", url=url, canonical_url=url, headline=f"h{n}", body=body,
                                        content_hash=content_hash(body), fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc)))


def run_start(spider: WarcSpider) -> list:
    async def collect() -> list:
        return [item async for item in spider.start()]

    return asyncio.run(collect())


def test_stored_urls_are_skipped_with_one_lookup_per_chunk(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    urls = [f"https://example.org/news/story-{n}.html" for n in range(7)]
    captures = [(u, "200 OK", "text/html; charset=utf-8") for u in urls]
    captures.insert(3, ("https://example.org/gone", "404 Not Found", "text/html"))
    captures.insert(5, ("https://example.org/feed.xml", "200 OK", "application/rss+xml"))
    # One stored exactly as captured; one stored under its canonical form (the capture has tracking).
    captures[captures.index((urls[4], "200 OK", "text/html; charset=utf-8"))] = (urls[4] + "?utm_source=feed", "200 OK", "text/html")
    warc = write_captures(tmp_path / "t.warc.gz", captures)
    store_urls(sqlite_url, [urls[1], urls[4]])

    lookups: list[int] = []
    known_urls = ArticleRepository.known_urls

    def counting(self: ArticleRepository, wanted):  # type: ignore[no-untyped-def]
        wanted = list(wanted)
        lookups.append(len(wanted))
        return known_urls(self, wanted)

    monkeypatch.setattr(ArticleRepository, "known_urls", counting)
    monkeypatch.setattr(warc_module, "LOOKUP_RECORDS", 3)
    crawler = get_crawler(WarcSpider, {"NEWSPIPE_DATABASE_URL": sqlite_url, "NEWSPIPE_SOURCES_FILE": None, "NEWSPIPE_INCREMENTAL": False})
    crawler.spider = spider = WarcSpider.from_crawler(crawler, paths=str(warc))
    items = run_start(spider)

    assert [i.url for i in items] == [urls[0], urls[2], urls[3], urls[5], urls[6]]
    assert all(i.archive_file == str(warc) and i.archive_offset > 0 and i.discovered_via == "warc" for i in items)
    assert items[0].fetched_at == datetime(2025, 11, 6, 10, tzinfo=timezone.utc) and items[0].source == "example.org"
    # 7 HTML captures worth extracting, 3 to a chunk: 3 lookups, not 7.
    assert len(lookups) == 3
    stats = crawler.stats.get_stats()
    assert stats["newspipe/warc/skipped/already_stored"] == 2
    assert stats["newspipe/warc/skipped/http_404"] == 1 and stats["newspipe/warc/skipped/not_html"] == 1
    assert stats["newspipe/warc/records"] == 9


def test_an_import_builds_no_downloader_stack() -> None:
    settings = build_settings({"NEWSPIPE_SOURCES_FILE": None})  # as `newspipe backfill` builds them
    WarcSpider.update_settings(settings)
    assert not settings.getwithbase("DOWNLOAD_HANDLERS") and not settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    extensions = settings.get_component_priority_dict_with_base("EXTENSIONS")
    assert warc_module.REMOTE_CONTROL not in extensions
    # The project's own extensions stay: the run is recorded, progress shown.
    assert "crawler.extensions.CrawlRunRecorder" in extensions and "scrapy.extensions.corestats.CoreStats" in extensions
