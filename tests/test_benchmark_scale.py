"""`benchmarks.scale`: the generated site's truth (copies on other hosts, one sentence changed),
the scoring of stored rows, and a tiny run of the whole benchmark with one and two workers
against the test PostgreSQL and Redis (no timing or memory assertions: those are figures)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks.scale import ScaleSite, main, score
from tests.conftest import POSTGRES_URL, REDIS_URL, require_postgres, require_redis

pytestmark = pytest.mark.slow

_PARAGRAPH = re.compile(r"<p>([^<]{120,})</p>")


def test_copies_sit_on_other_hosts_and_differ_by_one_sentence() -> None:
    site = ScaleSite(100, 10, 0.1)
    assert len(site.pages) == len(site.by_url) == 100 and site.copies == 10
    copies = [p for p in site.pages if p.original is not None]
    assert len({p.original for p in copies}) == 10
    for copy in copies:
        original = site.pages[copy.original]
        assert copy.host != original.host
        mine = _PARAGRAPH.findall(site.html(copy).decode())
        theirs = _PARAGRAPH.findall(site.html(original).decode())
        assert len(mine) == len(theirs)
        changed = [(a, b) for a, b in zip(mine, theirs) if a != b]
        assert len(changed) == 1  # one paragraph, and in it one sentence
        assert sum(x != y for x, y in zip(changed[0][0].split("."), changed[0][1].split("."))) == 1
    bodies = {tuple(_PARAGRAPH.findall(site.html(p).decode())) for p in site.pages if p.original is None}
    assert len(bodies) == 90  # originals are distinct


def test_pages_and_sitemaps_are_served_by_absolute_url() -> None:
    site = ScaleSite(30, 3, 0.1)
    listed = set()
    for host in range(3):
        sitemap = site.get(f"http://host{host:03d}.example/sitemap.xml")
        assert sitemap is not None
        listed |= set(re.findall(r"<loc>([^<]+)</loc>", sitemap.decode()))
    assert listed == set(site.by_url)
    assert site.get("http://host000.example/missing") is None
    assert b"<html" in site[next(iter(site.by_url))].lower()


def test_score_counts_pairs_by_story_and_worker() -> None:
    site = ScaleSite(20, 4, 0.1)
    copy, other = (p for p in site.pages if p.original is not None)
    originals = [p for p in site.pages if p.original is None]
    rows = [(site.url(p), n, 1) for n, p in enumerate(originals)]
    story_of = {site.url(p): n for n, p in enumerate(originals)}
    rows.append((site.url(copy), story_of[site.url(site.pages[copy.original])], 2))  # found, by another worker
    rows.append((site.url(other), 99, 1))  # missed
    result = score(site, rows)
    assert result["exactly_once"] and result["stored"] == 20
    assert result["recall"] == 0.5 and result["precision"] == 1.0
    assert result["cross_worker_pairs"] == 1 and result["cross_worker_recall"] == 1.0
    # A wrong merge costs precision; a repeat and a missing article break "exactly once".
    rows[2] = (rows[2][0], rows[1][1], 1)  # originals 1 and 2 (neither has a copy) in one story
    rows[4] = rows[3]
    result = score(site, rows)
    assert result["precision"] == 0.5 and not result["exactly_once"] and result["missing"] == 1
    missing_url = next(iter(set(site.by_url) - {r[0] for r in rows}))
    assert result["missing_by_host"] == {urlsplit(missing_url).hostname: 1}  # where to look: that host's logs


@pytest.mark.postgres
def test_a_tiny_run_stores_every_article_once(tmp_path: Path) -> None:
    require_postgres()
    require_redis()
    out = tmp_path / "scale.json"
    code = main(["--articles", "40", "--hosts", "4", "--workers", "1", "2", "--stall", "60",
                 "--redis", REDIS_URL, "--db", POSTGRES_URL, "--json", str(out)])  # fmt: skip
    result = json.loads(out.read_text())
    runs = result["runs"]
    assert [r["workers"] for r in runs] == [1, 2]
    for run in runs:
        assert run["exactly_once"] and run["stored"] == 40, run
        assert run["true_pairs"] == 4 and run["predicted_pairs"] > 0
        assert len(run["rss_mib_end"]) == run["workers"] and run["rows_read_per_article"] > 0
    assert code == 0
