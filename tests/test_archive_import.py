"""WARC import (`newspipe backfill --warc`): the demo site captured to a WARC file and imported
gives the same articles as a live crawl, once; damaged files are counted, not fatal."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crawler.archives.reader import ArchivedPage, Skipped, expand_paths, iter_archive
from newspipe.demo import DemoSite
from sqlalchemy import text

from storage.engine import Database
from tests.test_e2e_demo import exported, newspipe, run_stats
from tests.warcutil import write_warc

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo() -> DemoSite:
    with DemoSite() as site:
        yield site


def demo_urls(site: DemoSite) -> list[str]:
    truth = site.expected()
    # What a polite crawler could have captured: robots.txt keeps /private/ out of any archive of ours.
    pages = [a["url"] for a in truth["articles"]] + [p["url"] for p in truth["not_stored"] if p["why"] != "robots"]
    aliases = [u for a in truth["articles"] for u in a.get("alias_urls", [])]
    return pages + aliases


@pytest.fixture(scope="module")
def demo_warc(demo: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warc(tmp_path_factory.mktemp("warc") / "demo.warc.gz", demo_urls(demo), extra_records=3, opener=demo.opener())


def test_reader_streams_responses_with_provenance(demo_warc: Path, demo: DemoSite) -> None:
    entries = list(iter_archive(demo_warc))
    pages = [e for e in entries if isinstance(e, ArchivedPage)]
    assert len(pages) == len(demo_urls(demo))  # warcinfo and metadata records are not pages
    assert all(p.archive == str(demo_warc) and p.offset > 0 for p in pages)
    assert len({p.offset for p in pages}) == len(pages)
    assert pages[0].captured_at.isoformat() == "2025-11-06T10:00:00+00:00"
    assert not [e for e in entries if isinstance(e, Skipped)]


def test_truncated_file_keeps_what_came_before(demo_warc: Path, tmp_path: Path) -> None:
    data = gzip.decompress(demo_warc.read_bytes())
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data[: len(data) // 2] + b"\r\nWARC/1.0\r\nWARC-Type: resp")  # cut in the middle of a record
    entries = list(iter_archive(broken))
    pages = [e for e in entries if isinstance(e, ArchivedPage)]
    assert pages, "the records before the damage must still be read"
    assert isinstance(entries[-1], Skipped) and entries[-1].reason == "truncated"


def test_expand_paths(demo_warc: Path) -> None:
    assert expand_paths([str(demo_warc.parent / "*.warc.gz")]) == [demo_warc]
    with pytest.raises(FileNotFoundError, match="no archive file matches"):
        expand_paths([str(demo_warc.parent / "*.arc")])


def test_import_equals_live_crawl_and_is_idempotent(demo: DemoSite, demo_warc: Path, db_url: str, tmp_path: Path) -> None:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    result = newspipe("backfill", str(sources), "--warc", str(demo_warc), "--db", db_url, "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    imported = exported(db_url)

    live_db = f"sqlite:///{tmp_path / 'live.db'}"
    live = newspipe("crawl", str(sources), "--db", live_db, "--no-progress")
    assert live.returncode == 0, live.stderr[-3000:]
    crawled = exported(live_db)

    def story(rows: list[dict]) -> set[tuple]:
        return {(r["source"], r["canonical_url"], r["headline"], r["published_at"], r["duplicate_of"], tuple(r["authors"])) for r in rows}

    assert story(imported) == story(crawled)
    assert {r["fetched_at"] for r in imported} == {"2025-11-06T10:00:00+00:00"}  # the capture time
    with Database(db_url) as database, database.engine.connect() as connection:
        provenance = connection.execute(text("SELECT archive_file, archive_offset FROM v_articles_latest")).all()
        stories = connection.execute(text("SELECT articles_in_story FROM v_stories")).scalars().all()
    assert len(provenance) == len(imported)
    assert {f for f, _ in provenance} == {str(demo_warc)} and all(offset > 0 for _, offset in provenance)
    assert len({offset for _, offset in provenance}) == len(provenance)
    # The analysts' story view: one row per story; the syndicated copy shares its original's.
    assert len(stories) == len(imported) - 1 and sorted(stories)[-1] == 2

    again = newspipe("backfill", str(sources), "--warc", str(demo_warc), "--db", db_url, "--no-progress")
    assert again.returncode == 0, again.stderr[-3000:]
    assert exported(db_url) == imported
    latest = run_stats(db_url)["runs"][0]
    assert latest["spider"] == "warc" and latest["counts"]["articles_new"] == 0


def test_language_filter_and_missing_files(demo_warc: Path, sqlite_url: str) -> None:
    french_only = newspipe("backfill", "--warc", str(demo_warc), "--language", "fr", "--db", sqlite_url, "--no-progress")
    assert french_only.returncode == 0, french_only.stderr[-3000:]
    assert exported(sqlite_url) == []  # the demo site is English
    missing = newspipe("backfill", "--warc", "/nonexistent/*.warc.gz", "--db", sqlite_url)
    assert missing.returncode == 2 and "no archive file matches" in missing.stderr


def test_a_crawl_recorded_with_warc_dir_replays_to_the_same_articles(demo: DemoSite, tmp_path: Path) -> None:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    live_db, replay_db = f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'replay.db'}"
    live = newspipe("crawl", str(sources), "--db", live_db, "--no-progress", "--warc-dir", str(tmp_path / "warcs"))
    assert live.returncode == 0, live.stderr[-3000:]
    (recorded,) = (tmp_path / "warcs").glob("newspipe-*.warc.gz")
    pages = [e for e in iter_archive(recorded) if isinstance(e, ArchivedPage)]
    assert len(pages) >= len(demo.expected()["articles"])
    replay = newspipe("backfill", str(sources), "--warc", str(recorded), "--db", replay_db, "--no-progress")
    assert replay.returncode == 0, replay.stderr[-3000:]

    def stories(url: str) -> set[tuple]:
        return {(r["source"], r["canonical_url"], r["headline"], r["published_at"], r["duplicate_of"]) for r in exported(url)}

    assert stories(replay_db) == stories(live_db)


def _story_page(n: int) -> bytes:
    words = " ".join(f"Paragraph {p} of story {n} says the council met to talk about roads, schools and the library." for p in range(8))
    return (f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n} headline</h1>"
            f"<p>{words}</p></article></body></html>").encode()


@pytest.mark.parametrize("recent_urls", [None, "1"])
def test_a_url_captured_twice_is_stored_once_and_its_repeat_counted(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, recent_urls: str | None) -> None:
    # The dedup pipeline remembers only the most recent URLs (NEWSPIPE_DEDUP_RECENT_URLS): with one,
    # the repeat below is forgotten by the time it comes, and the store must still keep one row.
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    urls = [f"https://127.0.0.2/news/story-{n}.html" for n in range(3)]
    warc = tmp_path / "twice.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in (0, 1, 2, 0):
            body = _story_page(n)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(urls[n], "response", payload=BytesIO(body), http_headers=headers,
                                                          warc_headers_dict={"WARC-Date": "2025-11-06T10:00:00Z"}))
    if recent_urls:
        monkeypatch.setenv("NEWSPIPE_DEDUP_RECENT_URLS", recent_urls)
    result = newspipe("backfill", "--warc", str(warc), "--db", sqlite_url, "--no-progress", "--log-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert sorted(r["canonical_url"] for r in exported(sqlite_url)) == urls
    counts = run_stats(sqlite_url)["runs"][0]["counts"]
    assert counts["articles_new"] == 3
    if recent_urls:  # forgotten by the pipeline: the store found it stored
        assert counts["articles_existing"] == 1
    else:  # remembered: dropped before the store
        assert counts["articles_existing"] == 0 and "'newspipe/dedup/same_url_in_run': 1" in result.stderr
