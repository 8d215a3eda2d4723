"""Bad input end to end: every broken thing a crawl meets is counted with its reason, the crawl
goes on, and no junk article is stored; a feed or sitemap that cannot be parsed fails the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.httpsite import Site
from tests.test_e2e_demo import exported, newspipe, run_stats

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
STORY = "".join(
    f"<p>Paragraph {i}: the harbour board voted on Tuesday to rebuild the north quay, and the fishermen's "
    f"association welcomed the decision after years of delays and rising repair costs.</p>"
    for i in range(5)
)


def test_broken_pages_feeds_and_sitemaps_are_counted_skips(sqlite_url: str, tmp_path: Path) -> None:
    site = Site()
    html = "text/html; charset=utf-8"
    pages = {
        "/news/malformed-page/": (html, "<html><body><div><p>Broken <b>page <i>with</p></div"),
        "/news/report-as-pdf/": ("application/pdf", PDF),
        "/news/photo-as-png/": ("image/png", PNG),
        "/news/pdf-called-html/": (html, PDF),
        "/news/empty-answer/": (html, ""),
        "/news/impossible-date/": (html, (
            '<html lang="en"><head><title>Quay rebuild approved</title>'
            '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Quay rebuild approved",'
            '"datePublished":"2025-13-45T99:00:00"}</script></head>'
            f"<body><article><h1>Quay rebuild approved</h1>{STORY}</article></body></html>"
        )),
        "/news/cp1252-page/": ("text/html; charset=windows-1252", (
            "<html lang='fr'><head><title>Le café du port rouvre</title></head><body><article>"
            "<h1>Le café du port rouvre</h1>"
            + "".join(f"<p>Paragraphe {i} : le café du port a rouvert ses portes après les travaux de l'été, à la grande joie des habitués du quai.</p>" for i in range(6))
            + "</article></body></html>"
        ).encode("cp1252")),
    }  # fmt: skip
    site.pages.update(pages)
    items = "".join(f"<item><title>{p}</title><link>{site.base}{p}</link></item>" for p in pages)
    site.pages["/feed.xml"] = ("application/rss+xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay News</title>{items}</channel></rss>')
    site.pages["/broken-feed.xml"] = ("application/rss+xml", "<rss><channel><item><title>unterminated")
    site.pages["/broken-sitemap.xml"] = ("application/xml", b"\x00\x01binary junk, not a sitemap")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "quay-news"\nfeeds = ["{site.base}/feed.xml", "{site.base}/broken-feed.xml"]\n'
        f'sitemaps = ["{site.base}/broken-sitemap.xml"]\nrobots_sitemaps = false\ndelay = 0\n',
        encoding="utf-8",
    )
    try:
        result = newspipe("crawl", str(sources), "--db", sqlite_url, "--no-progress")
    finally:
        site.stop()
    # The crawl went on, and ends with 1: a feed and a sitemap could not be read (crawler.outcome).
    assert result.returncode == 1, result.stderr[-3000:]
    assert "1 feeds that could not be parsed, 1 sitemaps that could not be parsed" in result.stderr

    rows = {r["canonical_url"].removeprefix(site.base): r for r in exported(sqlite_url)}
    assert set(rows) == {"/news/impossible-date/", "/news/cp1252-page/"}, "only the real articles are stored"
    assert rows["/news/impossible-date/"]["headline"] == "Quay rebuild approved"
    assert rows["/news/impossible-date/"]["published_at"] is None  # the impossible date is not invented into one
    assert rows["/news/cp1252-page/"]["headline"] == "Le café du port rouvre"  # decoded as the server said
    assert "\ufffd" not in rows["/news/cp1252-page/"]["body"]

    counts = run_stats(sqlite_url)["runs"][0]["counts"]
    assert counts["discovery/skipped/malformed_feed"] == 1
    assert counts["discovery/skipped/malformed_sitemap"] == 1
    assert counts["extract/skipped/not_html"] == 3  # PDF, PNG, and PDF bytes called HTML
    assert counts["extract/skipped/empty"] == 1
    # The malformed fragment: no headline and too little text, whichever is seen first.
    assert counts.get("extract/skipped/no_headline", 0) + counts.get("extract/skipped/too_short", 0) == 1
    assert counts["skipped"] == 5 and counts["errors"] == 0
    assert json.dumps(counts)  # plain, JSON-ready counts for `stats --json`
