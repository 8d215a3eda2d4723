"""Seeded fuzz campaign: extraction, feed and sitemap parsers on hostile input.

    python -m benchmarks.fuzz --corpora ../shared/corpora [--seed 0] [--workers 1]
        [--extraction 10000] [--feeds 2000] [--sitemaps 2000] [--only TARGET:INDEX]
        [--out out/fuzz] [--slow 5] [--kill-after 60] [--minimize 500] [--json report.json]

Inputs come from `benchmarks.fuzz_inputs`: mutated real pages from the corpora
(every page of scrapinghub, fundus-dev, htmldate-dev and trafilatura-dev; the
fixture pages in tests/fixtures when the corpora are absent) and generated
feeds and sitemaps. Input i of a target depends only on (seed, target, i), so
`--only feed:17` replays one. Each input runs in a worker process, timed in CPU
time; a worker that runs longer than `--kill-after` wall seconds is killed
and the input recorded as slow. Each distinct exception's first input is then
shrunk by delta debugging (`--minimize` runs at most) and saved under `<out>/minimal/`. Reported per target: inputs, exceptions
(by type and place, each with a reproducer saved under `--out`), caught
errors (`NotAnArticle("error"/"timeout")`, for when the extractor catches
its own crashes), invariant violations of the discovery parsers (a returned
URL not absolute http(s), a naive date, a good entry lost next to bad ones),
inputs over `--slow` CPU seconds, and max and p99 CPU seconds per input.
Targets: 0 exceptions, 0 violations, no input over 5 s. Reads no settings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import multiprocessing
import random
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from benchmarks.corpora import default_corpora_root
from benchmarks.fuzz_inputs import FuzzInput, extraction_input, feed_input, sitemap_input

logger = logging.getLogger(__name__)

TARGETS = ("extraction", "feed", "sitemap")
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
FETCHED_AT = datetime(2025, 11, 1, tzinfo=timezone.utc)
DOC_URL = "https://news.example.com/fuzz/document"


# -- seed pages -----------------------------------------------------------------------------------


def page_paths(corpora: Path) -> list[Path]:
    """Every corpus page (*.html.gz) under `corpora`, sorted; the fixture pages if there are none."""
    paths = sorted(corpora.glob("*/**/*.html.gz")) if corpora.is_dir() else []
    if not paths:
        paths = sorted((FIXTURES / "extraction").glob("*.html")) + sorted((FIXTURES / "discovery").glob("*.html"))
    return paths


def read_page(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def make_input(target: str, seed: int, index: int, pages: list[Path]) -> FuzzInput:
    """Input `index` of `target`: a function of (seed, target, index) and the page list only."""
    rng = random.Random(f"{seed}:{target}:{index}")
    if target == "extraction":
        path = pages[rng.randrange(len(pages))]
        fuzz = extraction_input(rng, read_page(path))
        fuzz.mutations.insert(0, path.name)
        return fuzz
    return feed_input(rng) if target == "feed" else sitemap_input(rng)


# -- running one input (in the worker) ------------------------------------------------------------


def _place(exc: BaseException) -> str:
    """Where an exception was raised: the innermost frame in this repository's code, else the innermost."""
    root = Path(__file__).resolve().parent.parent
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(root) + "/") and "/.venv/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    return f"{frame.filename.removeprefix(str(root) + '/')}:{frame.lineno} ({frame.name})"


def _check_discovery(target: str, fuzz: FuzzInput) -> str | None:
    """Run a discovery parser; a violated invariant as text, or None."""
    from urllib.parse import urlsplit

    from crawler.discovery import DiscoveryError, parse_feed, parse_sitemap

    body = fuzz.payload if isinstance(fuzz.payload, bytes) else fuzz.payload.encode("utf-8", "surrogatepass")
    parse = parse_feed if target == "feed" else parse_sitemap
    try:
        document = parse(body, DOC_URL, max_size=fuzz.max_size)
    except DiscoveryError:
        return None
    for entry in document.entries:
        parts = urlsplit(entry.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"not an absolute http(s) URL: {entry.url[:200]!r}"
        for value in (entry.published_at, entry.modified_at):
            if value is not None and value.utcoffset() is None:
                return f"naive date {value!r} for {entry.url[:200]!r}"
    if fuzz.expect_urls is not None:
        lost = set(fuzz.expect_urls) - {e.url for e in document.entries}
        if lost:
            return f"{len(lost)} good entries lost, e.g. {sorted(lost)[0]!r}"
    return None


def run_one(target: str, fuzz: FuzzInput) -> dict[str, Any]:
    """One input through its target, timed in CPU seconds; never raises."""
    outcome: dict[str, Any] = {"error": None, "place": None, "caught": None, "violation": None}
    started = time.process_time()
    try:
        if target == "extraction":
            from pipelines.extraction import extract_article

            result = extract_article(fuzz.payload, "https://news.example.com/2025/10/28/fuzzed-story/", fetched_at=FETCHED_AT)
            reason = getattr(result, "reason", None)
            if reason in ("error", "timeout"):
                outcome["caught"] = f"{reason}: {getattr(result, 'detail', '')}"[:300]
        else:
            outcome["violation"] = _check_discovery(target, fuzz)
    except BaseException as exc:  # the point of the campaign: every escape is recorded
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        outcome["place"] = _place(exc)
    outcome["seconds"] = time.process_time() - started
    return outcome


def _worker(connection: Any) -> None:
    logging.disable(logging.CRITICAL)  # the extractor logs what it skips; the campaign counts it
    while True:
        job = connection.recv()
        if job is None:
            return
        connection.send(run_one(*job))


class Worker:
    """A subprocess running one input at a time; killed and replaced when an input runs too long."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self.job: tuple[str, int, FuzzInput] | None = None
        self.deadline = 0.0
        self._started = 0.0
        self._start()

    def _start(self) -> None:
        self.connection, child = self._context.Pipe()
        self._process = self._context.Process(target=_worker, args=(child,), daemon=True)
        self._process.start()
        child.close()

    def submit(self, target: str, index: int, fuzz: FuzzInput, kill_after: float) -> None:
        self.job = (target, index, fuzz)
        self._started = time.monotonic()
        self.deadline = self._started + kill_after
        self.connection.send((target, fuzz))

    def collect(self) -> dict[str, Any]:
        """The outcome of the submitted input: its result, or (overdue or dead) a killed/died record."""
        self.job = None
        if time.monotonic() < self.deadline or self.connection.poll(0):
            try:
                return self.connection.recv()
            except (EOFError, OSError) as exc:
                # The worker died (a crash in C code, or out of memory): that is an exception too.
                outcome = {"error": f"WorkerDied: {type(exc).__name__}, exit code {self._process.exitcode}",
                           "place": "worker process"}  # fmt: skip
        else:
            outcome = {"killed": True}
        outcome["seconds"] = time.monotonic() - self._started  # wall time: the CPU time died with the worker
        self.close(kill=True)
        self._start()
        return outcome

    def close(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.connection.send(None)
            except OSError:
                pass
            self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        self._process.join(10)


# -- the campaign ---------------------------------------------------------------------------------


@dataclass(slots=True)
class TargetReport:
    inputs: int = 0
    exceptions: int = 0
    caught_errors: int = 0
    violations: int = 0
    over_slow: int = 0
    killed: int = 0
    max_seconds: float = 0.0
    p99_seconds: float = 0.0
    total_seconds: float = 0.0
    # signature -> {"count", "first_index", "example", "reproducer", "mutations"}
    distinct: dict[str, dict[str, Any]] = field(default_factory=dict)
    slow: list[dict[str, Any]] = field(default_factory=list)


def _save(out: Path, target: str, index: int, fuzz: FuzzInput, note: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".html" if target == "extraction" else ".xml"
    if isinstance(fuzz.payload, bytes):
        data = fuzz.payload
    else:
        data = fuzz.payload.encode("utf-8", "surrogatepass")
        suffix += ".str"  # a str input: surrogates kept as surrogatepass UTF-8
    path = out / f"{target}-{index:05d}{suffix}"
    path.write_bytes(data)
    path.with_suffix(path.suffix + ".txt").write_text(
        f"target: {target}\nindex: {index}\nmutations: {fuzz.mutations}\nmax_size: {fuzz.max_size}\n{note}\n", encoding="utf-8"
    )
    return str(path)


def _signature(outcome: dict[str, Any]) -> str | None:
    """An exception's type and place, or None when the input raised nothing."""
    if not outcome.get("error"):
        return None
    return f"{outcome['error'].split(':', 1)[0]} at {outcome['place']}"


def minimize(worker: Worker, target: str, fuzz: FuzzInput, signature: str, *, attempts: int, kill_after: float) -> FuzzInput:
    """A smaller input raising the same exception at the same place (delta debugging, `attempts` runs at most)."""
    payload = fuzz.payload
    chunks = 2
    while attempts > 0 and len(payload) > 1 and chunks <= len(payload):
        size = max(1, len(payload) // chunks)
        for start in range(0, len(payload), size):
            if attempts <= 0:
                break
            attempts -= 1
            candidate = FuzzInput(payload[:start] + payload[start + size :], fuzz.mutations, None, fuzz.max_size)
            worker.submit(target, -1, candidate, kill_after)
            if _signature(worker.collect()) == signature:
                payload = candidate.payload
                chunks = max(2, chunks - 1)
                break
        else:
            chunks *= 2
    return FuzzInput(payload, [*fuzz.mutations, "minimized"], None, fuzz.max_size)


def _record(report: TargetReport, target: str, index: int, fuzz: FuzzInput, outcome: dict[str, Any],
            out: Path, slow: float) -> None:  # fmt: skip
    report.inputs += 1
    seconds = outcome["seconds"]
    report.total_seconds += seconds
    report.max_seconds = max(report.max_seconds, seconds)
    for kind, key in (("exception", "error"), ("caught", "caught"), ("violation", "violation")):
        if not outcome.get(key):
            continue
        if kind == "exception":
            report.exceptions += 1
            signature = _signature(outcome)
        elif kind == "caught":
            report.caught_errors += 1
            signature = f"caught {outcome['caught'][:80]}"
        else:
            report.violations += 1
            signature = f"violation: {outcome['violation'].split(':', 1)[0]}"
        entry = report.distinct.setdefault(signature, {"count": 0, "first_index": index, "example": outcome[key], "mutations": fuzz.mutations})
        entry["count"] += 1
        if "reproducer" not in entry:
            entry["reproducer"] = _save(out, target, index, fuzz, f"{kind}: {outcome[key]}\nplace: {outcome.get('place')}")
    if outcome.get("killed"):
        report.killed += 1
    if seconds > slow or outcome.get("killed"):
        report.over_slow += 1
        report.slow.append({"index": index, "seconds": round(seconds, 2), "killed": bool(outcome.get("killed")),
                            "mutations": fuzz.mutations, "reproducer": _save(out, target, index, fuzz, f"slow: {seconds:.2f}s")})  # fmt: skip


def _p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def _jobs(counts: dict[str, int], only: tuple[str, int] | None) -> Iterator[tuple[str, int]]:
    if only is not None:
        yield only
        return
    for target in TARGETS:
        for index in range(counts.get(target, 0)):
            yield target, index


def run_campaign(
    corpora: Path,
    counts: dict[str, int],
    *,
    seed: int = 0,
    out: Path = Path("out/fuzz"),
    slow: float = 5.0,
    kill_after: float = 60.0,
    only: tuple[str, int] | None = None,
    workers_count: int = 1,
    minimize_attempts: int = 0,
) -> dict[str, Any]:
    """Run the campaign with `workers_count` worker processes; return the report (a JSON-ready dict)."""
    pages = page_paths(corpora)
    wanted = [only[0]] if only else [t for t in TARGETS if counts.get(t)]
    reports: dict[str, TargetReport] = {t: TargetReport() for t in wanted}
    times: dict[str, list[float]] = {t: [] for t in reports}
    jobs = _jobs(counts, only)
    workers = [Worker() for _ in range(max(1, workers_count))]
    started = time.monotonic()
    try:
        busy = True
        while busy:
            for worker in workers:
                if worker.job is None and (job := next(jobs, None)) is not None:
                    target, index = job
                    worker.submit(target, index, make_input(target, seed, index, pages), kill_after)
            running = [w for w in workers if w.job is not None]
            busy = bool(running)
            if not busy:
                break
            timeout = max(0.0, min(w.deadline for w in running) - time.monotonic())
            ready = set(wait([w.connection for w in running], timeout))
            for worker in running:
                if worker.connection in ready or time.monotonic() >= worker.deadline:
                    target, index, fuzz = worker.job  # type: ignore[misc]
                    outcome = worker.collect()
                    report = reports[target]
                    _record(report, target, index, fuzz, outcome, out, slow)
                    times[target].append(outcome["seconds"])
                    if report.inputs % 500 == 0:
                        logger.info("%s: %d inputs, %d exceptions, %d over %ss",
                                    target, report.inputs, report.exceptions, report.over_slow, slow)  # fmt: skip
        if minimize_attempts:
            for target, report in reports.items():
                for signature, entry in report.distinct.items():
                    if signature.startswith(("caught ", "violation: ")):
                        continue
                    index = entry["first_index"]
                    small = minimize(workers[0], target, make_input(target, seed, index, pages), signature,
                                     attempts=minimize_attempts, kill_after=kill_after)  # fmt: skip
                    entry["minimal"] = _save(out / "minimal", target, index, small, f"exception: {signature}")
    finally:
        for worker in workers:
            worker.close()
    for target, report in reports.items():
        report.p99_seconds = _p99(times[target])
        report.slow.sort(key=lambda item: item["index"])
    return {
        "seed": seed,
        "corpora": str(corpora),
        "seed_pages": len(pages),
        "slow_seconds": slow,
        "kill_after_seconds": kill_after,
        "wall_seconds": round(time.monotonic() - started, 1),
        "targets": {t: asdict(r) for t, r in reports.items()},
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"seed {report['seed']}, {report['seed_pages']} seed pages from {report['corpora']}, "
        f"wall {report['wall_seconds']} s",
        f"{'target':<11}{'inputs':>8}{'exceptions':>12}{'caught':>8}{'violations':>12}"
        f"{'>' + str(report['slow_seconds']) + ' s':>8}{'max s':>9}{'p99 s':>8}",
    ]
    for target, r in report["targets"].items():
        lines.append(
            f"{target:<11}{r['inputs']:>8}{r['exceptions']:>12}{r['caught_errors']:>8}{r['violations']:>12}"
            f"{r['over_slow']:>8}{r['max_seconds']:>9.2f}{r['p99_seconds']:>8.3f}"
        )
    for target, r in report["targets"].items():
        for signature, d in sorted(r["distinct"].items(), key=lambda kv: -kv[1]["count"]):
            lines.append(f"  {target}: {d['count']} x {signature}\n      {d['example'][:160]}\n      {d['reproducer']}")
            if d.get("minimal"):
                lines.append(f"      minimal: {d['minimal']} ({Path(d['minimal']).stat().st_size} bytes)")
        for item in r["slow"][:20]:
            kind = "killed after" if item["killed"] else "CPU"
            lines.append(f"  {target}: slow input {item['index']} ({kind} {item['seconds']} s) {item['mutations']}")
    return "\n".join(lines)


def _only(value: str) -> tuple[str, int]:
    target, _, index = value.partition(":")
    if target not in TARGETS or not index.isdigit():
        raise argparse.ArgumentTypeError(f"expected TARGET:INDEX with TARGET one of {', '.join(TARGETS)}")
    return target, int(index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root (default: NEWSPIPE_CORPORA or ../shared/corpora)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extraction", type=int, default=10_000, help="extraction inputs (default 10000)")
    parser.add_argument("--feeds", type=int, default=2_000, help="feed inputs (default 2000)")
    parser.add_argument("--sitemaps", type=int, default=2_000, help="sitemap inputs (default 2000)")
    parser.add_argument("--out", type=Path, default=Path("out/fuzz"), help="where reproducers are saved")
    parser.add_argument("--slow", type=float, default=5.0, help="CPU seconds over which an input is reported slow")
    parser.add_argument("--kill-after", type=float, default=60.0, help="wall seconds after which a worker is killed")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--minimize", type=int, default=500, metavar="RUNS",
                        help="shrink each distinct exception's first input with at most RUNS runs (0: off)")  # fmt: skip
    parser.add_argument("--only", type=_only, default=None, metavar="TARGET:INDEX", help="replay one input")
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    counts = {"extraction": args.extraction, "feed": args.feeds, "sitemap": args.sitemaps}
    report = run_campaign(args.corpora or default_corpora_root(), counts, seed=args.seed, out=args.out,
                          slow=args.slow, kill_after=args.kill_after, only=args.only, workers_count=args.workers,
                          minimize_attempts=args.minimize)  # fmt: skip
    logger.info("report:\n%s", format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    clean = all(r["exceptions"] == 0 and r["violations"] == 0 and r["over_slow"] == 0 for r in report["targets"].values())
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
