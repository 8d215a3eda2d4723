"""Where start-up goes with thousands of sources: a profile from process start to the first article request.

    python -m benchmarks.sources_profile --sources 1000 [--top 40] [--sort tottime] [--out prof.pstats]

The same crawl as `benchmarks.sources_scale` (one source per `*.bench.test` host behind one loopback
proxy port, a feed of 3 articles each, the shipped settings), in a fresh process under cProfile with
the process's CPU clock (`time.process_time`): the profile starts before the first import and ends
when the first article request reaches the downloader (Scrapy's `request_reached_downloader`), where
the process stops (`--until end`: the whole crawl; `--repeat`: the repeat run's). Prints the CPU and wall seconds to that point and the top functions.
Reads no settings.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.vhost_site import HostsSite

REPO = Path(__file__).resolve().parent.parent

# The profiled process: the profiler first, then the crawl's own imports.
_CHILD = """
import cProfile, time, sys
profiler = cProfile.Profile(time.process_time)
if sys.argv[4] == "profile":
    profiler.enable()
import json
import benchmarks.sources_profile as watch
watch.PROFILER, watch.OUT, watch.STOP = profiler, sys.argv[2], sys.argv[3]
from crawler.runner import build_settings, run_spider
run_spider("news", build_settings(json.loads(sys.argv[1])))
profiler.disable()  # --until end: the whole crawl
profiler.dump_stats(sys.argv[2])
with open(sys.argv[2] + ".json", "w") as f:
    json.dump({"cpu_s": time.process_time(), "marks": {}}, f)
"""

PROFILER: Any = None  # set in the profiled process
OUT = ""
STOP = "article"  # or "end": the whole crawl


class StopAtFirstArticle:
    """Extension of the profiled process: at the first article request reaching the downloader,
    the profile is written and the process ends (no clean-up: nothing after that point counts)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> StopAtFirstArticle:
        from scrapy import signals

        extension = cls()
        crawler.signals.connect(extension.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.received, signal=signals.response_received)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> None:
        # Wall clock (time.time) and CPU seconds of the first time each milestone is passed.
        self.marks.setdefault(name, time.time())
        self.marks.setdefault(name + "_cpu", time.process_time())

    def engine_started(self) -> None:
        self.mark("engine_started")

    def spider_opened(self, spider: Any) -> None:
        self.mark("spider_opened")

    def received(self, response: Any, request: Any, spider: Any) -> None:
        self.mark(f"first_response/{getattr(request.callback, '__name__', '')}")

    def reached(self, request: Any, spider: Any) -> None:
        self.mark(f"first_request/{getattr(request.callback, '__name__', '')}")
        if getattr(request.callback, "__name__", "") != "parse_article" or STOP != "article":
            return
        cpu = time.process_time()
        if PROFILER is not None:
            PROFILER.disable()
            PROFILER.dump_stats(OUT)
        Path(OUT + ".json").write_text(json.dumps({"cpu_s": cpu, "url": request.url, "marks": self.marks}), encoding="utf-8")
        sys.stdout.flush()
        os._exit(0)


def profile(count: int, articles: int, code: Path, out: Path, *, until: str = "article", repeat: bool = False, profiled: bool = True) -> dict[str, Any]:
    site = HostsSite.start(hosts=count, articles=articles)
    try:
        with tempfile.TemporaryDirectory(prefix="sources-profile-") as tmp_name:
            tmp = Path(tmp_name)
            sources = tmp / "sources.toml"
            sources.write_text(site.sources(delay=None, robots_sitemaps=False), encoding="utf-8")
            overrides = {
                "NEWSPIPE_SOURCES_FILE": str(sources),
                "NEWSPIPE_DATABASE_URL": f"sqlite:///{tmp / 'newspipe.db'}",
                "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],
                "LOG_LEVEL": "WARNING",
                "EXTENSIONS": {"benchmarks.sources_profile.StopAtFirstArticle": 0},
            }
            env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{REPO}", "PYTHONDONTWRITEBYTECODE": "1"}
            env.pop("NEWSPIPE_DATABASE_URL", None)
            command = [sys.executable, "-c", _CHILD, json.dumps(overrides), str(out), until, "profile" if profiled else "plain"]
            if repeat:  # a first run, unprofiled: the profile is the repeat run's
                subprocess.run(command, cwd=code, env=env, check=False, stdout=subprocess.DEVNULL)
                Path(str(out) + ".json").unlink(missing_ok=True)
            began, began_at = time.monotonic(), time.time()
            done = subprocess.run(command, cwd=code, env=env, check=False)
            wall = time.monotonic() - began
            marker = Path(str(out) + ".json")
            if not marker.exists():
                raise RuntimeError(f"the crawl ended (exit {done.returncode}) before any article request")
            found = json.loads(marker.read_text())
            marker.unlink()
    finally:
        site.stop()
    marks = {
        name: round(value if name.endswith("_cpu") else value - began_at, 2) for name, value in found["marks"].items()
    }  # seconds from the process's start (wall) and CPU seconds, at each milestone
    return {"sources": count, "cpu_s_to_first_article": round(found["cpu_s"], 2), "wall_s_to_first_article": round(wall, 2), "marks": marks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose crawler runs (default: this one)")
    parser.add_argument("--out", type=Path, default=None, help="keep the pstats file here")
    parser.add_argument("--until", default="article", choices=("article", "end"), help="profile to the first article request or the whole crawl")
    parser.add_argument("--repeat", action="store_true", help="profile a repeat run (after an unprofiled first run)")
    parser.add_argument("--plain", action="store_true", help="no profiler: only the CPU and wall seconds to each milestone")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sources-profile-out-") as tmp:
        out = args.out.resolve() if args.out else Path(tmp) / "startup.pstats"
        result = profile(args.sources, args.articles, args.code.resolve(), out, until=args.until, repeat=args.repeat, profiled=not args.plain)
        print(json.dumps(result), flush=True)
        if not args.plain:
            pstats.Stats(str(out)).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
