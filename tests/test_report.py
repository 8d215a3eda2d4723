"""`newspipe report`: a self-contained HTML file whose plots a real browser draws, that names the
sources that broke first, at a thousand sources as at three."""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import subprocess
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newspipe.cli import app
from newspipe.health_report import CALM, HEAT, VOLUME_COLOUR
from dedup.fingerprint import content_hash
from storage.bulk import BulkInsert
from storage.engine import Database
from storage.models import Article, CrawlRun, FetchState, Source, Story
from dedup.stories import Stories
from storage.repository import ArticleRepository
from tests.newarticles import new_article

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FIRST = date(2025, 10, 1)
DAYS = 60
BREAK_DAY = FIRST + timedelta(days=45)  # pub-0421 stores nothing from here on, its pages fail
NO_DATES_DAY = FIRST + timedelta(days=50)  # pub-0777 loses its publication dates from here on


def fill_small(db_url: str) -> date:
    """Three sources over the last 30 days through the repository, as a crawl stores them (the
    runs start today: the report's last day is today, still under way). The day the gazette broke."""
    start = datetime.combine(date.today() - timedelta(days=30), time(8), tzinfo=timezone.utc)
    with Database(db_url) as database, database.sessions.begin() as session:
        repo = Stories(session)
        for day in range(30):
            run = repo.repository.start_run("news", {})
            for source, per_day in (("herald", 3), ("times", 2), ("gazette", 1)):
                for n in range(per_day):
                    body = f"Story {day}-{n} from the {source} about the harbour. " * 40
                    fetched = start + timedelta(days=day, minutes=n)
                    repo.save(
                        new_article(
                            source=source, url=f"https://{source}.example/{day}/{n}", canonical_url=f"https://{source}.example/{day}/{n}",
                            headline=f"Story {day}-{n}", body=body, content_hash=content_hash(body), fetched_at=fetched,
                            published_at=fetched, authors=["Ana Ruiz"] if source == "herald" else [],
                            # the gazette's extraction breaks on day 20: no body any more
                            word_count=320 if source != "gazette" or day < 20 else 12, language="en",
                        ),  # fmt: skip
                        run,
                    )
            repo.repository.finish_run(run, status="finished", reason="finished", error_count=day % 3,
                                       counts={"pages_fetched": 8, "articles_new": 6, "articles_duplicate": 0})  # fmt: skip
    return start.date() + timedelta(days=20)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def fill_thousand(db_url: str) -> int:
    """1,000 sources x 60 days (about 100,000 articles) in bulk: sizes from 0.3 to 60 a day, fewer
    at weekends, some sources never name authors; pub-0421 breaks on BREAK_DAY, pub-0777 on NO_DATES_DAY."""
    rng = random.Random(16)
    now = datetime(2025, 12, 1, tzinfo=timezone.utc)
    sources, stories, articles, failures, runs = [], [], [], [], []
    day_totals = [0] * DAYS
    hours = [datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(DAYS * 24)]
    for s in range(1000):
        name = f"pub-{s:04d}"
        sources.append((s + 1, name, [f"{name}.example"], now))
        mean = {421: 12.0, 777: 8.0}.get(s, min(rng.lognormvariate(0.0, 1.0), 60.0))
        authors = [] if s % 5 == 0 else ["Ana Ruiz"]
        for d in range(DAYS):
            day = FIRST + timedelta(days=d)
            count = _poisson(rng, mean * (0.5 if day.weekday() >= 5 else 1.15))
            if s == 421 and day >= BREAK_DAY:
                failures.extend((f"https://{name}.example/{d}/f{n}", "article", 200, "not_article/no_headline",
                                 datetime(2025, 10, 1, 6, tzinfo=timezone.utc) + timedelta(days=d, minutes=n)) for n in range(count))  # fmt: skip
                continue
            for n in range(count):
                article_id = len(articles) + 1
                fetched = hours[d * 24 + int(rng.random() * 24)]  # few distinct values: converted once each
                dated = rng.random() < 0.97 and not (s == 777 and day >= NO_DATES_DAY)
                url = f"https://{name}.example/{d}/{n}"
                stories.append((article_id, now, now))
                articles.append((article_id, s + 1, url, url, "A headline", "", f"{article_id:064x}", fetched if dated else None,
                                 authors, [], 40 if rng.random() < 0.02 else 400, fetched, now, article_id, 1, "full"))  # fmt: skip
            day_totals[d] += count
    for d, total in enumerate(day_totals):
        started = datetime(2025, 10, 1, 6, tzinfo=timezone.utc) + timedelta(days=d)
        status = "failed" if d == 30 else "finished"
        counts = {"pages_fetched": int(total * 1.3), "articles_new": total, "articles_duplicate": total // 20}
        runs.append((d + 1, "news", status, started, started + timedelta(minutes=20 + d % 15), {}, counts, 3 + (40 if d == 30 else d % 4)))
    with Database(db_url) as database, database.sessions.begin() as session:
        bulk = BulkInsert(session.connection())
        bulk.add(Source.__table__, ("id", "name", "domains", "created_at"), sources)
        bulk.add(CrawlRun.__table__, ("id", "spider", "status", "started_at", "finished_at", "arguments", "counts", "error_count"), runs)
        bulk.add(Story.__table__, ("id", "created_at", "updated_at"), stories)
        bulk.add(Article.__table__, ("id", "source_id", "url", "canonical_url", "headline", "body", "content_hash", "published_at",
                                     "authors", "tags", "word_count", "fetched_at", "created_at", "story_id", "version", "stored_as"), articles)  # fmt: skip
        bulk.add(FetchState.__table__, ("url", "kind", "last_status", "outcome", "checked_at"), failures)
        bulk.execute()
    return len(articles)


def run_report(db_url: str, out: Path) -> str:
    result = CliRunner().invoke(app, ["report", "--db", db_url, "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def attention_rows(html: str) -> list[tuple[str, str, str]]:
    """(source, what changed, since) of each "needs attention" row, in order."""
    table = re.search(r'<table id="attention">(.*?)</table>', html, re.S)
    assert table, "no needs-attention table"
    rows = re.findall(r'<tr><td>\d+</td><td><a href="#source-[^"]+">([^<]+)</a></td><td>(.*?)</td><td>(.*?)</td>', table.group(1))
    return rows


def screenshot(html_file: Path, tmp_path: Path, height: int) -> list[tuple[int, tuple[int, int, int]]]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from PIL import Image

    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--window-size=1000,{height}", f"--screenshot={shot}", html_file.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")
    return image.getcolors(maxcolors=image.width * image.height) or []


def pixels(colours: list[tuple[int, tuple[int, int, int]]], hex_colour: str) -> int:
    wanted = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(count for count, pixel in colours if pixel == wanted)


def assert_self_contained(html: str) -> None:
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r'(?:src|href)="(?!#)', html), "only in-page links"
    assert "http://" not in html and "https://" not in html


def test_small_report_is_self_contained_and_names_the_broken_source(sqlite_url: str, tmp_path: Path) -> None:
    broke = fill_small(sqlite_url)
    html = run_report(sqlite_url, tmp_path / "report.html")
    assert_self_contained(html)
    for part in ('id="attention"', 'id="heatmap"', 'id="runs"', 'id="source-herald"', 'id="source-times"', 'id="source-gazette"'):
        assert part in html
    [(name, change, since)] = attention_rows(html)
    assert (name, change) == ("gazette", "with body: 100% \u2192 0%") and since.startswith(f"{broke} (")
    assert html.count('<tr><td><a href="#source-') == 3  # every source in the per-source table


def test_thousand_sources_broken_one_first_and_drawn(sqlite_url: str, tmp_path: Path) -> None:
    stored = fill_thousand(sqlite_url)
    assert stored > 80_000
    out = tmp_path / "report.html"
    html = run_report(sqlite_url, out)
    assert_self_contained(html)
    assert out.stat().st_size < 5_000_000, out.stat().st_size
    rows = attention_rows(html)
    # The broken sources lead, each with the day it broke; small sources' bad weeks do not flap in.
    name, change, since = rows[0]
    assert name == "pub-0421" and re.fullmatch(r"articles per day: 1\d\.\d \u2192 0\.0<br>failed pages: 0% \u2192 100%", change), rows[0]
    assert since == f"{BREAK_DAY} (15 d)<br>{BREAK_DAY} (15 d)"
    assert rows[1] == ("pub-0777", "with date: 97% \u2192 0%", f"{NO_DATES_DAY} (10 d)")
    assert len(rows) == 2, rows
    heat = re.search(r'<svg id="heatmap".*?</svg>', html, re.S)
    assert heat and heat.group(0).count('class="row"') == 60  # 60 rows, worst first
    assert heat.group(0).index("pub-0421") < heat.group(0).index("pub-0777")
    assert html.count('id="source-pub-') == 1000  # every source reachable by its anchor

    colours = screenshot(out, tmp_path, 2600)
    # The heatmap is drawn (calm cells, and the broken row's days in the darkest red), and the run history.
    assert pixels(colours, CALM) > 50_000
    assert pixels(colours, HEAT[-1]) > 300
    assert pixels(colours, VOLUME_COLOUR) > 2_000


def test_health_figures_per_source_and_day(db_url: str) -> None:
    """The grouped queries give the same figures on SQLite and PostgreSQL: days of fetch in UTC,
    dates, authors (JSON lists), bodies, and failed pages given to their source by its domains."""
    from storage.health import DayCounts, collect
    from storage.state import FetchStateRepository, StateUpdate

    broke = fill_small(db_url)
    with Database(db_url) as database, database.sessions.begin() as session:
        session.execute(Source.__table__.update().where(Source.name == "times").values(domains=["times.example"]))
        FetchStateRepository(session).record([
            StateUpdate("https://www.times.example/x", "article", 404, outcome="gone"),
            StateUpdate("https://times.example/y", "article", 200, outcome="not_article/too_short"),
            StateUpdate("https://times.example/feed", "feed", 500),  # not an article page
            StateUpdate("https://elsewhere.example/z", "article", 404, outcome="gone"),  # no source owns it
        ])  # fmt: skip
    with Database(db_url) as database, database.sessions() as session:
        health = collect(session, days=60, min_body_words=50)
    today = date.today()
    assert health.days[0] == today - timedelta(days=30) and health.last_day == today  # from the first fetch to today's runs
    day = health.days.index(broke)
    assert health.sources["herald"][day] == DayCounts(articles=3, dated=3, with_authors=3, with_body=3)
    assert health.sources["gazette"][day] == DayCounts(articles=1, dated=1, with_authors=0, with_body=0)
    assert health.sources["gazette"][day - 1] == DayCounts(articles=1, dated=1, with_authors=0, with_body=1)
    assert health.sources["times"][-1] == DayCounts(articles=0, failed=2)
    assert len(health.runs) == 30 and health.runs[0].pages == 8 and health.runs[-1].errors == 29 % 3


def test_report_stays_small_when_every_source_breaks() -> None:
    """1,000 sources x 60 days that all stop on the same day, and 1,440 runs: still under 5 MB."""
    from newspipe.health_report import render
    from storage.health import DayCounts, Health, RunRecord

    days = [FIRST + timedelta(days=i) for i in range(DAYS)]
    broken = [DayCounts(30, 30, 30, 30) for _ in range(45)] + [DayCounts(0, failed=30) for _ in range(15)]
    start = datetime.combine(FIRST, time(), tzinfo=timezone.utc)
    runs = [RunRecord(i, "news", "finished", start + timedelta(hours=i), start + timedelta(hours=i, minutes=40), 40_000, 30_000, 12)
            for i in range(1440)]  # fmt: skip
    health = Health(days=days, sources={f"pub-{s:04d}": broken for s in range(1000)}, runs=runs, newest_fetch=start + timedelta(days=DAYS))
    html = render(health, now=start + timedelta(days=DAYS + 1))
    assert len(html.encode()) < 5_000_000, len(html.encode())
    assert html.count('<tr><td><a href="#source-') == 300 and "700 more sources need attention" in html
    assert html.count('id="source-pub-') == 1000
    assert "sources in trouble (0\u20131,000)" in html  # the crawler-wide day shows above the rows
