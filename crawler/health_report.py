"""`newspipe report`: one self-contained HTML file (inline SVG and CSS, no scripts, no CDN)
with the crawl-health plots: articles per day per source, field completeness per source,
and error and duplicate rates per run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from storage.health import Health

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
WIDTH, HEIGHT, PAD = 860, 300, 48


def _axis(max_value: float, height: int, ticks: int = 4, percent: bool = False) -> str:
    parts = []
    for i in range(ticks + 1):
        value = max_value * i / ticks
        y = height - PAD - (height - 2 * PAD) * i / ticks
        label = f"{value:.0%}" if percent else f"{value:,.0f}"
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{label}</text>')
    return "".join(parts)


def _legend(names: list[str], y: float) -> str:
    items = []
    x = PAD
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        items.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        items.append(f'<text x="{x + 16}" y="{y}" class="legend">{escape(name)}</text>')
        x += 26 + 7 * len(name)
    return "".join(items)


def per_day_chart(health: Health) -> str:
    days = list(health.per_day)
    sources = sorted({name for counts in health.per_day.values() for name in counts})
    if not days or not sources:
        return '<p class="empty">No dated articles in this period.</p>'
    top = max([max(c.values(), default=0) for c in health.per_day.values()] + [4])  # whole-number ticks
    step = (WIDTH - 2 * PAD) / max(len(days) - 1, 1)

    def point(i: int, value: int) -> str:
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top:.1f}"

    lines = []
    for n, name in enumerate(sources):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(point(i, health.per_day[d].get(name, 0)) for i, d in enumerate(days))
        lines.append(f'<polyline class="series" data-source="{escape(name)}" points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    labels = "".join(
        f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - PAD + 16}" class="tick" text-anchor="middle">{d.strftime("%m-%d")}</text>'
        for i, d in enumerate(days)
        if i % max(len(days) // 8, 1) == 0
    )
    return (
        f'<svg id="per-day" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" aria-label="articles per day per source">'
        f"{_axis(top, HEIGHT)}{''.join(lines)}{labels}{_legend(sources, HEIGHT + 16)}</svg>"
    )


def bar_chart(chart_id: str, groups: list[tuple[str, list[float]]], series: list[str], *, percent: bool = True) -> str:
    if not groups:
        return '<p class="empty">Nothing recorded yet.</p>'
    top = 1.0 if percent else max([v for _, values in groups for v in values] + [1.0])
    group_width = (WIDTH - 2 * PAD) / len(groups)
    bar = max(group_width * 0.8 / max(len(series), 1), 1.0)
    parts = [_axis(top, HEIGHT, percent=percent)]
    for g, (label, values) in enumerate(groups):
        x0 = PAD + g * group_width + group_width * 0.1
        for s, value in enumerate(values):
            height = (HEIGHT - 2 * PAD) * (value / top if top else 0)
            y = HEIGHT - PAD - height
            colour = PALETTE[s % len(PALETTE)]
            title = f"{escape(label)}: {escape(series[s])} {value:.0%}" if percent else f"{escape(label)}: {escape(series[s])} {value:,.0f}"
            parts.append(
                f'<rect class="bar" x="{x0 + s * bar:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{max(height, 0):.1f}" fill="{colour}"><title>{title}</title></rect>'
            )
        parts.append(f'<text x="{x0 + bar * len(values) / 2:.1f}" y="{HEIGHT - PAD + 16}" class="tick" text-anchor="middle">{escape(label[:18])}</text>')
    parts.append(_legend(series, HEIGHT + 16))
    return f'<svg id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img">{"".join(parts)}</svg>'


def render(health: Health, *, title: str = "newspipe crawl health") -> str:
    completeness = bar_chart(
        "completeness",
        [(c.source, [1.0, c.share(c.with_date), c.share(c.with_authors), min(c.median_words / 500, 1.0)]) for c in health.completeness],
        ["headline", "date", "authors", "body (median words / 500)"],
    )
    runs = bar_chart("runs", [(f"#{r.run_id}", [r.error_rate, r.duplicate_rate]) for r in health.runs], ["error rate", "duplicate rate"])
    rows = "".join(
        f"<tr><td>{escape(c.source)}</td><td>{c.articles:,}</td><td>{c.share(c.with_date):.0%}</td>"
        f"<td>{c.share(c.with_authors):.0%}</td><td>{c.share(c.with_language):.0%}</td><td>{c.median_words:,.0f}</td></tr>"
        for c in health.completeness
    )
    run_rows = "".join(
        f"<tr><td>#{r.run_id}</td><td>{escape(r.spider)}</td><td>{r.started_at}</td><td>{escape(r.status)}</td>"
        f"<td>{r.pages:,}</td><td>{r.error_rate:.1%}</td><td>{r.duplicate_rate:.1%}</td></tr>"
        for r in health.runs
    )
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 920px; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; }}
svg {{ width: 100%; height: auto; background: #fff; }}
.grid {{ stroke: #e3e3e3; }} .tick, .legend {{ font-size: 11px; fill: #555; }}
table {{ border-collapse: collapse; margin-top: .5em; }} td, th {{ padding: 2px 10px; border-bottom: 1px solid #eee; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} .empty {{ color: #888; }}
</style></head><body>
<h1>{escape(title)}</h1>
<p>Generated {generated}; articles published {health.first_day} to {health.last_day}.</p>
<h2>Articles per day per source</h2>{per_day_chart(health)}
<h2>Field completeness per source</h2>
<p>A source whose bars drop after a redesign is losing fields: check its pages with <code>newspipe extract URL</code>.</p>
{completeness}
<table><tr><th>source</th><th>articles</th><th>date</th><th>authors</th><th>language</th><th>median words</th></tr>{rows}</table>
<h2>Errors and duplicates per run</h2>{runs}
<table><tr><th>run</th><th>spider</th><th>started</th><th>status</th><th>pages</th><th>errors</th><th>duplicates</th></tr>{run_rows}</table>
</body></html>
"""
