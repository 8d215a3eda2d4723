"""Extraction-quality benchmark: newspipe vs trafilatura vs newspaper4k on the gold corpora.

    python -m benchmarks.extraction --corpora ../shared/corpora [--limit N]
        [--only scrapinghub|fundus-dev|trafilatura-dev|htmldate-dev] [--json out.json] [--worst 10]

Runs every contestant on every page, interleaved page by page (the order rotates) so
machine noise hits them equally, and scores:

- body precision/recall/F1/accuracy exactly as scrapinghub's `evaluate.py` (both corpora);
- on fundus-dev also headline exact match, date right to the day and to the minute,
  and authors F1 (see `benchmarks.scoring`);
- on trafilatura-dev the must/must-not strings as trafilatura's own evaluation does
  (precision, recall, accuracy, F1 over all strings pooled). trafilatura's body there is
  `bare_extraction`'s text, which is what `extract(..., include_comments=False)` prints, as
  trafilatura's `tests/comparison.py` runs it;
- on htmldate-dev the publication day (the prediction's own local day) and date coverage,
  plus how many pages the article filter rejected;
- per corpus the worst pages per metric and, for the analysed contestant (newspipe), a
  per-cause count: kept boilerplate and missing text by kind of element (`benchmarks.causes`),
  and the article filter's rejections by reason;
- pages per second and the time ratio of each contestant to trafilatura.

It also re-scores the published `scrapinghub/tool-outputs/*.json.gz` to show that the
scorer reproduces the upstream table. Reads no settings; the corpora root is an argument
(default: `NEWSPIPE_CORPORA` or `<repo>/../shared/corpora`).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks import causes, scoring
from benchmarks.corpora import (
    ALL_CORPORA,
    LONG_TAIL_CORPORA,
    GoldPage,
    default_corpora_root,
    load_scrapinghub_truth,
    load_tool_output,
    read_corpus,
)
from benchmarks.extractors import CONTESTANTS, Extraction, Extractor, load_extractors

logger = logging.getLogger(__name__)

BASELINE = "trafilatura"
# Per-page metrics, in report order; the fundus-only ones are None on scrapinghub.
PAGE_METRICS = ("body_f1", "with_score", "headline", "date_day", "date_minute", "authors_f1")
_NOT_AN_ARTICLE = "NotAnArticle: "


@dataclass(slots=True)
class PageResult:
    """One contestant on one page."""

    id: str
    seconds: float
    # None on a corpus without a body text (trafilatura-dev, htmldate-dev).
    body_tp_fp_fn: tuple[float, float, float] | None
    body_f1: float | None
    body_accuracy: float | None
    # trafilatura-dev: (TP, FN, FP, TN) over the page's must/must-not strings, and their share right.
    with_without: tuple[int, int, int, int] | None = None
    with_score: float | None = None
    date_covered: float | None = None
    headline: float | None = None
    date_day: float | None = None
    date_minute: float | None = None
    authors_f1: float | None = None
    error: str | None = None
    # The article filter's reason when the page was rejected ("too_short", "index_page", ...).
    rejected: str | None = None
    # benchmarks.causes for analysed contestants: {"kept": {kind: n}, "missing": {kind: n}}.
    causes: dict[str, dict[str, int]] | None = None
    # What was predicted vs expected for the non-body fields, to read the worst pages.
    detail: dict[str, Any] = field(default_factory=dict)


def score_page(page: GoldPage, pred: Extraction, seconds: float, analyse: bool = False) -> PageResult:
    rejected = pred.error.removeprefix(_NOT_AN_ARTICLE).split(":")[0] if pred.error and pred.error.startswith(_NOT_AN_ARTICLE) else None
    result = PageResult(
        id=page.id, seconds=seconds, body_tp_fp_fn=None, body_f1=None, body_accuracy=None,
        error=pred.error, rejected=rejected,
    )
    if page.body is not None:
        tp_fp_fn = scoring.string_shingle_matching(true=page.body, pred=pred.body)
        result.body_tp_fp_fn = tp_fp_fn
        result.body_f1 = scoring.page_f1(tp_fp_fn)
        result.body_accuracy = scoring.get_accuracy(true=page.body, pred=pred.body)
        if analyse and result.body_f1 < 1.0:
            kept, missing = causes.body_causes(page.html, page.body, pred.body, rejected)
            result.causes = {"kept": dict(kept), "missing": dict(missing)}
    if page.with_strings is not None:
        without = page.without_strings or ()
        counts = scoring.with_without_counts(page.with_strings, without, pred.body)
        result.with_without = counts
        result.with_score = scoring.with_without_page_score(counts)
        result.detail["strings"] = {
            "missed": [s for s in page.with_strings if s not in pred.body],
            "kept": [s for s in without if pred.body and s in pred.body],
        }
        if analyse and result.with_score < 1.0:
            kept, missing = causes.with_without_causes(page.html, page.with_strings, without, pred.body, rejected)
            result.causes = {"kept": dict(kept), "missing": dict(missing)}
    if page.published_day is not None:
        got = scoring.local_day(pred.published_at)
        result.date_day = float(got == page.published_day)
        result.date_covered = float(got is not None)
        result.detail["date"] = {"expected": page.published_day.isoformat(), "got": _iso(got)}
    if page.headline is not None:
        result.headline = scoring.headline_match(page.headline, pred.headline)
        result.detail["headline"] = {"expected": page.headline, "got": pred.headline}
    if page.published_at is not None:
        result.date_day = scoring.date_match_day(page.published_at, pred.published_at)
        result.date_minute = scoring.date_match_minute(page.published_at, pred.published_at)
        result.detail["date"] = {
            "expected": page.published_at.isoformat(),
            "got": _iso(pred.published_at),
        }
    if page.authors is not None:
        result.authors_f1 = scoring.authors_f1(page.authors, pred.authors)
        result.detail["authors"] = {"expected": list(page.authors), "got": pred.authors}
    return result


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def run_corpus(
    pages: Iterable[GoldPage],
    extractors: Sequence[Extractor],
    on_page: Callable[[GoldPage], None] | None = None,
    analyse: Iterable[str] = (),
) -> dict[str, list[PageResult]]:
    """Every contestant on every page, interleaved, with the start order rotating per page."""
    results: dict[str, list[PageResult]] = {e.name: [] for e in extractors}
    k = len(extractors)
    analysed = set(analyse)
    for n, page in enumerate(pages):
        order = [extractors[(n + i) % k] for i in range(k)] if k else []
        for extractor in order:
            # CPU time of this process: on a shared, loaded machine wall time measures the neighbours.
            start = time.process_time()
            pred = extractor.extract(page.html, page.url, fetched_at=page.fetched_at)
            seconds = time.process_time() - start
            results[extractor.name].append(score_page(page, pred, seconds, extractor.name in analysed))
        if on_page is not None:
            on_page(page)
    return results


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.mean(present) if present else None


def summarize(
    pages: Sequence[PageResult], n_bootstrap: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Corpus-level figures for one contestant (body metrics as evaluate.py)."""
    summary: dict[str, Any] = {"pages": len(pages)}
    body_pages = [p for p in pages if p.body_tp_fp_fn is not None]
    body: dict[str, float | None] = {"f1": None, "precision": None, "recall": None}
    stds: dict[str, float] = {}
    if body_pages:
        try:
            body = dict(scoring.metrics_from_tp_fp_fns([p.body_tp_fp_fn for p in body_pages if p.body_tp_fp_fn]))
            stds = _bootstrap_stds(body_pages, n_bootstrap, seed)
        except statistics.StatisticsError:
            # No page with a prediction at all: precision is undefined upstream; we report 0.
            body = {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    strings = [p.with_without for p in pages if p.with_without is not None]
    ww = scoring.with_without_metrics(strings) if strings else {}
    summary.update(
        {
            "body_precision": body["precision"],
            "body_recall": body["recall"],
            "body_f1": body["f1"],
            "body_accuracy": _mean(p.body_accuracy for p in body_pages) if body_pages else None,
            "body_f1_std": stds.get("f1_std"),
            "with_precision": ww.get("precision"),
            "with_recall": ww.get("recall"),
            "with_accuracy": ww.get("accuracy"),
            "with_f1": ww.get("f1"),
            "date_coverage": _mean(p.date_covered for p in pages),
            "rejected": sum(1 for p in pages if p.rejected),
            "headline": _mean(p.headline for p in pages),
            "date_day": _mean(p.date_day for p in pages),
            "date_minute": _mean(p.date_minute for p in pages),
            "authors_f1": _mean(p.authors_f1 for p in pages),
            # Empty: no body token at all (tp + fp == 0), whatever the reason.
            "empty": sum(1 for p in pages if p.body_tp_fp_fn is not None and p.body_tp_fp_fn[0] + p.body_tp_fp_fn[1] == 0),
            "errors": sum(1 for p in pages if p.error is not None),
            "seconds": sum(p.seconds for p in pages),
        }
    )
    summary["pages_per_second"] = len(pages) / summary["seconds"] if summary["seconds"] else None
    return summary


def _bootstrap_stds(pages: Sequence[PageResult], n_bootstrap: int, seed: int) -> dict[str, float]:
    return scoring.bootstrap(
        [p.body_tp_fp_fn for p in pages if p.body_tp_fp_fn is not None],
        [p.body_accuracy for p in pages if p.body_accuracy is not None],
        n_bootstrap,
        random.Random(seed),
    )


def worst_pages(pages: Sequence[PageResult], metric: str, n: int) -> list[dict[str, Any]]:
    """The `n` lowest-scoring pages on `metric` (perfect pages left out), worst first."""
    scored = [p for p in pages if getattr(p, metric) is not None and getattr(p, metric) < 1.0]
    scored.sort(key=lambda p: (getattr(p, metric), p.id))
    rows = []
    for p in scored[:n]:
        row: dict[str, Any] = {"id": p.id, "score": getattr(p, metric)}
        if metric.startswith("body") and p.body_tp_fp_fn is not None:
            tp, fp, fn = p.body_tp_fp_fn
            row["detail"] = {
                "precision": round(scoring.precision_score(tp, fp, fn), 3),
                "recall": round(scoring.recall_score(tp, fp, fn), 3),
            }
            if p.causes:
                row["detail"]["causes"] = p.causes
        elif metric == "with_score":
            row["detail"] = p.detail.get("strings")
        else:
            key = {"headline": "headline", "authors_f1": "authors"}.get(metric, "date")
            row["detail"] = p.detail.get(key)
        if p.error:
            row["error"] = p.error
        rows.append(row)
    return rows


def cause_counts(pages: Sequence[PageResult]) -> dict[str, dict[str, int]]:
    """Per-cause counts over a corpus: kept boilerplate and missing text by kind, rejections by reason.

    Units: lines on scrapinghub/fundus-dev, strings on trafilatura-dev, pages for rejections.
    """
    kept: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    for p in pages:
        if p.causes:
            kept.update(p.causes.get("kept", {}))
            missing.update(p.causes.get("missing", {}))
    rejected = Counter(p.rejected for p in pages if p.rejected)
    return {
        "kept": dict(kept.most_common()),
        "missing": dict(missing.most_common()),
        "rejected": dict(rejected.most_common()),
    }


def rescore_upstream(scrapinghub_root: Path, n_bootstrap: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    """evaluate.py over every published `tool-outputs/*.json.gz`, sorted by tool name."""
    truth = load_scrapinghub_truth(scrapinghub_root)
    rows = []
    for path in sorted((scrapinghub_root / "tool-outputs").glob("*.json.gz")):
        prediction, version = load_tool_output(path)
        metrics = scoring.evaluate(truth, prediction, n_bootstrap, rng=random.Random(seed))
        metrics.pop("tp_fp_fns")
        rows.append({"tool": path.name.removesuffix(".json.gz"), "version": version, **metrics})
    return rows


def available_corpora(root: Path) -> tuple[str, ...]:
    """The body corpora (required) and whichever long-tail corpora are present under `root`."""
    return tuple(c for c in ALL_CORPORA if c not in LONG_TAIL_CORPORA or (root / c).is_dir())


def run_benchmark(
    corpora_root: Path,
    corpora: Sequence[str] | None = None,
    contestants: Sequence[str] = tuple(CONTESTANTS),
    limit: int | None = None,
    worst: int = 10,
    n_bootstrap: int = 1000,
    upstream: bool = True,
    on_page: Callable[[GoldPage], None] | None = None,
    analyse: Sequence[str] = ("newspipe",),
) -> dict[str, Any]:
    """The whole benchmark as a JSON-ready dict (see `--json`); `corpora` None: all that are present."""
    if corpora is None:
        corpora = available_corpora(corpora_root)
    extractors, missing = load_extractors(list(contestants))
    for name, reason in missing.items():
        logger.warning("contestant %s is not available: %s", name, reason)
    report: dict[str, Any] = {
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "corpora_root": str(corpora_root),
        "limit": limit,
        "contestants": [e.name for e in extractors],
        "missing": missing,
        "corpora": {},
    }
    for corpus in corpora:
        results = run_corpus(read_corpus(corpora_root, corpus, limit), extractors, on_page, analyse)
        summaries = {name: summarize(pages, n_bootstrap) for name, pages in results.items()}
        base = summaries.get(BASELINE)
        for summary in summaries.values():
            summary["time_ratio_to_trafilatura"] = (
                summary["seconds"] / base["seconds"] if base and base["seconds"] else None
            )
        # Only the metrics this corpus has a truth for (scrapinghub: body only).
        metrics = [m for m in PAGE_METRICS if any(getattr(p, m) is not None for ps in results.values() for p in ps)]
        report["corpora"][corpus] = {
            "summary": summaries,
            "worst": {
                name: {m: worst_pages(pages, m, worst) for m in metrics} for name, pages in results.items()
            },
            "causes": {name: cause_counts(pages) for name, pages in results.items() if name in analyse},
            "pages": {name: [asdict(p) for p in pages] for name, pages in results.items()},
        }
    if upstream and "scrapinghub" in corpora:
        report["upstream"] = rescore_upstream(corpora_root / "scrapinghub", n_bootstrap)
    report["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    return report


# -- command line ---------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_report(report: dict[str, Any], worst_for: str | None, console: Any) -> None:
    from rich.table import Table

    for corpus, data in report["corpora"].items():
        table = Table(title=f"{corpus} ({next(iter(data['summary'].values()), {}).get('pages', 0)} pages)")
        columns = _summary_columns(corpus)
        table.add_column("contestant")
        for title, _, _ in columns:
            table.add_column(title, justify="right")
        for name, summary in data["summary"].items():
            table.add_row(name, *(_cell(summary[key], digits) for _, key, digits in columns))
        for name in report.get("missing", {}):
            table.add_row(name, *("pending" for _ in columns))
        console.print(table)
        if worst_for and worst_for in data["worst"]:
            for metric, rows in data["worst"][worst_for].items():
                if not rows:
                    continue
                wt = Table(title=f"{corpus}: worst pages for {worst_for}, {metric}")
                wt.add_column("page")
                wt.add_column("score", justify="right")
                wt.add_column("detail", overflow="fold")
                for row in rows:
                    detail = json.dumps(row.get("detail"), ensure_ascii=False)
                    if row.get("error"):
                        detail = f"[{row['error']}] {detail}"
                    wt.add_row(row["id"], _fmt(row["score"]), detail[:200])
                console.print(wt)
        for name, counts in data.get("causes", {}).items():
            for label, text in _cause_lines(corpus, name, counts):
                console.print(f"[bold]{label}[/bold] {text}")
    if report.get("upstream"):
        ut = Table(title="scrapinghub: published tool outputs re-scored (evaluate.py replica)")
        for title in ("tool", "version", "F1", "precision", "recall", "accuracy"):
            ut.add_column(title, justify="left" if title in ("tool", "version") else "right")
        for row in report["upstream"]:
            ut.add_row(
                row["tool"],
                row["version"],
                *(f"{row[k]:.3f} ± {row[k + '_std']:.3f}" for k in ("f1", "precision", "recall", "accuracy")),
            )
        console.print(ut)
    if report["missing"]:
        for name, reason in report["missing"].items():
            console.print(f"[yellow]{name} not run: {reason}[/yellow]")


_SUMMARY_COLUMNS = (
    ("with/without P", "with_precision", 3),
    ("R", "with_recall", 3),
    ("acc", "with_accuracy", 3),
    ("F1", "with_f1", 3),
    ("body P", "body_precision", 3),
    ("body R", "body_recall", 3),
    ("body F1", "body_f1", 3),
    ("± std", "body_f1_std", 3),
    ("exact", "body_accuracy", 3),
    ("headline", "headline", 3),
    ("date day", "date_day", 3),
    ("date min", "date_minute", 3),
    ("authors F1", "authors_f1", 3),
    ("date coverage", "date_coverage", 3),
    ("rejected", "rejected", 0),
    ("empty", "empty", 0),
    ("pages/s", "pages_per_second", 1),
    ("time ÷ trafilatura", "time_ratio_to_trafilatura", 2),
)
_BODY = ("body_precision", "body_recall", "body_f1", "body_f1_std", "body_accuracy", "empty")
_WITH = ("with_precision", "with_recall", "with_accuracy", "with_f1")
# Which columns each corpus has a truth for; the rest would be all dashes.
_CORPUS_COLUMNS = {
    "scrapinghub": (*_BODY, "rejected"),
    "fundus-dev": (*_BODY, "headline", "date_day", "date_minute", "authors_f1", "rejected"),
    "trafilatura-dev": (*_WITH, "rejected"),
    "htmldate-dev": ("date_day", "date_coverage", "rejected"),
}


def _summary_columns(corpus: str) -> list[tuple[str, str, int]]:
    keys = _CORPUS_COLUMNS.get(corpus)
    common = ("pages_per_second", "time_ratio_to_trafilatura")
    return [c for c in _SUMMARY_COLUMNS if keys is None or c[1] in keys or c[1] in common]


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and digits == 0:
        return str(value)
    return _fmt(value, digits)


def _cause_lines(corpus: str, name: str, counts: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    unit = "strings" if corpus == "trafilatura-dev" else "lines"
    out = []
    for key, what in (("kept", f"kept boilerplate ({unit})"), ("missing", f"missing text ({unit})"),
                      ("rejected", "rejected pages")):
        if counts.get(key):
            text = ", ".join(f"{kind} {n}" for kind, n in counts[key].items())
            out.append((f"{corpus} {name} {what}:", text))
    return out


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict[str, Any], worst_for: str | None) -> str:
    """The report as Markdown tables, for BENCHMARKS.md."""
    lines: list[str] = []
    for corpus, data in report["corpora"].items():
        columns = _summary_columns(corpus)
        pages = next(iter(data["summary"].values()), {}).get("pages", 0)
        lines += [f"#### {corpus} ({pages} pages)", ""]
        lines.append("| contestant | " + " | ".join(c[0] for c in columns) + " |")
        lines.append("|---|" + "---:|" * len(columns))
        for name, summary in data["summary"].items():
            cells = [_cell(summary[key], digits) for _, key, digits in columns]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        for name in report.get("missing", {}):
            lines.append(f"| {name} | " + " | ".join("pending" for _ in columns) + " |")
        lines.append("")
        if worst_for and worst_for in data["worst"]:
            for metric, rows in data["worst"][worst_for].items():
                if not rows:
                    continue
                lines += [f"Worst {len(rows)} pages for {worst_for}, `{metric}`:", ""]
                lines += ["| page | score | detail |", "|---|---:|---|"]
                for row in rows:
                    detail = json.dumps(row.get("detail"), ensure_ascii=False)
                    if row.get("error"):
                        detail = f"[{row['error']}] {detail}"
                    lines.append(f"| `{row['id']}` | {row['score']:.3f} | {_md_escape(detail[:160])} |")
                lines.append("")
        for name, counts in data.get("causes", {}).items():
            lines += [f"- {label} {text}" for label, text in _cause_lines(corpus, name, counts)]
            lines.append("")
    if report.get("upstream"):
        lines += ["#### scrapinghub: published tool outputs re-scored", ""]
        lines += ["| tool | version | F1 | precision | recall | accuracy |", "|---|---|---:|---:|---:|---:|"]
        for row in sorted(report["upstream"], key=lambda r: -r["f1"]):
            cells = [f"{row[k]:.3f} ± {row[k + '_std']:.3f}" for k in ("f1", "precision", "recall", "accuracy")]
            lines.append(f"| {row['tool']} | {row['version']} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extraction", description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root (default: NEWSPIPE_CORPORA or ../shared/corpora)")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each corpus")
    parser.add_argument("--only", choices=ALL_CORPORA, default=None, help="one corpus only")
    parser.add_argument("--contestants", default=",".join(CONTESTANTS), help="comma-separated subset of: " + ", ".join(CONTESTANTS))
    parser.add_argument("--json", type=Path, default=None, dest="json_path", help="write the full report (per page) here")
    parser.add_argument("--worst", type=int, default=10, help="worst N pages per metric")
    parser.add_argument("--worst-for", default=None, help="contestant whose worst pages are printed (default: newspipe, else trafilatura)")
    parser.add_argument("--n-bootstrap", type=int, default=1000)
    parser.add_argument("--markdown", type=Path, default=None, help="write the tables as Markdown here")
    parser.add_argument("--no-upstream", action="store_true", help="skip re-scoring the published tool outputs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rich.console import Console
    from rich.progress import Progress

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = args.corpora or default_corpora_root()
    corpora = (args.only,) if args.only else available_corpora(root)
    for corpus in set(ALL_CORPORA) - set(corpora) - {args.only}:
        if not args.only:
            logger.warning("corpus %s not found under %s: skipped", corpus, root)
    for corpus in corpora:
        if not (root / corpus).is_dir():
            print(f"error: corpus directory {root / corpus} not found", file=sys.stderr)
            return 2
    contestants = [c.strip() for c in args.contestants.split(",") if c.strip()]
    unknown = set(contestants) - set(CONTESTANTS)
    if unknown:
        print(f"error: unknown contestant(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    # Wide enough for the fundus table when the output is piped into a file.
    console = Console(width=None if sys.stdout.isatty() else 180)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("extracting", total=None)
        report = run_benchmark(
            root,
            corpora,
            contestants,
            limit=args.limit,
            worst=args.worst,
            n_bootstrap=args.n_bootstrap,
            upstream=not args.no_upstream,
            on_page=lambda page: progress.update(task, advance=1, description=page.id[:40]),
        )
    report["command"] = "python -m benchmarks.extraction " + " ".join(argv if argv is not None else sys.argv[1:])
    worst_for = args.worst_for or next(
        (n for n in ("newspipe", BASELINE) if n in report["contestants"]), None
    )
    print_report(report, worst_for, console)
    if args.markdown:
        args.markdown.write_text(render_markdown(report, worst_for), encoding="utf-8")
    if args.json_path:
        args.json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
