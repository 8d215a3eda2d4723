"""Smoke test of `benchmarks.warc_import` on a tiny WARC: the file it builds, the copies'
distinct canonical URLs, and the structure of its throughput and memory results (no timings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpora import default_corpora_root
from benchmarks.warc_import import (
    SourcePage,
    build_warc,
    copy_url,
    distinct_variant,
    load_pages,
    measure_memory,
    measure_throughput,
    point_canonical_at,
    synthetic_pages,
)
from crawler.archives.reader import ArchivedPage, iter_archive
from pipelines.extraction import ExtractionOptions, extract_article
from pipelines.extraction.urls import canonicalize_url


@pytest.fixture(scope="module")
def pages() -> list[SourcePage]:
    real = load_pages(default_corpora_root())
    # Five real pages when the corpora are there (the smallest, to keep this quick); else synthetic ones.
    return sorted(real, key=lambda p: len(p.html))[:5] if real else synthetic_pages(5)


def test_copy_urls_survive_canonicalisation() -> None:
    assert copy_url("https://a.example/x?id=3#top", 0) == "https://a.example/x?id=3#top"
    assert copy_url("https://a.example/x?id=3#top", 2) == "https://a.example/x?id=3&np_copy=2"
    assert "np_copy=2" in canonicalize_url(copy_url("https://a.example/x", 2))


def test_copies_get_their_own_canonical_url() -> None:
    page = synthetic_pages(1)[0]
    assert 'rel="canonical"' in page.html
    url = copy_url(page.url, 1)
    copy = point_canonical_at(page.html, url)
    assert copy != page.html
    original = extract_article(page.html, page.url, options=ExtractionOptions(min_words=20))
    copied = extract_article(copy, url, options=ExtractionOptions(min_words=20))
    assert original and copied
    assert original.canonical_url == canonicalize_url(page.url)
    assert copied.canonical_url == canonicalize_url(url) != original.canonical_url


def test_build_warc_mixes_articles_and_other_records(pages: list[SourcePage], tmp_path: Path) -> None:
    warc = build_warc(tmp_path / "mix.warc.gz", pages, 41)
    assert warc.records == 41
    assert warc.pdfs == 1 and warc.html_200 >= len(pages) and warc.copies == warc.html_200 - len(pages)
    read = [e for e in iter_archive(Path(warc.path)) if isinstance(e, ArchivedPage)]
    assert len(read) == warc.responses == 20
    assert len({e.url for e in read}) == len(read)  # every capture under its own URL
    assert sum(e.status == 200 and "html" in e.content_type for e in read) == warc.html_200
    assert any("application/pdf" in e.content_type for e in read)


def test_throughput_and_memory_results(pages: list[SourcePage], tmp_path: Path) -> None:
    result = measure_throughput(pages, 15, 1, tmp_path)
    assert result["warc"]["records"] == 15 and result["all_ok"]
    assert [r["kind"] for r in result["runs"]] == ["extract", "import"]
    summary = result["summary"]
    for name in ("extract", "import"):
        row = summary[name]
        assert row["seconds"] > 0 and row["records_per_s"] > 0 and row["peak_rss_mib"] > 10
        assert 0 < row["cpu_seconds"] and row["articles_per_cpu_s"] > 0
        assert 0 < row["articles"] <= result["warc"]["html_200"]
    # The import extracts what extraction alone does: the same pages, the same decisions.
    assert summary["import"]["articles"] == summary["extract"]["articles"]
    imported = result["runs"][1]["detail"]
    assert imported["newspipe/store/new"] + imported.get("newspipe/store/duplicate", 0) == summary["import"]["articles"]
    assert summary["ratio_articles_per_s"] > 0 and summary["ratio_articles_per_cpu_s"] > 0
    assert len(summary["pair_ratios"]) == 1
    assert 0 < summary["import"]["extraction_share"] < 1 and 0 < summary["extract"]["extraction_share"] < 1
    assert summary["ratio_from_shares"] > 0

    memory = measure_memory(pages, [9, 15], tmp_path, single_run=False)
    assert [run["records"] for run in memory["runs"]] == [9, 15]
    assert all(run["ok"] and run["peak_rss_mib"] > 10 for run in memory["runs"])
    assert memory["ratio_largest_to_smallest"] > 0

    # One import of the largest file, measured as it reads each size (and every 10 records).
    memory = measure_memory(pages, [9, 25], tmp_path, every=10)
    assert [run["records"] for run in memory["runs"]] == [25] and memory["ok"]
    marks = memory["milestones"]
    assert [m["records"] for m in marks] == [9, 11, 21, 25]  # response n is record 2n + 1: one line per record read
    assert all(0 < m["rss_kib"] <= m["peak_rss_kib"] for m in marks)
    assert [m["html_200"] for m in marks] == sorted(m["html_200"] for m in marks) and marks[-1]["html_200"] <= memory["runs"][0]["html_200"]
    assert memory["ratio_largest_to_smallest"] > 0 and memory["ratio_between_milestones"] > 0


def test_distinct_variants_are_new_articles_to_the_store(pages: list[SourcePage], tmp_path: Path) -> None:
    # The memory runs: every repeat of a page is a distinct article, not an exact or near copy.
    from dedup.signatures import signature_bytes, similarity

    page = synthetic_pages(1)[0]
    first, second = distinct_variant(page.html, 1), distinct_variant(page.html, 2)
    assert first != page.html and second != first
    assert first.count("<p>") == page.html.count("<p>")  # the markup stays
    bodies = [extract_article(h, page.url, options=ExtractionOptions(min_words=20)) for h in (page.html, first, second)]
    assert all(bodies)
    signatures = [signature_bytes(b.body) for b in bodies if b]
    assert all(signatures)
    assert max(similarity(a, b) for i, a in enumerate(signatures) for b in signatures[i + 1 :] if a and b) < 0.5
    memory = measure_memory(pages, [15], tmp_path)
    assert memory["runs"][0]["stored_duplicate"] == 0 and memory["runs"][0]["stored_new"] > 0
