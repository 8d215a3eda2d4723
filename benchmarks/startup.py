"""Start-up cost of the CLI in CPU seconds: `newspipe --help`, and `newspipe crawl` up to its first request.

    python -m benchmarks.startup [--runs 5] [--sources 1] [--importtime FILE]

`--help` runs to completion in a fresh interpreter each time; its CPU time (user + system) is the
child's rusage. For `crawl`, a local in-memory site (`benchmarks.site_server`) serves a sources file
of `--sources` sources on 127.0.0.1 and the crawl's CPU time is read from /proc (Linux) when its first
request arrives; the crawl is then stopped. CPU time, not wall time: it moves little with the machine's load. `--importtime FILE`: one more
crawl under `python -X importtime` (wall-clock microseconds per import, to FILE), and its largest
top-level imports printed.
Reads no settings; the crawl gets NEWSPIPE_ALLOW_NETWORKS=127.0.0.1/32.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.procstat import cpu_seconds
from benchmarks.site_server import MemorySite

CLI = [sys.executable, "-m", "newspipe.cli"]


def help_cpu() -> float:
    """CPU seconds of one `newspipe --help` in a fresh interpreter."""
    process = subprocess.Popen([*CLI, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("newspipe --help failed")
    return usage.ru_utime + usage.ru_stime


class FirstRequestSite(MemorySite):
    """The benchmark site, noting the crawl's CPU time when the first request comes in."""

    watched: int = 0  # the crawl's process id, once started
    first_cpu: float | None = None
    seen: threading.Event | None = None

    def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        if self.first_cpu is None and self.watched and self.seen is not None:
            self.first_cpu = cpu_seconds(self.watched)
            self.seen.set()
        return super()._answer(head, writer)


def crawl_cpu(sources: int, workdir: Path, importtime: Path | None = None) -> float:
    """CPU seconds of `newspipe crawl` from start to its first request, with `sources` sources
    (under `-X importtime`, its report written to `importtime`, when given)."""
    site = FirstRequestSite.start()
    seen = site.seen = threading.Event()
    try:
        site.pages["/feed.xml"] = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
        sources_file = workdir / "sources.toml"
        sources_file.write_text(
            "".join(f'[[source]]\nname = "s{i}"\nfeeds = ["{site.base}/feed.xml?s={i}"]\ndelay = 0\n\n' for i in range(sources)),
            encoding="utf-8",
        )
        database = workdir / f"startup-{time.monotonic_ns()}.db"
        env = {**os.environ, "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
        interpreter = [sys.executable, "-X", "importtime", *CLI[1:]] if importtime else CLI
        command = [*interpreter, "crawl", str(sources_file), "--db", f"sqlite:///{database}", "--no-progress", "--no-lock"]
        with open(importtime or os.devnull, "wb") as errors:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=workdir)
            site.watched = process.pid
            try:
                if not seen.wait(120):
                    raise RuntimeError("the crawl made no request within 120 s")
            finally:
                process.kill()
                process.wait()
        assert site.first_cpu is not None
        return site.first_cpu
    finally:
        site.stop()


def top_imports(report: Path, count: int = 15) -> list[tuple[int, str]]:
    """The `count` largest top-level imports of an `-X importtime` report: (cumulative us, module)."""
    found = []
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not name.startswith("  "):  # one space after the bar: not nested in another import
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f}; {len(values)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sources", type=int, default=1, help="sources in the crawl's sources file")
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--importtime", type=Path, help="also one crawl under -X importtime, its report to this file")
    args = parser.parse_args()
    helps = [help_cpu() for _ in range(args.runs)]
    sys.stdout.write(f"newspipe --help: CPU-s {spread(helps)}\n")
    if not args.skip_crawl:
        with tempfile.TemporaryDirectory() as tmp:
            crawls = [crawl_cpu(args.sources, Path(tmp)) for _ in range(args.runs)]
        sys.stdout.write(f"newspipe crawl ({args.sources} sources) to its first request: CPU-s {spread(crawls)}\n")
        if args.importtime:
            with tempfile.TemporaryDirectory() as tmp:
                crawl_cpu(args.sources, Path(tmp), importtime=args.importtime)
            sys.stdout.write(f"largest top-level imports (-X importtime, wall-clock ms, cumulative; {args.importtime}):\n")
            for cumulative, name in top_imports(args.importtime):
                sys.stdout.write(f"  {cumulative / 1000:8.1f}  {name}\n")


if __name__ == "__main__":
    main()
