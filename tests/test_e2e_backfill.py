"""Coverage-aware backfills: a source's sitemaps and date archive pages over a window, gaps
shown by `coverage`, and `--missing` fetching only the days with nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpsite import Site
from tests.test_e2e_demo import exported, newspipe

pytestmark = pytest.mark.e2e

PARAGRAPH = "<p>The district council met on {day} October to discuss the {topic}, and residents filled the hall to hear the plans for the coming year in detail.</p>"


def article(topic: str, day: int) -> str:
    body = "".join(PARAGRAPH.format(day=day, topic=topic) + f"<p>Paragraph {i} on the {topic} adds figures, quotes from councillors and the timetable agreed at the meeting.</p>" for i in range(4))
    return (
        f'<html lang="en"><head><title>{topic.title()} | Dale Post</title>'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{topic.title()}", '
        f'"datePublished": "2025-10-{day:02d}T08:00:00+00:00"}}</script></head>'
        f"<body><article><h1>{topic.title()}</h1>{body}</article></body></html>"
    )


def archive(links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">Council story</a></li>' for href in links)
    return f"<html><body><h1>Archive</h1><ul>{items}</ul></body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    html = "text/html; charset=utf-8"
    stories = {1: "library hours", 2: "bus timetable", 3: "park benches"}
    for day, topic in stories.items():
        slug = topic.replace(" ", "-")
        s.pages[f"/2025/10/{day:02d}/"] = (html, archive([f"/2025/10/{day:02d}/{slug}/"]))
        s.pages[f"/2025/10/{day:02d}/{slug}/"] = (html, article(topic, day))
    s.pages["/2025/09/15/old-bridge/"] = (html, article("old bridge", 15).replace("2025-10-15", "2025-09-15"))
    s.pages["/sitemap.xml"] = ("application/xml", (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{s.base}/2025/09/15/old-bridge/</loc><lastmod>2025-09-15</lastmod></url>"
        f"<url><loc>{s.base}/2025/10/02/bus-timetable/</loc><lastmod>2025-10-02</lastmod></url></urlset>"
    ))  # fmt: skip
    yield s
    s.server.shutdown()


def test_backfill_coverage_and_missing_days(site: Site, sqlite_url: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "dale-post"\nsitemaps = ["{site.base}/sitemap.xml"]\n'
        f'archives = ["{site.base}/{{year}}/{{month}}/{{day}}/"]\nrobots_sitemaps = false\ndelay = 0\n',
        encoding="utf-8",
    )
    first = newspipe("backfill", str(sources), "--source", "dale-post", "--since", "2025-10-01", "--until", "2025-10-02", "--db", sqlite_url, "--no-progress")
    assert first.returncode == 0, first.stderr[-3000:]
    stored = {r["canonical_url"].removeprefix(site.base) for r in exported(sqlite_url)}
    assert stored == {"/2025/10/01/library-hours/", "/2025/10/02/bus-timetable/"}
    assert site.hits["/2025/10/03/"] == 0 and site.hits["/2025/09/15/old-bridge/"] == 0  # outside the window

    coverage = newspipe("coverage", "--since", "2025-10-01", "--until", "2025-10-03", "--json", "--db", sqlite_url)
    assert coverage.returncode == 0, coverage.stderr
    days = {d["day"]: d["dale-post"] for d in json.loads(coverage.stdout)["days"]}
    assert days == {"2025-10-01": 1, "2025-10-02": 1, "2025-10-03": 0}

    site.hits.clear()
    missing = newspipe("backfill", str(sources), "--source", "dale-post", "--since", "2025-10-01", "--until", "2025-10-03", "--missing", "--db", sqlite_url, "--no-progress")
    assert missing.returncode == 0, missing.stderr[-3000:]
    assert site.hits["/2025/10/03/"] == 1
    assert site.hits["/2025/10/01/"] == 0 and site.hits["/2025/10/02/"] == 0  # days already covered
    assert "/2025/10/03/park-benches/" in {r["canonical_url"].removeprefix(site.base) for r in exported(sqlite_url)}


def test_backfill_needs_a_window_or_warc(tmp_path: Path, sqlite_url: str) -> None:
    result = newspipe("backfill", "--db", sqlite_url)
    assert result.returncode == 2 and "--warc FILE" in result.stderr
