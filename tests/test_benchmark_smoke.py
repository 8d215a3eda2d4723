"""Smoke test of the extraction benchmark on 3 real pages of each gold corpus.

Checks the report's structure, that every score is in [0, 1], and that trafilatura's body
F1 is above 0.5 (so the readers and the scorer really work). The long-tail corpora
(trafilatura-dev: must/must-not strings; htmldate-dev: the day only) get their own slice:
their columns are filled, the body columns stay empty, and the per-cause counts are there.
No timing assertions. Skips when the corpora are absent (`NEWSPIPE_CORPORA` or
`<repo>/../shared/corpora`).
"""

from __future__ import annotations

from typing import Any

import pytest


from benchmarks import extraction  # noqa: E402
from benchmarks.corpora import CORPORA, LONG_TAIL_CORPORA, default_corpora_root  # noqa: E402

SCORES = (
    "body_precision", "body_recall", "body_f1", "body_accuracy",
    "headline", "date_day", "date_minute", "authors_f1",
)  # fmt: skip


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    root = default_corpora_root()
    missing = [c for c in CORPORA if not (root / c).is_dir()]
    if missing:
        pytest.skip(f"gold corpora {', '.join(missing)} not found under {root} (set NEWSPIPE_CORPORA)")
    return extraction.run_benchmark(root, CORPORA, limit=3, worst=3, n_bootstrap=20, upstream=False)


@pytest.fixture(scope="module")
def long_tail() -> dict[str, Any]:
    root = default_corpora_root()
    missing = [c for c in LONG_TAIL_CORPORA if not (root / c).is_dir()]
    if missing:
        pytest.skip(f"long-tail corpora {', '.join(missing)} not found under {root} (set NEWSPIPE_CORPORA)")
    return extraction.run_benchmark(
        root, LONG_TAIL_CORPORA, ("newspipe", "trafilatura"), limit=4, worst=3, n_bootstrap=20, upstream=False
    )


def test_contestants(report: dict[str, Any]) -> None:
    assert "trafilatura" in report["contestants"]
    if _importable("newspaper"):
        assert "newspaper4k" in report["contestants"]
    # A contestant is either run or listed as missing with a reason, never silently dropped.
    assert set(report["contestants"]) | set(report["missing"]) == {"newspipe", "trafilatura", "newspaper4k"}


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("corpus", CORPORA)
def test_structure_and_ranges(report: dict[str, Any], corpus: str) -> None:
    data = report["corpora"][corpus]
    assert set(data["summary"]) == set(report["contestants"])
    for name, summary in data["summary"].items():
        assert summary["pages"] == 3
        assert len(data["pages"][name]) == 3
        for key in SCORES:
            value = summary[key]
            if corpus == "scrapinghub" and key in ("headline", "date_day", "date_minute", "authors_f1"):
                assert value is None
            else:
                assert 0.0 <= value <= 1.0, (name, key, value)
        assert summary["seconds"] > 0 and summary["pages_per_second"] > 0
        for metric, rows in data["worst"][name].items():
            assert metric in extraction.PAGE_METRICS
            assert all(0.0 <= row["score"] < 1.0 for row in rows)
    assert data["summary"]["trafilatura"]["time_ratio_to_trafilatura"] == pytest.approx(1.0)


@pytest.mark.parametrize("corpus", CORPORA)
def test_trafilatura_body_f1_is_sane(report: dict[str, Any], corpus: str) -> None:
    assert report["corpora"][corpus]["summary"]["trafilatura"]["body_f1"] > 0.5


def test_trafilatura_dev_scores_strings(long_tail: dict[str, Any]) -> None:
    data = long_tail["corpora"]["trafilatura-dev"]
    for name, summary in data["summary"].items():
        assert summary["pages"] == 4
        for key in ("with_precision", "with_recall", "with_accuracy", "with_f1"):
            assert 0.0 <= summary[key] <= 1.0, (name, key)
        assert summary["body_f1"] is None and summary["date_coverage"] is None
        pages = data["pages"][name]
        assert all(sum(p["with_without"]) > 0 for p in pages)
    # trafilatura's own evaluation set: its extractor finds most of the must-strings.
    assert data["summary"]["trafilatura"]["with_recall"] > 0.5
    assert set(data["causes"]["newspipe"]) == {"kept", "missing", "rejected"}


def test_htmldate_dev_scores_days(long_tail: dict[str, Any]) -> None:
    data = long_tail["corpora"]["htmldate-dev"]
    for name, summary in data["summary"].items():
        assert summary["pages"] == 4
        assert 0.0 <= summary["date_day"] <= 1.0 and 0.0 <= summary["date_coverage"] <= 1.0
        assert summary["body_f1"] is None and summary["with_f1"] is None
    assert data["summary"]["trafilatura"]["date_coverage"] > 0.5
    assert "rejected" in data["causes"]["newspipe"]
