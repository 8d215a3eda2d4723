"""Smoke test of the date benchmark (`benchmarks.dates`) on 4 pages of htmldate-dev.

Checks the report's structure and that its figures are shares in [0, 1], and that a page's
day is scored on its own local day. No timing assertions. Skips when the corpus is absent
(`NEWSPIPE_CORPORA` or `<repo>/../shared/corpora`).
"""

from __future__ import annotations

import pytest

from benchmarks import dates
from benchmarks.corpora import default_corpora_root


def test_dates_benchmark_on_four_pages() -> None:
    root = default_corpora_root()
    if not (root / "htmldate-dev").is_dir():
        pytest.skip(f"htmldate-dev not found under {root} (set NEWSPIPE_CORPORA)")
    report = dates.run(root, limit=4)
    summary = report["summary"]
    assert summary["pages"] == 4 and len(report["pages"]) == 4
    for name in ("newspipe", "newspipe_dates", "trafilatura"):
        assert 0.0 <= summary[name]["day_right"] <= summary[name]["coverage"] <= 1.0
    assert summary["trafilatura"]["coverage"] > 0  # the reader and trafilatura really ran
    for page in report["pages"]:
        assert len(page["expected"]) == 10 and page["url"].startswith("http")


def test_a_local_day_is_scored_without_converting_to_utc() -> None:
    from datetime import datetime, timedelta, timezone

    late_evening = datetime(2023, 11, 8, 23, 15, tzinfo=timezone(timedelta(hours=-5)))
    assert dates._day(late_evening).isoformat() == "2023-11-08"
