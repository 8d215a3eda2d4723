"""`newspipe report`: a self-contained HTML file whose plots a real browser draws."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.health_report import PALETTE
from pipelines.fingerprint import content_hash
from storage.engine import Database
from storage.repository import ArticleRepository, NewArticle

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def fill(db_url: str) -> None:
    start = datetime(2025, 10, 1, 8, 0, tzinfo=timezone.utc)
    with Database(db_url) as database, database.sessions.begin() as session:
        repo = ArticleRepository(session)
        run = repo.start_run("news", {})
        for i in range(30):
            source = ("herald", "times")[i % 2]
            body = f"Story {i} about the harbour. " * 40
            repo.save(
                NewArticle(
                    source=source, url=f"https://{source}.example/{i}", canonical_url=f"https://{source}.example/{i}",
                    headline=f"Story {i}", body=body, content_hash=content_hash(body), fetched_at=start,
                    published_at=start + timedelta(days=i // 2), authors=["Ana Ruiz"] if source == "herald" else [],
                    word_count=240, language="en",
                ),  # fmt: skip
                run,
            )
        repo.finish_run(run, status="finished", reason="finished", error_count=3,
                        counts={"pages_fetched": 60, "articles_new": 27, "articles_duplicate": 3})  # fmt: skip


def test_report_is_self_contained_html(sqlite_url: str, tmp_path: Path) -> None:
    fill(sqlite_url)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", sqlite_url, "--output", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for chart in ('id="per-day"', 'id="completeness"', 'id="runs"'):
        assert chart in html
    assert "<script" not in html and "http://" not in html and "https://" not in html.replace("https://herald", "")
    assert html.count('class="series"') == 2  # one line per source
    assert "<td>herald</td><td>15</td><td>100%</td><td>100%</td>" in html
    assert "<td>times</td><td>15</td><td>100%</td><td>0%</td>" in html


def test_report_plots_are_drawn_in_chromium(sqlite_url: str, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from PIL import Image

    fill(sqlite_url)
    out = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["report", "--db", sqlite_url, "--output", str(out)]).exit_code == 0
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,2200", f"--screenshot={shot}", out.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")
    drawn = {colour: 0 for colour in PALETTE[:4]}
    wanted = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)): c for c in PALETTE[:4]}
    for count, pixel in image.getcolors(maxcolors=image.width * image.height) or []:
        colour = wanted.get(pixel)
        if colour:
            drawn[colour] += count
    # Every series colour of the three plots is on screen in quantity: lines and bars were drawn.
    assert all(count > 200 for count in drawn.values()), drawn
