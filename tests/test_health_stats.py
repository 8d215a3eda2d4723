"""Change detection for the crawl-health report: a source is named when it moved away from its
own baseline, from the day it moved, and not for the noise of a small source or a quiet weekend."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from newspipe.health_stats import (
    Thresholds,
    assess_source,
    binomial_tail,
    change_point,
    poisson_tail,
    rank,
    robust_mean,
)
from storage.health import DayCounts

LAST = date(2025, 11, 30)  # a Sunday
DAYS = [LAST - timedelta(days=59 - i) for i in range(60)]


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def series(counts: list[int], *, dated: float = 1.0, authors: float = 1.0, body: float = 1.0, failed: list[int] | None = None) -> list[DayCounts]:
    failed = failed or [0] * len(counts)
    return [DayCounts(c, round(c * dated), round(c * authors), round(c * body), f) for c, f in zip(counts, failed)]


def verdict(counts: list[DayCounts], *, complete_until: date = LAST):  # type: ignore[no-untyped-def]
    return assess_source("s", DAYS, counts, complete_until=complete_until)


def test_tail_bounds_are_upper_bounds_of_the_exact_tails() -> None:
    exact_poisson = sum(math.exp(-10) * 10**i / math.factorial(i) for i in range(3))  # P(X <= 2 | 10)
    assert exact_poisson <= poisson_tail(2, 10) < 0.01
    exact_binomial = sum(math.comb(20, i) * 0.9**i * 0.1 ** (20 - i) for i in range(11))  # P(X <= 10 | 20, 0.9)
    assert exact_binomial <= binomial_tail(10, 20, 0.9) < 0.01
    assert poisson_tail(10, 10) == 1.0 and binomial_tail(5, 0, 0.5) == 1.0
    assert poisson_tail(30, 10) < 1e-4  # the upper tail too


def test_change_point_is_the_step() -> None:
    counts = [10] * 40 + [0] * 7
    assert change_point(counts, [1.0] * len(counts), poisson=True, min_before=14) == 40
    hits, totals = [10] * 30 + [3] * 5, [10] * 35
    assert change_point(hits, totals, poisson=False, min_before=14) == 30
    assert change_point([1] * 10, [1.0] * 10, poisson=True, min_before=14) is None


def test_robust_mean_ignores_a_burst() -> None:
    assert robust_mean([10, 11, 9, 10, 500, 10, 12]) < 20


def test_a_source_that_stops_is_named_from_the_day_it_stopped() -> None:
    rng = random.Random(1)
    health = verdict(series([poisson(rng, 12) for _ in range(50)] + [0] * 10))
    [finding] = health.findings
    assert (finding.metric, finding.started, finding.days, finding.after) == ("volume", DAYS[50], 10, 0.0)
    assert finding.severity == pytest.approx(1.0)
    assert all(score == 1.0 for score in health.day_scores[50:]) and max(health.day_scores[:40]) < 1.0


def test_a_big_source_is_named_on_its_first_empty_day() -> None:
    rng = random.Random(2)
    health = verdict(series([poisson(rng, 40) for _ in range(59)] + [0]))
    assert [(f.metric, f.started) for f in health.findings] == [("volume", LAST)]


def test_small_sources_do_not_flap() -> None:
    """Two hundred calm sources of 0.3 to 3 articles a day: none is named."""
    rng = random.Random(3)
    named = []
    for n in range(200):
        mean = 0.3 + 2.7 * n / 200
        health = verdict(series([poisson(rng, mean) for _ in range(60)], dated=0.9))
        if health.findings:
            named.append((mean, health.findings))
    assert not named


def test_a_small_source_needs_a_long_silence() -> None:
    rng = random.Random(4)
    head = [poisson(rng, 2) for _ in range(57)]
    assert not verdict(series(head + [0, 0, 0])).findings  # three empty days happen at two a day
    silent = verdict(series(head[:45] + [0] * 15))
    assert [(f.metric, f.started) for f in silent.findings] == [("volume", DAYS[45])]


def test_weekends_are_not_drops() -> None:
    counts = [20 if d.weekday() >= 5 else 100 for d in DAYS[:-1]]
    assert LAST.weekday() == 6
    assert not verdict(series(counts + [20])).findings
    assert verdict(series(counts + [0])).findings  # but an empty Sunday is


def test_a_burst_in_the_baseline_does_not_make_normal_days_a_drop() -> None:
    rng = random.Random(5)
    counts = [poisson(rng, 10) for _ in range(60)]
    counts[35] = 800  # a backfill
    assert not verdict(series(counts)).findings


def test_a_new_source_has_not_risen() -> None:
    rng = random.Random(6)
    health = verdict(series([0] * 30 + [poisson(rng, 10) for _ in range(30)]))
    assert not health.findings
    assert health.expected[:30] == [0.0] * 30 and min(health.expected[30:]) > 5


def test_the_day_under_way_is_not_a_drop() -> None:
    rng = random.Random(7)
    counts = [poisson(rng, 30) for _ in range(59)] + [4]  # the crawl of the last day is still running
    assert not verdict(series(counts), complete_until=DAYS[-2]).findings
    assert verdict(series(counts)).findings


def test_lost_dates_are_named_from_the_day_they_went() -> None:
    rng = random.Random(8)
    counts = [poisson(rng, 8) for _ in range(60)]
    figures = series(counts[:52], dated=0.9) + series(counts[52:], dated=0.0)
    [finding] = verdict(figures).findings
    assert (finding.metric, finding.started, finding.after) == ("dated", DAYS[52], 0.0)
    assert 0.85 < finding.before < 0.95


def test_a_few_undated_articles_of_a_small_source_are_not_named() -> None:
    figures = series([1] * 58, dated=1.0) + series([1, 1], dated=0.0)
    assert not verdict(figures).findings


def test_failing_pages_are_named() -> None:
    rng = random.Random(9)
    counts = [poisson(rng, 10) for _ in range(60)]
    failed = [0] * 54 + [6] * 6
    [finding] = verdict(series(counts, failed=failed)).findings
    assert (finding.metric, finding.started, finding.before) == ("errors", DAYS[54], 0.0)


def test_rank_puts_the_worst_first() -> None:
    rng = random.Random(10)
    calm = verdict(series([poisson(rng, 10) for _ in range(60)]))
    no_authors = verdict(series([10] * 60, authors=1.0)[:50] + series([10] * 10, authors=0.0))
    stopped = verdict(series([10] * 50 + [0] * 10))
    for health, name in ((calm, "calm"), (no_authors, "no_authors"), (stopped, "stopped")):
        health.name = name
    assert [h.name for h in rank([calm, no_authors, stopped])] == ["stopped", "no_authors", "calm"]


def test_thresholds_are_settable() -> None:
    counts = [40] * 50 + [24] * 10  # 40% down: under the default halving
    figures = series(counts)
    assert not verdict(figures).findings
    assert assess_source("s", DAYS, figures, complete_until=LAST, limits=Thresholds(volume_drop=0.7)).findings


@pytest.mark.parametrize(("per_day", "empty_days"), [(2, 7), (12, 2), (40, 1)])
def test_how_soon_a_stop_is_named(per_day: int, empty_days: int) -> None:
    """As the README says: a week at two articles a day, two days at twelve, one day at forty."""
    assert not verdict(series([per_day] * (61 - empty_days) + [0] * (empty_days - 1))).findings
    [finding] = verdict(series([per_day] * (60 - empty_days) + [0] * empty_days)).findings
    assert finding.started == DAYS[60 - empty_days]
