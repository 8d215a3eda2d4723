"""`newspipe report`: one self-contained HTML file (inline SVG and CSS; no scripts, fonts or CDN)
that shows at a glance which of hundreds or thousands of sources broke.

In order: "needs attention" (sources that moved away from their own baseline, worst first, with
the change and the day it started: `newspipe.health_stats`), a sources x days heatmap of the
most troubled sources, the run history, and a detail section per source (`#source-<name>`).

The heatmap draws the `HEATMAP_ROWS` most troubled sources, not all: beyond the sources in
trouble the rows are uniformly calm, and a thousand rows of named cells would be megabytes
that say nothing; every source still has its line in the per-source table. Runs of equal cells
are drawn as one rectangle, so a calm row costs a few bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from html import escape

from newspipe.health_stats import SourceHealth, Thresholds, assess_source, rank
from storage.health import DayCounts, Health, RunRecord

HEATMAP_ROWS = 60
DETAILED = 60  # per-source charts for the sources needing attention (up to ATTENTION_ROWS) and at least this many of the worst
ATTENTION_ROWS = 300
# Heatmap: calm, then trouble from "a little off" to "nothing right"; grey: a day with nothing expected.
CALM, IDLE = "#e3eee0", "#f3f3f3"
HEAT = ("#fdd49e", "#fdae6b", "#f16913", "#d94801", "#a50f15")
VOLUME_COLOUR, EXPECTED_COLOUR, STRIP_COLOUR = "#4c78a8", "#222222", "#737373"
SHARE_COLOURS = {"dated": "#2ca02c", "with_authors": "#9467bd", "with_body": "#ff7f0e", "failed": "#d62728"}
SHARE_LABELS = {"dated": "date", "with_authors": "authors", "with_body": "body", "failed": "failed pages"}
RUN_PANELS = (("pages", "pages fetched"), ("new", "new articles"), ("errors", "errors"), ("minutes", "duration (min)"))
WIDTH = 960


def anchor(name: str) -> str:
    return "source-" + re.sub(r"\s", "_", name)


def _link(name: str) -> str:
    return f'<a href="#{escape(anchor(name))}">{escape(name)}</a>'


def heat_colour(score: float) -> str:
    return CALM if score <= 0 else HEAT[min(int(score * len(HEAT)), len(HEAT) - 1)]


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2g}"


# -- needs attention -----------------------------------------------------------------------------


def attention_table(ranked: Sequence[SourceHealth]) -> str:
    flagged = [s for s in ranked if s.findings]
    if not flagged:
        return '<p class="ok">Nothing needs attention: every source is within its own baseline.</p>'
    rows = []
    for i, source in enumerate(flagged[:ATTENTION_ROWS], 1):
        worst = source.findings[0]
        changes = "<br>".join(f"{escape(f.label)}: {f.change}" for f in source.findings)
        since = "<br>".join(f"{f.started} ({f.days} d)" for f in source.findings)
        bar = f'<span class="sev" style="width:{max(worst.severity, 0.02) * 80:.0f}px"></span>'
        rows.append(f"<tr><td>{i}</td><td>{_link(source.name)}</td><td>{changes}</td><td>{since}</td><td>{bar} {worst.severity:.2f}</td></tr>")
    more = f'<p class="note">{len(flagged) - ATTENTION_ROWS:,} more sources need attention; see the per-source table.</p>' if len(flagged) > ATTENTION_ROWS else ""
    return (
        '<table id="attention"><thead><tr><th>#</th><th>source</th><th>what changed (before \u2192 after)</th>'
        f"<th>since</th><th>severity</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )


# -- heatmap ---------------------------------------------------------------------------------------


def heatmap(ranked: Sequence[SourceHealth], days: Sequence[date]) -> str:
    shown = list(ranked[:HEATMAP_ROWS])
    if not shown or not days:
        return '<p class="empty">No sources stored yet.</p>'
    label_w, row_h, strip_h = 170, 13, 30
    top = strip_h + 30
    cell = (WIDTH - label_w - 10) / len(days)
    parts = [_trouble_strip(ranked, label_w, cell, strip_h)]
    for i, day in enumerate(days):
        if day.weekday() == 0:  # Mondays
            x = label_w + i * cell
            parts.append(f'<text x="{x:.1f}" y="{top - 6}" class="tick">{day:%m-%d}</text>')
    for r, source in enumerate(shown):
        y = top + r * row_h
        parts.append(f'<a href="#{escape(anchor(source.name))}"><text x="{label_w - 6}" y="{y + 10}" class="row" text-anchor="end">{escape(source.name[:26])}</text></a>')
        colours = [
            heat_colour(score) if score > 0 or expected >= 0.5 else IDLE for score, expected in zip(source.day_scores, source.expected)
        ]
        start = 0
        for i in range(1, len(colours) + 1):  # one rectangle per run of equal cells
            if i == len(colours) or colours[i] != colours[start]:
                x = label_w + start * cell
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{(i - start) * cell - 0.6:.1f}" height="{row_h - 2}" fill="{colours[start]}"/>')
                start = i
    height = top + len(shown) * row_h + 4
    note = ""
    if len(ranked) > len(shown):
        calmest = ranked[len(shown) - 1]
        note = (
            f'<p class="note">The {len(shown)} most troubled of {len(ranked):,} sources. The other {len(ranked) - len(shown):,} '
            f"are at least as calm as {_link(calmest.name)}; all are in the per-source table.</p>"
        )
    legend = "".join(f'<span class="key" style="background:{c}"></span>{t} ' for c, t in (
        (CALM, "as usual"), (IDLE, "nothing expected"), (HEAT[0], "a little off"), (HEAT[2], "half missing"), (HEAT[-1], "nothing right"),
    ))  # fmt: skip
    return (
        f'<svg id="heatmap" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="sources by day, worst first">{"".join(parts)}</svg>'
        f'<p class="legend">{legend}</p>{note}'
    )


def _trouble_strip(ranked: Sequence[SourceHealth], label_w: int, cell: float, height: int) -> str:
    """Above the rows: how many of all the sources were in trouble (score >= 0.5) each day. Many on
    the same day is the crawler's problem (network, proxy, database), not the publishers'."""
    days = len(ranked[0].day_scores)
    troubled = [sum(s.day_scores[i] >= 0.5 for s in ranked) for i in range(days)]
    top = max(*troubled, min(len(ranked), 10), 1)  # a scale of ten at least: two sources are not a wall
    bars = "".join(
        f"M{label_w + (i + 0.5) * cell:.1f} {height}V{height - height * n / top:.1f}" for i, n in enumerate(troubled) if n
    )
    return (
        f'<text x="{label_w - 6}" y="{height / 2 + 4:.0f}" class="tick" text-anchor="end">sources in trouble (0\u2013{top:,})</text>'
        f'<line x1="{label_w}" x2="{WIDTH - 10}" y1="{height}" y2="{height}" class="grid"/>'
        + (f'<path d="{bars}" stroke="{STRIP_COLOUR}" stroke-width="{max(cell - 1, 1):.1f}"/>' if bars else "")
    )


# -- run history -----------------------------------------------------------------------------------


def run_history(runs: Sequence[RunRecord], first: date, last: date) -> str:
    if not runs:
        return '<p class="empty">No crawl runs recorded in this period.</p>'
    pad, panel_h, gap = 60, 70, 22
    t0 = datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc).timestamp()
    span = datetime.combine(last, datetime.max.time(), tzinfo=timezone.utc).timestamp() - t0
    inner = WIDTH - pad - 10
    bar = max(min(inner / len(runs) * 0.7, 6.0), 1.0)
    values = {
        "pages": [r.pages for r in runs],
        "new": [r.new for r in runs],
        "errors": [r.errors for r in runs],
        "minutes": [r.duration.total_seconds() / 60 if r.duration else 0.0 for r in runs],
    }
    xs = [pad + inner * min(max((r.started_at.timestamp() - t0) / span, 0.0), 1.0) for r in runs]
    parts = []
    for p, (key, label) in enumerate(RUN_PANELS):
        y0 = 14 + p * (panel_h + gap)
        top = max(values[key]) or 1
        base = y0 + panel_h
        parts.append(f'<text x="{pad}" y="{y0 - 3}" class="panel">{label}</text>')
        parts.append(f'<text x="{pad - 4}" y="{y0 + 8}" class="tick" text-anchor="end">{_num(top)}</text>')
        parts.append(f'<text x="{pad - 4}" y="{base}" class="tick" text-anchor="end">0</text>')
        parts.append(f'<line x1="{pad}" x2="{WIDTH - 10}" y1="{base}" y2="{base}" class="grid"/>')
        for failed in (False, True):
            path = "".join(
                f"M{x:.1f} {base}V{base - panel_h * v / top:.1f}"
                for x, v, r in zip(xs, values[key], runs)
                if v and (r.status == "failed") == failed
            )
            if path:
                colour = "#d62728" if failed else VOLUME_COLOUR
                parts.append(f'<path d="{path}" stroke="{colour}" stroke-width="{bar:.1f}" class="runs"/>')
    height = 14 + len(RUN_PANELS) * (panel_h + gap)
    for i, day in enumerate(_month_ticks(first, last)):
        x = pad + inner * (datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).timestamp() - t0) / span
        parts.append(f'<text x="{x:.1f}" y="{height - 4}" class="tick">{day:%m-%d}</text>')
    failed = sum(r.status == "failed" for r in runs)
    return (
        f'<svg id="runs" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="runs over time">{"".join(parts)}</svg>'
        f'<p class="note">{len(runs):,} runs, {failed:,} failed (red). Each bar is one run, at the time it started.</p>'
    )


def _month_ticks(first: date, last: date) -> list[date]:
    span = (last - first).days
    step = max(span // 8, 1)
    return [date.fromordinal(first.toordinal() + i) for i in range(0, span + 1, step)]


# -- per source ---------------------------------------------------------------------------------


def source_chart(counts: Sequence[DayCounts], expected: Sequence[float], days: Sequence[date]) -> str:
    """Articles per day (bars) against the expected level (line); shares per day below."""
    w, h, pad = 600, 162, 34
    n = len(counts)
    step = (w - pad - 6) / max(n, 1)
    top = max([c.articles for c in counts] + list(expected) + [1])
    vol_h = 70
    bars = "".join(f"M{pad + (i + 0.5) * step:.1f} {vol_h}V{vol_h - vol_h * c.articles / top:.1f}" for i, c in enumerate(counts) if c.articles)
    line = " ".join(f"{pad + (i + 0.5) * step:.1f},{vol_h - vol_h * e / top:.1f}" for i, e in enumerate(expected) if e)
    parts = [
        f'<text x="{pad - 4}" y="9" class="tick" text-anchor="end">{_num(top)}</text><text x="{pad - 4}" y="{vol_h}" class="tick" text-anchor="end">0</text>',
        f'<path d="{bars}" stroke="{VOLUME_COLOUR}" stroke-width="{max(step * 0.7, 1):.1f}"/>' if bars else "",
        f'<polyline points="{line}" fill="none" stroke="{EXPECTED_COLOUR}" stroke-dasharray="3 2" stroke-width="1"/>',
    ]
    y0, share_h = vol_h + 12, h - vol_h - 30
    parts.append(f'<text x="{pad - 4}" y="{y0 + 8}" class="tick" text-anchor="end">100%</text><text x="{pad - 4}" y="{y0 + share_h}" class="tick" text-anchor="end">0%</text>')
    for i, align in ((0, "start"), (n // 2, "middle"), (n - 1, "end")):
        parts.append(f'<text x="{pad + (i + 0.5) * step:.1f}" y="{h - 1}" class="tick" text-anchor="{align}">{days[i]:%m-%d}</text>')
    for key, colour in SHARE_COLOURS.items():
        if key == "failed" and not any(c.failed for c in counts):
            continue  # a flat 0% line in red would only alarm
        points = []
        for i, c in enumerate(counts):
            total = c.articles + c.failed if key == "failed" else c.articles
            if total:
                points.append(f"{pad + (i + 0.5) * step:.1f},{y0 + share_h - share_h * getattr(c, key) / total:.1f}")
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    return f'<svg class="source" viewBox="0 0 {w} {h}" role="img">{"".join(parts)}</svg>'


def source_sections(detailed: Sequence[SourceHealth], health: Health) -> str:
    key = "".join(f'<span class="key" style="background:{c}"></span>{SHARE_LABELS[k]} ' for k, c in SHARE_COLOURS.items())
    sections = [
        f'<p class="legend"><span class="key" style="background:{VOLUME_COLOUR}"></span>articles per day '
        f'<span class="key dash"></span>expected (baseline x weekday) {key}</p>'
    ]
    for source in detailed:
        findings = "".join(f"<li>{escape(f.label)}: {f.change} since {f.started}</li>" for f in source.findings) or "<li>as usual</li>"
        sections.append(
            f'<section id="{escape(anchor(source.name))}" class="detail"><h3>{escape(source.name)}</h3>'
            f"<ul>{findings}</ul>{source_chart(health.sources[source.name], source.expected, health.days)}</section>"
        )
    return "".join(sections)


def source_table(ranked: Sequence[SourceHealth], health: Health, detailed: set[str]) -> str:
    rows = []
    for source in ranked:
        counts = health.sources[source.name]
        total = sum(c.articles for c in counts)
        pages = total + sum(c.failed for c in counts)

        def share(key: str, n: int = total) -> str:
            return f"{sum(getattr(c, key) for c in counts) / n:.0%}" if n else "\u2013"

        ident = "" if source.name in detailed else f' id="{escape(anchor(source.name))}"'
        name = _link(source.name) if source.name in detailed else escape(source.name)
        state = escape(", ".join(f.label for f in source.findings)) or "ok"
        rows.append(
            f"<tr{ident}><td>{name}</td><td>{total:,}</td><td>{_num(source.daily_volume)}</td><td>{share('dated')}</td>"
            f"<td>{share('with_authors')}</td><td>{share('with_body')}</td><td>{share('failed', pages)}</td><td>{state}</td></tr>"
        )
    return (
        '<table id="sources"><thead><tr><th>source</th><th>articles</th><th>usual per day</th><th>date</th><th>authors</th>'
        f"<th>body</th><th>failed pages</th><th>state</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


# -- the page --------------------------------------------------------------------------------------

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 980px; color: #222; padding: 0 10px; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 1.8em; } h3 { font-size: 1em; margin: .2em 0; }
svg { width: 100%; height: auto; background: #fff; } svg path { fill: none; }
.grid { stroke: #ddd; } .tick { font-size: 10px; fill: #666; } .row { font-size: 10px; fill: #1a4f8a; } .panel { font-size: 11px; fill: #333; }
table { border-collapse: collapse; margin-top: .5em; width: 100%; } td, th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } #sources td:nth-child(n+2):nth-child(-n+7) { text-align: right; } #sources { font-size: 12px; }
.sev { display: inline-block; height: 9px; background: #d94801; } .ok { color: #2a7a2a; } .empty, .note { color: #777; font-size: 12px; }
.legend { font-size: 12px; color: #555; } .key { display: inline-block; width: 11px; height: 11px; margin: 0 3px 0 10px; vertical-align: -1px; }
.key.dash { border-top: 2px dashed #222; height: 0; vertical-align: 3px; } .detail { border-top: 1px solid #eee; padding-top: .4em; }
.detail ul { margin: 0; padding-left: 1.2em; font-size: 12px; } svg.source { max-width: 600px; display: block; } a { color: #1a4f8a; }
.warn { background: #fff4e0; padding: .4em .6em; }
"""


def assess(health: Health, *, today: date, limits: Thresholds = Thresholds()) -> list[SourceHealth]:
    """Every source's verdict, worst first. The day the crawler is still on (`today`) counts only for shares."""
    complete_until = health.last_day if today > health.last_day else date.fromordinal(health.last_day.toordinal() - 1)
    return rank([assess_source(name, health.days, counts, complete_until=complete_until, limits=limits) for name, counts in health.sources.items()])


def render(health: Health, *, title: str = "newspipe crawl health", now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    ranked = assess(health, today=now.date())
    flagged = [s for s in ranked if s.findings]
    # Charts for the sources in the attention table and the heatmap (ranked puts them first); the
    # others have their row in the table. 300 charts of 4 KB keep even a day when everything broke small.
    detailed = ranked[: max(min(len(flagged), ATTENTION_ROWS), DETAILED, HEATMAP_ROWS)]
    stale = ""
    if health.newest_fetch is not None and (now - health.newest_fetch).days >= 2:
        stale = f'<p class="warn">The newest page was fetched on {health.newest_fetch:%Y-%m-%d %H:%M} UTC, {(now - health.newest_fetch).days} days ago: is the crawler running?</p>'
    failed_runs = sum(r.status == "failed" for r in health.runs)
    summary = (
        f"{len(ranked):,} sources, {health.first_day} to {health.last_day} ({len(health.days)} days, by day of fetch); "
        f"<b>{len(flagged):,} need attention</b>; {len(health.runs):,} runs, {failed_runs:,} failed. Generated {now:%Y-%m-%d %H:%M} UTC."
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p>{summary}</p>{stale}
<h2>Needs attention</h2>
<p class="note">Sources whose volume, completeness (date, authors, body) or failed pages moved away from their own
baseline, worst first; "since" is the first day of the current level.</p>
{attention_table(ranked)}
<h2>Sources by day</h2>
{heatmap(ranked, health.days)}
<h2>Run history</h2>
{run_history(health.runs, health.first_day, health.last_day)}
<h2>Per source</h2>
{source_sections(detailed, health)}
<h3>All sources, worst first</h3>
{source_table(ranked, health, {s.name for s in detailed})}
</body></html>
"""
