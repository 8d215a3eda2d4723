"""Publication-date benchmark: newspipe vs trafilatura's date (htmldate inside) on htmldate-dev.

    python -m benchmarks.dates --corpora ../shared/corpora [--limit N] [--worst 15]

htmldate-dev (see the corpora README) gives the publication day only, in the publisher's own
calendar: a prediction is right when its own local day (no conversion to UTC) is that day.
Coverage is the share of pages with a date. newspipe is scored twice: the article record's date
(`extract_article`, a page rejected as not an article has no date) and the date search alone
(`extract_article` with the article filter off, as the date stage sees every page). Both
contestants run page by page in rotating order; the time ratio is newspipe's full extraction
over trafilatura's `bare_extraction(with_metadata=True)`. Reads no settings; the corpora root is
an argument (default: `NEWSPIPE_CORPORA` or `<repo>/../shared/corpora`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpora import default_corpora_root
from benchmarks.extractors import NewspipeExtractor, TrafilaturaExtractor


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def run(root: Path, limit: int | None = None) -> dict[str, Any]:
    from pipelines.extraction import extract_article
    from pipelines.extraction.options import ExtractionOptions

    corpus = root / "htmldate-dev"
    truth: dict[str, dict[str, str]] = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    unfiltered = ExtractionOptions(min_words=0, detect_index_pages=False)
    newspipe = NewspipeExtractor()
    dates_only = NewspipeExtractor(lambda html, url, fetched_at=None: extract_article(
        html, url, fetched_at=fetched_at, options=unfiltered))
    trafilatura = TrafilaturaExtractor()
    timed = {"newspipe": newspipe, "trafilatura": trafilatura}
    seconds = {name: 0.0 for name in timed}
    pages: list[dict[str, Any]] = []
    for n, (page_id, case) in enumerate(sorted(truth.items())):
        if limit is not None and n >= limit:
            break
        html = gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", errors="replace")
        got: dict[str, date | None] = {}
        names = list(timed) if n % 2 == 0 else list(reversed(timed))
        for name in names:
            start = time.perf_counter()
            result = timed[name].extract(html, case["url"])
            seconds[name] += time.perf_counter() - start
            got[name] = _day(result.published_at)
        got["newspipe_dates"] = _day(dates_only.extract(html, case["url"]).published_at)
        pages.append({"id": page_id, "url": case["url"], "expected": case["date"],
                      **{k: v.isoformat() if v else None for k, v in got.items()}})
    summary: dict[str, Any] = {"pages": len(pages)}
    for name in ("newspipe", "newspipe_dates", "trafilatura"):
        right = sum(1 for p in pages if p[name] == p["expected"])
        covered = sum(1 for p in pages if p[name] is not None)
        summary[name] = {"day_right": right / max(1, len(pages)), "coverage": covered / max(1, len(pages))}
    summary["time_ratio"] = seconds["newspipe"] / seconds["trafilatura"] if seconds["trafilatura"] else None
    summary["seconds"] = seconds
    return {"summary": summary, "pages": pages}


def _cause(page: dict[str, Any]) -> str:
    got, expected = page["newspipe_dates"], page["expected"]
    if got is None:
        return "no date"
    delta = abs((date.fromisoformat(got) - date.fromisoformat(expected)).days)
    return "one day off" if delta == 1 else "other date"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root")
    parser.add_argument("--limit", type=int, default=None, help="first N pages")
    parser.add_argument("--worst", type=int, default=15, help="wrong pages to list")
    parser.add_argument("--json", type=Path, default=None, help="write every page's result here")
    args = parser.parse_args(argv)
    root = args.corpora or default_corpora_root()
    if not (root / "htmldate-dev").is_dir():
        print(f"error: corpus directory {root / 'htmldate-dev'} not found", file=sys.stderr)
        return 2
    report = run(root, args.limit)
    s = report["summary"]
    out = [f"htmldate-dev ({s['pages']} pages)", "contestant            day right  coverage"]
    for name in ("newspipe", "newspipe_dates", "trafilatura"):
        out.append(f"{name:<20}  {s[name]['day_right']:9.3f}  {s[name]['coverage']:8.3f}")
    if s["time_ratio"] is not None:
        out.append(f"time newspipe / trafilatura: {s['time_ratio']:.2f}")
    wrong = [p for p in report["pages"] if p["newspipe_dates"] != p["expected"]]
    out.append("causes (date search alone): " + ", ".join(f"{c} {k}" for c, k in Counter(map(_cause, wrong)).most_common()))
    for p in wrong[: args.worst]:
        out.append(f"  {p['id']} expected {p['expected']} got {p['newspipe_dates']} "
                   f"(trafilatura {p['trafilatura']}) {p['url'][:90]}")
    sys.stdout.write("\n".join(out) + "\n")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
