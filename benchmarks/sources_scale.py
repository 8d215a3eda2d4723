"""Thousands of sources: how soon articles flow, CPU per source, and what a repeat run asks for.

    python -m benchmarks.sources_scale --sources 100,1000,10000 --articles 3
    python -m benchmarks.sources_scale --sources 1000 --code /work/main   # the same against another checkout

One source per host (`benchmarks.vhost_site`: s00000.bench.test ... behind one loopback proxy
port), each with a feed of `--articles` articles. For each size, `newspipe`'s `news` spider runs
twice in a fresh process against a fresh SQLite database, with the shipped settings (politeness,
AutoThrottle, extraction and storage; the sources set no delay of their own):

- run 1: seconds from the process's start to its first feed and first article request (from the
  site's request log; `first_article_from_start_s`, the target, and the process's CPU seconds to
  that request, `first_article_from_start_cpu_s`, read from /proc, which the machine's load moves
  little), and where the rest of those wall seconds went on the crawl's main thread (from
  /proc/<pid>/schedstat: `first_article_run_queue_s`, runnable but waiting for a CPU, the machine's
  load; `first_article_asleep_s`, waiting on timers such as a host's delay, the network or other
  threads), wall seconds, the process's CPU seconds per source;
- run 2 (within the robots.txt time-to-live): requests by kind from the site's log, beside the
  revisits the run itself reports (`newspipe/discovery/revisits`). The target: no robots.txt
  request, one feed request per source, article requests = revisits reported.

A one-source crawl first gives the process's fixed CPU cost (start-up, database set-up), so
`net_cpu_ms_per_source` is what each further source costs.

Prints one JSON object per size. `--tiny` (10 sources) is the smoke test's size. Reads no settings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.procstat import cpu_seconds, main_thread_schedule
from benchmarks.vhost_site import HostsSite, kind_of

REPO = Path(__file__).resolve().parent.parent


class WatchedHostsSite(HostsSite):
    """The hosts site, noting the crawl's CPU seconds (from /proc) when its first article request comes in."""

    watched: int = 0  # the crawl's process id, while it runs
    first_article_cpu: float | None = None
    first_article_schedule: tuple[float, float] | None = None  # its main thread's (on CPU, run queue) s

    def _answer(self, head: bytes, writer: Any) -> bool:
        if self.watched and self.first_article_cpu is None and kind_of(_path_of(head)) == "article":
            try:
                self.first_article_cpu = cpu_seconds(self.watched)
                self.first_article_schedule = main_thread_schedule(self.watched)
            except OSError:  # the process has just ended
                self.first_article_cpu = None
        return super()._answer(head, writer)


def _path_of(head: bytes) -> str:
    target = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else ""
    if target.startswith("http://"):
        target = "/" + target[7:].partition("/")[2]
    return target.split("?", 1)[0]

# The crawl's process: plain imports from the checkout under test (no benchmark code), stats to a file.
_CHILD = """
import json, sys
from crawler.runner import build_settings, run_spider
overrides, out = json.loads(sys.argv[1]), sys.argv[2]
outcome = run_spider("news", build_settings(overrides))
keep = {k: v for k, v in outcome.stats.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
with open(out, "w", encoding="utf-8") as f:
    json.dump({"ok": outcome.ok, "status": outcome.status, "stats": keep}, f)
"""


def run_crawl(site: WatchedHostsSite, sources: Path, db_url: str, tmp: Path, code: Path, extra: dict[str, Any]) -> dict[str, Any]:
    """One crawl in a fresh process: its stats, wall and CPU seconds, and when requests came."""
    overrides = {
        "NEWSPIPE_SOURCES_FILE": str(sources),
        "NEWSPIPE_DATABASE_URL": db_url,
        "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],  # the site's proxy port; no other private address
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    out = tmp / f"stats-{time.monotonic_ns()}.json"
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    log = (tmp / "crawl.log").open("a")
    site.reset_log()
    site.first_article_cpu = None
    site.first_article_schedule = None
    began = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(overrides), str(out)], cwd=code, env=env, stdout=log, stderr=subprocess.STDOUT)
    site.watched = proc.pid
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # interrupted: the crawl goes too, not left running against a stopped site
        proc.kill()
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    site.watched = 0
    wall = time.monotonic() - began
    log.close()
    offset = site.began - began  # the log's clock starts at reset_log, just before the process
    firsts: dict[str, float] = {}
    kinds = [(seconds + offset, kind_of(path)) for seconds, _, path, _ in list(site.log)]
    for seconds, kind in kinds:
        firsts.setdefault(kind, seconds)
    article_times = [seconds for seconds, kind in kinds if kind == "article"]
    feed_times = [seconds for seconds, kind in kinds if kind == "feed"]
    start = kinds[0][0] if kinds else 0.0
    flow = {
        # How articles flow, from the first request: when the last feed was asked for, when half the
        # articles were, and the share of article requests made before the last feed request.
        "last_feed_s": round(feed_times[-1] - start, 2) if feed_times else None,
        "half_articles_s": round(article_times[len(article_times) // 2] - start, 2) if article_times else None,
        "articles_before_last_feed": round(sum(t < feed_times[-1] for t in article_times) / len(article_times), 3)
        if article_times and feed_times else None,
    }  # fmt: skip
    result = json.loads(out.read_text()) if out.exists() else {"ok": False, "status": f"exit {proc.returncode}", "stats": {}}
    return {
        "ok": result["ok"], "status": result["status"], "stats": result["stats"], "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "requests": dict(site.counts()),
        "first_s": {kind: round(seconds, 2) for kind, seconds in sorted(firsts.items())}, "flow": flow,
        "first_article_cpu_s": None if site.first_article_cpu is None else round(site.first_article_cpu, 2),
        "first_article_schedule": site.first_article_schedule,
    }  # fmt: skip


def _waits(run: dict[str, Any]) -> dict[str, float | None]:
    """From the process's start to its first article request, the main (reactor) thread's seconds
    on the run queue (runnable, waiting for a CPU: the machine's load) and asleep (wall less its
    CPU and run-queue seconds: waiting on timers such as a host's delay, the network, other threads)."""
    schedule, wall = run["first_article_schedule"], run["first_s"].get("article")
    if schedule is None or wall is None:
        return {"first_article_run_queue_s": None, "first_article_asleep_s": None}
    on_cpu, run_queue = schedule
    return {"first_article_run_queue_s": round(run_queue, 2), "first_article_asleep_s": round(wall - on_cpu - run_queue, 2)}


def baseline_cpu(articles: int, code: Path, extra: dict[str, Any]) -> float:
    """CPU seconds of a one-source crawl: the process's fixed cost (start-up, database), left out of
    the net CPU per source."""
    site = WatchedHostsSite.start(hosts=1, articles=articles)
    try:
        with tempfile.TemporaryDirectory(prefix="sources-scale-") as tmp_name:
            tmp = Path(tmp_name)
            sources = tmp / "sources.toml"
            sources.write_text(site.sources(delay=None, robots_sitemaps=False), encoding="utf-8")
            return float(run_crawl(site, sources, f"sqlite:///{tmp / 'newspipe.db'}", tmp, code, extra)["cpu_s"])
    finally:
        site.stop()


_NO_RUN: dict[str, Any] = {
    "ok": True, "status": "not run", "stats": {}, "wall_s": 0, "cpu_s": 0, "requests": {}, "first_s": {}, "flow": {}, "first_article_cpu_s": None,
    "first_article_schedule": None,
}  # fmt: skip


def measure(
    count: int, articles: int, code: Path, extra: dict[str, Any], fixed_cpu: float = 0.0, *, repeat_run: bool = True
) -> dict[str, Any]:
    site = WatchedHostsSite.start(hosts=count, articles=articles)
    try:
        with tempfile.TemporaryDirectory(prefix="sources-scale-") as tmp_name:
            tmp = Path(tmp_name)
            sources = tmp / "sources.toml"
            sources.write_text(site.sources(delay=None, robots_sitemaps=False), encoding="utf-8")
            db_url = f"sqlite:///{tmp / 'newspipe.db'}"
            first = run_crawl(site, sources, db_url, tmp, code, extra)
            # Run 1's figures at once (a long repeat run may be stopped): wall, CPU, CPU at the first article.
            sys.stderr.write(json.dumps({"sources": count, "run1": {k: first[k] for k in ("ok", "wall_s", "cpu_s", "first_s", "first_article_cpu_s")}, "run1_first_article_wait": _waits(first)}) + "\n")
            sys.stderr.flush()
            repeat = run_crawl(site, sources, db_url, tmp, code, extra) if repeat_run else _NO_RUN
            if not (first["ok"] and repeat["ok"]):
                sys.stderr.write((tmp / "crawl.log").read_text()[-4000:])
    finally:
        site.stop()
    stored = int(first["stats"].get("newspipe/store/stored", first["stats"].get("item_scraped_count", 0)))
    revisits = int(repeat["stats"].get("newspipe/discovery/revisits", 0))
    return {
        "sources": count,
        "articles_per_source": articles,
        "code": str(code),
        "run1": {
            "ok": first["ok"], "wall_s": first["wall_s"], "cpu_s": first["cpu_s"],
            "cpu_ms_per_source": round(1000 * first["cpu_s"] / count, 1),
            # Less a one-source run's CPU (start-up and the database's set-up), per further source.
            "net_cpu_ms_per_source": round(1000 * (first["cpu_s"] - fixed_cpu) / max(1, count - 1), 1) if fixed_cpu else None,
            "items": stored, "first_request_s": first["first_s"], "requests": first["requests"],
            # The target: from the process's start (imports, settings, the sources file, the database)
            # to its first article request, in wall seconds (the machine's load shows here) and in
            # the process's CPU seconds (read from /proc when that request arrives).
            "first_article_from_start_s": first["first_s"].get("article"),
            "first_article_from_start_cpu_s": first["first_article_cpu_s"],
            # Where the rest of those wall seconds went, on the crawl's main (reactor) thread.
            **_waits(first),
            # The process's start-up (imports, database) left out: from its first request of any kind.
            "flow": first["flow"],
            "article_after_first_request_s": round(first["first_s"].get("article", -1) - min(first["first_s"].values(), default=0), 2),
        },
        "run2": {
            "ok": repeat["ok"], "wall_s": repeat["wall_s"], "cpu_s": repeat["cpu_s"],
            "requests": repeat["requests"], "revisits_reported": revisits,
            "revisits_unchanged_reported": int(repeat["stats"].get("newspipe/fetch/not_modified/revisit", 0)),
            "only_feeds_and_revisits": None if repeat is _NO_RUN else repeat["requests"].get("robots", 0) == 0
            and repeat["requests"].get("feed", 0) == count
            and repeat["requests"].get("article", 0) == revisits
            and sum(repeat["requests"].values()) - sum(v for k, v in repeat["requests"].items() if "/" in k) == count + revisits,
        },
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sources", default="100,1000", help="comma-separated numbers of sources (one host each)")
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="10 sources: the smoke test")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose crawler runs (default: this one)")
    parser.add_argument("--no-repeat", action="store_true", help="skip the repeat run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-source run (net CPU per source)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON", help="a setting for the crawls")
    args = parser.parse_args(argv)
    sizes = [10] if args.tiny else [int(n) for n in args.sources.split(",") if n.strip()]
    extra = {name: json.loads(value) for name, _, value in (item.partition("=") for item in args.set)}
    fixed = 0.0 if args.no_baseline else baseline_cpu(args.articles, args.code.resolve(), extra)
    ok = True
    for count in sizes:
        result = measure(count, args.articles, args.code.resolve(), extra, fixed, repeat_run=not args.no_repeat)
        result["one_source_cpu_s"] = fixed or None
        ok = ok and result["run1"]["ok"] and result["run2"]["ok"]
        print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
