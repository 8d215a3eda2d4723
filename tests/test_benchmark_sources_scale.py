"""Smoke test of benchmarks/sources_scale.py at its tiny size: both runs finish, the first fetches
robots.txt once per host, and the repeat run (within the robots.txt time-to-live) asks only for
the feeds and the revisits it reports."""

from __future__ import annotations

import json

import pytest

from benchmarks import sources_scale

pytestmark = pytest.mark.slow


def test_tiny_run_reports_figures_and_a_repeat_run_asks_only_for_feeds_and_revisits(capsys: pytest.CaptureFixture[str]) -> None:
    assert sources_scale.main(["--tiny", "--no-baseline"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    first, repeat = result["run1"], result["run2"]
    assert result["sources"] == 10
    assert first["requests"] == {"robots": 10, "feed": 10, "article": 30}
    assert first["items"] == 30 and first["cpu_ms_per_source"] > 0
    assert "article" in first["first_request_s"]
    # From the process's start to its first article request: wall seconds, and CPU seconds below them.
    assert first["first_article_from_start_s"] == first["first_request_s"]["article"]
    assert 0 < first["first_article_from_start_cpu_s"] < first["cpu_s"]
    assert repeat["revisits_reported"] == 30 and repeat["requests"].get("robots", 0) == 0
    assert repeat["only_feeds_and_revisits"] is True
