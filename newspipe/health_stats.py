"""Change detection for the crawl-health report: which sources moved away from their own baseline,
by how much, and since when. Pure functions over daily counts; no database, no HTML.

Each source is judged against itself, metric by metric:

- volume: articles stored per day. Days are weighted by the source's weekday profile (a paper
  that publishes little at weekends is not "down" every Saturday), estimated from the whole
  series and shrunk towards a flat week for small sources;
- completeness: the share of the day's articles with a date, with authors, with a body;
- errors: the share of the source's article pages that failed (error status or not stored).

For every metric the most likely start of the current level is found as a single change point
(the split of the recent window into "before" and "after" that maximises the likelihood of two
constant levels: Poisson for volume, binomial for shares). A change is reported only when it is
both large (volume at most half or at least double, a share 20 points lower, errors 10 points
higher) and improbable under the before level (a Chernoff tail bound below `alpha`): a source
that stops is named after a week at two articles a day, two days at twelve, one day at forty.
The before level is robust: daily counts are winsorised at median + 3 spreads (spread: the
larger of 1.4826 MAD, the Poisson deviation and 1), so a one-day backfill burst does not make
every normal day look like a drop; and volume is tested two-sample (the before level is an
estimate too), so a quiet first week in the window is not taken for the usual level.

Settings: none; the thresholds are the `Thresholds` defaults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Protocol


class DayFigures(Protocol):
    """One source's figures for one day (`storage.health.DayCounts` has these fields)."""

    articles: int
    dated: int
    with_authors: int
    with_body: int
    failed: int


@dataclass(frozen=True, slots=True)
class Thresholds:
    window_days: int = 35  # the recent window searched for a change (baseline + current level)
    min_before_days: int = 14  # a baseline of two weeks at least: one quiet week is not a level
    # Tail probability under the baseline below which a change is real. Small, because a thousand
    # sources are each searched for their most unusual stretch: at 1e-3 a few calm ones always show up.
    alpha: float = 1e-5
    volume_drop: float = 0.5  # after <= 0.5 x before
    volume_rise: float = 2.0  # after >= 2 x before (index pages taken for articles, spam)
    min_rise_days: int = 2  # one busy day is news, not a fault
    share_drop: float = 0.2  # completeness: 20 points lower
    error_rise: float = 0.1  # errors: 10 points higher
    min_share_pages: int = 5  # a share is not judged on fewer articles (pages) since the change
    day_alpha: float = 1e-3  # a heatmap cell is coloured below this tail probability (60,000 cells: few by chance)


# Metric name -> (label, weight in the severity). A source that stores nothing is worse than one
# that lost its bylines: authors are often missing for good reasons.
METRICS: dict[str, tuple[str, float]] = {
    "volume": ("articles per day", 1.0),
    "body": ("with body", 0.9),
    "errors": ("failed pages", 0.9),
    "dated": ("with date", 0.8),
    "authors": ("with authors", 0.6),
}
SHARES = ("dated", "with_authors", "with_body")
MIN_BODY_WORDS = 50  # an article "with body" has at least this many words (fewer: a teaser, a paywall, a broken extractor)
_SHARE_METRIC = {"dated": "dated", "with_authors": "authors", "with_body": "body"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One metric of one source that moved: from `before` to `after` (per day, or a share), since `started`."""

    metric: str
    before: float
    after: float
    started: date
    days: int  # days in the current level, `started` included
    severity: float  # 0..1: weight x size of the change

    @property
    def label(self) -> str:
        return METRICS[self.metric][0]

    @property
    def change(self) -> str:
        if self.metric == "volume":
            return f"{self.before:,.1f} \u2192 {self.after:,.1f}"
        return f"{self.before:.0%} \u2192 {self.after:.0%}"


@dataclass(slots=True)
class SourceHealth:
    """The verdict on one source: its findings (worst first) and a 0..1 trouble score per day."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    day_scores: list[float] = field(default_factory=list)
    expected: list[float] = field(default_factory=list)  # articles expected each day (0: not judged)
    daily_volume: float = 0.0  # the baseline articles per day (ties in the ranking go to bigger sources)

    @property
    def severity(self) -> float:
        return self.findings[0].severity if self.findings else 0.0

    def trouble(self, recent_days: int = 14) -> tuple[float, float, float]:
        """Sort key, largest first: findings, then recent bad days, then size."""
        return (self.severity, sum(self.day_scores[-recent_days:]), self.daily_volume)


# -- tail bounds -------------------------------------------------------------------------------


def poisson_tail(k: float, mu: float) -> float:
    """Chernoff bound on P(X <= k) for k < mu, or P(X >= k) for k > mu, X ~ Poisson(mu)."""
    if mu <= 0:
        return 1.0 if k <= 0 else 0.0
    if k == mu:
        return 1.0
    exponent = mu - k + (k * math.log(k / mu) if k > 0 else 0.0)
    return math.exp(-exponent)


def binomial_tail(k: float, n: float, p: float) -> float:
    """Chernoff bound on P(X <= k) for k/n < p, or P(X >= k) for k/n > p, X ~ Binomial(n, p)."""
    if n <= 0:
        return 1.0
    a = k / n
    if a == p:
        return 1.0
    p = min(max(p, 0.005), 0.995)  # a baseline of 0% or 100% is an estimate too
    kl = (a * math.log(a / p) if a > 0 else 0.0) + ((1 - a) * math.log((1 - a) / (1 - p)) if a < 1 else 0.0)
    return math.exp(-n * kl)


# -- levels and change points ------------------------------------------------------------------


def robust_mean(values: Sequence[float]) -> float:
    """The mean after winsorising at median + 3 spreads (1.4826 MAD, Poisson deviation or 1)."""
    if not values:
        return 0.0
    cap = _cap(values, [1.0] * len(values))
    return sum(min(v, cap) for v in values) / len(values)


def weekday_factors(counts: Sequence[int], days: Sequence[date], prior: float = 5.0) -> list[float]:
    """Expected volume of each day relative to the source's average day (its weekly rhythm).

    Estimated from the whole series, each weekday shrunk towards 1 by `prior` pseudo-articles,
    so two articles on one Saturday do not make a rhythm."""
    total = sum(counts)
    if not total or not days:
        return [1.0] * len(days)
    mean = total / len(days)
    sums = [0.0] * 7
    seen = [0] * 7
    for count, day in zip(counts, days):
        sums[day.weekday()] += count
        seen[day.weekday()] += 1
    factor = [(sums[w] + prior) / (seen[w] * mean + prior) if seen[w] else 1.0 for w in range(7)]
    return [factor[day.weekday()] for day in days]


def _poisson_ll(total: float, exposure: float) -> float:
    return total * math.log(total / exposure) - total if total > 0 and exposure > 0 else 0.0


def _binomial_ll(hits: float, total: float) -> float:
    if total <= 0 or hits <= 0 or hits >= total:
        return 0.0
    p = hits / total
    return hits * math.log(p) + (total - hits) * math.log(1 - p)


def change_point(hits: Sequence[float], totals: Sequence[float], *, poisson: bool, min_before: int) -> int | None:
    """The index where the current level starts: the split [0, t) / [t, n) with the largest
    two-level likelihood (Poisson: hits per exposure `totals`; binomial: hits of `totals`).
    None when the series is too short for a baseline of `min_before` days."""
    n = len(hits)
    if n <= min_before:
        return None
    ll = _poisson_ll if poisson else _binomial_ll
    all_hits, all_totals = sum(hits), sum(totals)
    best, best_t = -math.inf, None
    head_hits = sum(hits[:min_before])
    head_totals = sum(totals[:min_before])
    for t in range(min_before, n):
        gain = ll(head_hits, head_totals) + ll(all_hits - head_hits, all_totals - head_totals)
        if gain > best + 1e-9:
            best, best_t = gain, t
        head_hits += hits[t]
        head_totals += totals[t]
    return best_t


# -- per metric --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    """A metric's reference level and, if it moved, the finding."""

    reference: float
    finding: Finding | None


def volume_level(counts: Sequence[int], factors: Sequence[float], days: Sequence[date], limits: Thresholds) -> _Level:
    """Articles per (average) day: has the volume dropped or jumped since a day in the window?

    The test is the two-sample one (given all articles of the window, are too few or too many
    after the split for its share of the exposure?), so a baseline of a few quiet days is as
    uncertain as it is, not taken for the truth."""
    whole = robust_mean([c / f for c, f in zip(counts, factors)])
    t = change_point(counts, factors, poisson=True, min_before=limits.min_before_days)
    if t is None:
        return _Level(whole, None)
    cap = _cap(counts[:t], factors[:t])  # a burst in the baseline is not the usual level
    capped = [min(c, cap * f) for c, f in zip(counts[:t], factors[:t])]
    before_total, before_exposure = sum(capped), sum(factors[:t])
    before = before_total / before_exposure
    after_total, exposure = sum(counts[t:]), sum(factors[t:])
    after = after_total / exposure
    improbable = binomial_tail(after_total, before_total + after_total, exposure / (exposure + before_exposure)) < limits.alpha
    finding = None
    if before > 0 and after <= limits.volume_drop * before and improbable:
        size = 1 - after / before
        finding = Finding("volume", before, after, days[t], len(counts) - t, METRICS["volume"][1] * size)
    elif len(counts) - t >= limits.min_rise_days and after >= limits.volume_rise * max(before, 1 / 7) and improbable:
        size = min(1.0, (after / max(before, 1 / 7) - 1) / 8)  # x9 counts as a full break
        finding = Finding("volume", before, after, days[t], len(counts) - t, METRICS["volume"][1] * 0.8 * size)
    return _Level(before if finding else whole, finding)


def _cap(counts: Sequence[int], factors: Sequence[float]) -> float:
    """The per-average-day level above which a day is a burst (winsorising, as in `robust_mean`)."""
    values = [c / f for c, f in zip(counts, factors)]
    mid = median(values)
    mad = median(abs(v - mid) for v in values)
    return mid + 3 * max(1.4826 * mad, math.sqrt(mid), 1.0)


def share_level(metric: str, hits: Sequence[int], totals: Sequence[int], days: Sequence[date], limits: Thresholds, *, rise: bool) -> _Level:
    """A share (completeness, or errors when `rise`): has it fallen (risen) since a day in the window?"""
    whole = sum(hits) / sum(totals) if sum(totals) else 0.0
    t = change_point(hits, totals, poisson=False, min_before=limits.min_before_days)
    if t is None or not sum(totals[:t]) or not sum(totals[t:]):
        return _Level(whole, None)
    before = sum(hits[:t]) / sum(totals[:t])
    after_hits, after_total = sum(hits[t:]), sum(totals[t:])
    after = after_hits / after_total
    moved = after - before if rise else before - after
    threshold = limits.error_rise if rise else limits.share_drop
    # The baseline as Laplace's rule has it: 30 dated articles of 30 do not prove that none is ever undated.
    expected = (sum(hits[:t]) + 1) / (sum(totals[:t]) + 2)
    small = min(after_total, sum(totals[:t])) < limits.min_share_pages
    if moved < threshold or small or binomial_tail(after_hits, after_total, expected) >= limits.alpha:
        return _Level(whole, None)
    first = next(i for i in range(t, len(totals)) if totals[i])  # the first day with pages to judge
    finding = Finding(metric, before, after, days[first], len(totals) - first, METRICS[metric][1] * min(moved, 1.0))
    return _Level(before, finding)


# -- per source --------------------------------------------------------------------------------


def assess_source(name: str, days: Sequence[date], figures: Sequence[DayFigures], *, complete_until: date, limits: Thresholds = Thresholds()) -> SourceHealth:
    """Findings, per-day trouble scores and per-day expected volume for one source over `days`
    (oldest first). The days before the source's first article or failed page are not its
    baseline (a new source has not "risen"). Only days up to `complete_until` count for volume
    (the day the crawl is still running on has fewer articles by nature); shares are judged on
    every day."""
    begin = next((i for i, f in enumerate(figures) if f.articles or f.failed), len(figures))
    health = SourceHealth(name, day_scores=[0.0] * len(figures), expected=[0.0] * len(figures))
    days, figures = days[begin:], figures[begin:]
    if not figures:
        return health
    counts = [f.articles for f in figures]
    cap = _cap(counts, [1.0] * len(counts))  # a backfill burst on a Tuesday does not make Tuesdays busy
    factors = weekday_factors([min(c, cap) for c in counts], days)
    window = slice(max(len(days) - limits.window_days, 0), None)
    complete = [i for i, d in enumerate(days) if d <= complete_until][window]
    findings: list[Finding] = []
    volume = volume_level([counts[i] for i in complete], [factors[i] for i in complete], [days[i] for i in complete], limits)
    health.daily_volume = volume.reference
    if volume.finding:
        findings.append(volume.finding)

    share_refs: dict[str, float] = {}
    recent_days = list(days[window])
    recent = list(figures[window])
    totals = [f.articles for f in recent]
    for attribute in SHARES:
        metric = _SHARE_METRIC[attribute]
        level = share_level(metric, [getattr(f, attribute) for f in recent], totals, recent_days, limits, rise=False)
        share_refs[attribute] = level.reference
        if level.finding:
            findings.append(level.finding)
    pages = [f.articles + f.failed for f in recent]
    errors = share_level("errors", [f.failed for f in recent], pages, recent_days, limits, rise=True)
    if errors.finding:
        findings.append(errors.finding)

    findings.sort(key=lambda f: f.severity, reverse=True)
    health.findings = findings
    expected = [volume.reference * factor if day <= complete_until else 0.0 for factor, day in zip(factors, days)]
    health.expected[begin:] = expected
    health.day_scores[begin:] = [day_score(f, e, share_refs, errors.reference, limits) for f, e in zip(figures, expected)]
    return health


def day_score(figures: DayFigures, expected: float, share_refs: dict[str, float], error_ref: float, limits: Thresholds) -> float:
    """0 (as usual) .. 1 (nothing right): the worst of the day's shortfalls that are unlikely by chance."""
    score = 0.0
    if expected > 0 and figures.articles < expected and poisson_tail(figures.articles, expected) < limits.day_alpha:
        score = 1 - figures.articles / expected
    n = figures.articles
    for attribute in SHARES:
        ref = share_refs.get(attribute, 0.0)
        hits = getattr(figures, attribute)
        if n and ref > 0 and hits / n < ref and binomial_tail(hits, n, ref) < limits.day_alpha:
            score = max(score, min(1.0, (ref - hits / n) / ref))
    pages = n + figures.failed
    if pages and figures.failed / pages > error_ref and binomial_tail(figures.failed, pages, error_ref) < limits.day_alpha:
        score = max(score, min(1.0, 2 * (figures.failed / pages - error_ref)))
    return score


def rank(sources: Sequence[SourceHealth]) -> list[SourceHealth]:
    """Worst first: sources with findings by severity, then by recent bad days, then by size."""
    return sorted(sources, key=lambda s: (*[-v for v in s.trouble()], s.name))
