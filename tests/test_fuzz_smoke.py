"""A small seeded slice of the fuzz campaign (`benchmarks.fuzz`), run on every test run.

100 mutated pages through `extract_article`, 50 feeds and 50 sitemaps through the
discovery parsers: no exception, no broken invariant (returned URLs absolute http(s),
dates aware, good entries kept next to bad ones). Uses the corpora when present
(`NEWSPIPE_CORPORA` or `<repo>/../shared/corpora`), else the fixture pages in
tests/fixtures, so it never skips. Slow inputs are reported, not asserted (no timing
assertions); the full campaign and its figures are in BENCHMARKS.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import fuzz
from benchmarks.corpora import default_corpora_root

SLICE = {"extraction": 100, "feed": 50, "sitemap": 50}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("fuzz")
    return fuzz.run_campaign(default_corpora_root(), SLICE, seed=0, out=out, kill_after=120, minimize_attempts=0)


def test_seed_pages_fall_back_to_the_fixtures(tmp_path: Path) -> None:
    pages = fuzz.page_paths(tmp_path / "no-corpora-here")
    assert pages and all(p.is_relative_to(fuzz.FIXTURES) for p in pages)
    assert all(fuzz.read_page(p).strip() for p in pages)


def test_inputs_are_a_function_of_seed_target_and_index() -> None:
    pages = fuzz.page_paths(default_corpora_root())
    for target in fuzz.TARGETS:
        first, again = fuzz.make_input(target, 7, 3, pages), fuzz.make_input(target, 7, 3, pages)
        assert (first.payload, first.mutations) == (again.payload, again.mutations)
        assert fuzz.make_input(target, 8, 3, pages).payload != first.payload


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_slice_has_no_exceptions_or_violations(report: dict[str, Any], target: str) -> None:
    data = report["targets"][target]
    assert data["inputs"] == SLICE[target]
    problems = {sig: (d["example"], d["reproducer"]) for sig, d in data["distinct"].items() if not sig.startswith("caught ")}
    assert data["exceptions"] == 0 and data["violations"] == 0, problems
    assert 0 < data["max_seconds"] and data["p99_seconds"] <= data["max_seconds"]
