"""Scale benchmark (issue 14): many workers, one PostgreSQL database, one Redis, near-duplicates across workers.

    python -m benchmarks.scale [--articles 20000] [--hosts 200] [--copies 0.1] [--workers 1 2 4 8]
        [--milestone 2000] [--redis redis://127.0.0.1:6379/0]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/test] [--json out.json]

The site: `--articles` article pages on `--hosts` virtual hosts `hostNNN.example`, all served
by one in-memory HTTP server on 127.0.0.1 (`benchmarks.site_server`) that each source names as
its `proxy` (crawler.proxy), as `newspipe demo` serves its `.example` publishers. Each host has
a sitemap. Pages are the demo site's article templates (three publishers' HTML) with a numbered
headline and paragraphs refilled, seeded per page, with sentences of words drawn from the demo's
own text, so no two originals share a body; they are built when requested, not held in memory.
`--copies` of the articles (10 %) are near-duplicates: an original's page on another host
(half the hosts away, so another source and another sitemap seed) with one sentence rewritten.
The truth (which page copies which) is known here, so near-duplicate recall and precision are
exact: a predicted pair is two articles in one story, a true pair an original and its copy.

Each run (one per `--workers` value) gets a fresh PostgreSQL schema and Redis job. The workers
(`worker` spider processes, as `newspipe crawl --redis` runs them, politeness off: no delay, no
AutoThrottle) are started and registered before the seeds are pushed; the run ends when the job's
queues are empty and nothing is in flight, then the workers are stopped with SIGINT. Measured:

- stored rows vs expected URLs (every article exactly once: no missing, no extra, no repeats);
- recall/precision of near-duplicates, overall and for pairs whose two articles were stored by
  different workers (the article's `run_id`: each worker has its own run);
- each worker's peak RSS (VmHWM) when `--milestone` articles are stored and at the end: ratio;
- rows read from the run's tables by every backend (pg_stat_user_tables, seq_tup_read +
  idx_tup_fetch; the schema is the run's own, so other users of the database do not count),
  per stored article, by table, with each table's sequential scans; pg_stat_statements is not
  preloaded on this server. `--analyze-every` ANALYZEs the run's tables as the autovacuum daemon
  would (this server runs without it): plans made on statistics of a small table are part of
  what is measured;
- CPU time of the workers (user + system, /proc) from the seeds to the end, per article, and
  per-worker throughput on CPU time and on wall time.

Reads no settings; arguments only. `--workers 1 --articles 100000 --milestone 10000` is the
single-process memory run. `tests/test_benchmark_scale.py` runs it tiny.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.procstat import cpu_seconds, peak_rss_mib
from benchmarks.site_server import MemorySite

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-site"
_PLACEHOLDER = re.compile(r"\{\{(base|host):([A-Za-z0-9_.-]+)\}\}")
_PARAGRAPH = re.compile(r"<p>([^<]{120,})</p>")
_WORD = re.compile(r"[A-Za-z][a-z]+")
LASTMOD_START = datetime(2025, 1, 1, 8, 0, tzinfo=timezone.utc)


# -- the generated site --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # the article's number; a copy has its own
    host: int
    original: int | None  # the number of the page it copies


class ScaleSite(Mapping[str, bytes]):
    """The pages by absolute URL (how a proxy is asked), generated on request.

    Articles 0 .. originals-1 are originals on host `n % hosts`; each copy `originals + k` copies
    original `k * step` and sits `hosts // 2` hosts further on."""

    def __init__(self, articles: int, hosts: int, copy_share: float) -> None:
        self.hosts = hosts
        self.copies = int(round(articles * copy_share))
        self.originals = articles - self.copies
        if self.copies > self.originals:
            raise ValueError("more copies than originals")
        self.step = self.originals // self.copies if self.copies else 1
        self.pages: list[Page] = [Page(n, n % hosts, None) for n in range(self.originals)]
        for k in range(self.copies):
            original = k * self.step
            self.pages.append(Page(self.originals + k, (original % hosts + hosts // 2) % hosts, original))
        self.by_url = {self.url(p): p for p in self.pages}
        self.on_host: list[list[Page]] = [[] for _ in range(hosts)]
        for page in self.pages:
            self.on_host[page.host].append(page)
        self.sitemaps = {f"{self.base(h)}/sitemap.xml": h for h in range(hosts)}

    @staticmethod
    def hostname(host: int) -> str:
        return f"host{host:03d}.example"

    def base(self, host: int) -> str:
        return f"http://{self.hostname(host)}"

    def url(self, page: Page) -> str:
        return f"{self.base(page.host)}/news/{page.number:06d}/"

    @cached_property
    def templates(self) -> list[tuple[dict[str, Any], str]]:
        truth = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
        found = []
        for article in truth["articles"]:
            page = DEMO / article["publisher"] / article["path"].lstrip("/")
            if article["path"].endswith("/"):
                page = page / "index.html"
            if page.is_file():
                html = page.read_text(encoding="utf-8")
                if _PARAGRAPH.search(html):
                    found.append((article, html))
        return found

    @cached_property
    def vocabulary(self) -> list[str]:
        return sorted({w for _, html in self.templates for p in _PARAGRAPH.findall(html) for w in _WORD.findall(p)})

    def html(self, page: Page) -> bytes:
        source = page.original if page.original is not None else page.number
        article, html = self.templates[source % len(self.templates)]
        publisher, old_path = article["publisher"], article["path"]
        base, url = self.base(page.host), self.url(page)
        html = html.replace(f"{{{{base:{publisher}}}}}{old_path}", url)
        html = _PLACEHOLDER.sub(lambda m: base if m.group(1) == "base" else base.removeprefix("http://"), html)
        html = html.replace(article["headline"], f"{article['headline']} (report {source})")
        rng = random.Random(source)
        paragraphs = [self._sentences(len(m.group(1).split()), rng) for m in _PARAGRAPH.finditer(html)]
        if page.original is not None:
            # The copy: one sentence of the middle paragraph rewritten (seeded by the copy's number).
            edit = random.Random(page.number)
            middle = paragraphs[len(paragraphs) // 2]
            k = edit.randrange(len(middle))
            middle[k] = [edit.choice(self.vocabulary) for _ in middle[k]]
        texts = iter(paragraphs)

        def refill(_: re.Match[str]) -> str:
            return "<p>" + " ".join(" ".join(s).capitalize() + "." for s in next(texts)) + "</p>"

        return _PARAGRAPH.sub(refill, html).encode("utf-8")

    def _sentences(self, words: int, rng: random.Random) -> list[list[str]]:
        out: list[list[str]] = []
        while words > 0:
            size = min(words, rng.randint(6, 12))
            out.append([rng.choice(self.vocabulary) for _ in range(size)])
            words -= size
        return out

    def sitemap(self, host: int) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for page in self.on_host[host]:
            modified = (LASTMOD_START + timedelta(seconds=10 * page.number)).isoformat()
            lines.append(f"<url><loc>{self.url(page)}</loc><lastmod>{modified}</lastmod></url>")
        lines.append("</urlset>")
        return "\n".join(lines).encode("utf-8")

    def sources_toml(self, proxy: str) -> str:
        return "".join(
            f'[[source]]\nname = "host{h:03d}"\ndomains = ["{self.hostname(h)}"]\nsitemaps = ["{self.base(h)}/sitemap.xml"]\n'
            f'robots_sitemaps = false\nlanguage = "en"\ndelay = 0\nconcurrency = 4\nproxy = "{proxy}"\n\n'
            for h in range(self.hosts)
        )

    def true_pairs(self) -> set[frozenset[str]]:
        return {frozenset((self.url(p), self.url(self.pages[p.original]))) for p in self.pages if p.original is not None}

    # Mapping: what MemorySite looks up (the request target; absolute-form through a proxy).
    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        page = self.by_url.get(key)
        if page is not None:
            return self.html(page)
        host = self.sitemaps.get(key)
        return self.sitemap(host) if host is not None else default

    def __getitem__(self, key: str) -> bytes:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter([*self.by_url, *self.sitemaps])

    def __len__(self) -> int:
        return len(self.by_url) + len(self.sitemaps)


# -- processes -------------------------------------------------------------------------------------


def worker_main(overrides: dict[str, Any]) -> int:
    from crawler.runner import build_settings, run_spider

    return 0 if run_spider("worker", build_settings(overrides)).ok else 1


# -- the database ----------------------------------------------------------------------------------


def _plain(pg_url: str) -> str:
    return pg_url.replace("postgresql+psycopg://", "postgresql://")


def fresh_schema(pg_url: str) -> tuple[str, str]:
    import psycopg

    schema = f"np_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{pg_url}?options=-csearch_path%3D{schema}"


def drop_schema(pg_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def rows_read(pg_url: str, schema: str) -> dict[str, int]:
    """Rows read from each of the schema's tables by every backend so far (seq_tup_read + idx_tup_fetch)."""
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE schemaname = %s",
            (schema,),
        ).fetchall()
    return {name: int(count) for name, count in rows}


def scan_counts(pg_url: str, schema: str) -> dict[str, dict[str, int]]:
    """For each of the schema's tables: sequential scans and the rows they read, index scans and
    the rows they fetched (what `rows_read` adds up, split to tell a scan from a probe)."""
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, coalesce(seq_scan, 0), coalesce(seq_tup_read, 0), coalesce(idx_scan, 0), coalesce(idx_tup_fetch, 0) "
            "FROM pg_stat_user_tables WHERE schemaname = %s",
            (schema,),
        ).fetchall()
    fields = ("seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch")
    return {name: dict(zip(fields, map(int, counts))) for name, *counts in rows}


def stored_rows(pg_url: str, schema: str) -> list[tuple[str, int, int | None]]:
    """(canonical_url, story_id, run_id) of every stored article."""
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        return conn.execute(f'SELECT canonical_url, story_id, run_id FROM "{schema}".articles').fetchall()


def highest_id(conn: Any) -> int:
    """The highest article id: a cheap stand-in for the count while running (one index probe;
    a count(*) per poll would read the table and swamp the rows-read figure)."""
    from sqlalchemy import text

    found = conn.execute(text("SELECT max(id) FROM articles")).fetchone()[0]
    return int(found or 0)


# -- one run ---------------------------------------------------------------------------------------


def drained(server: Any, keys: Any, workers: list[str]) -> bool:
    from crawler.distributed.queue import job_state

    return job_state(server, keys, workers).drained


def score(site: ScaleSite, rows: list[tuple[str, int, int | None]]) -> dict[str, Any]:
    expected = set(site.by_url)
    urls = [r[0] for r in rows]
    stories: dict[int, list[str]] = defaultdict(list)
    run_of = {}
    for url, story, run in rows:
        stories[story].append(url)
        run_of[url] = run
    predicted = set()
    for members in stories.values():
        distinct = sorted(set(members))  # a repeated row is no pair (exactly-once reports it)
        predicted |= {frozenset((a, b)) for i, a in enumerate(distinct) for b in distinct[i + 1 :]}
    truth = site.true_pairs()
    hits = predicted & truth
    cross = {p for p in truth if len({run_of.get(u) for u in p}) == 2 and all(u in run_of for u in p)}
    return {
        "expected": len(expected),
        "stored": len(urls),
        "distinct": len(set(urls)),
        "missing": len(expected - set(urls)),
        # Which hosts the missing articles belong to: a whole host's share points at its sitemap or robots.txt.
        "missing_by_host": dict(Counter(urlsplit(u).hostname for u in expected - set(urls)).most_common(10)),
        "unexpected": len(set(urls) - expected),
        "exactly_once": sorted(urls) == sorted(expected),
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "recall": len(hits) / len(truth) if truth else 1.0,
        "precision": len(hits) / len(predicted) if predicted else 1.0,
        "cross_worker_pairs": len(cross),
        "cross_worker_recall": len(cross & predicted) / len(cross) if cross else None,
    }


def analyze(conn: Any) -> None:
    """ANALYZE the run's tables, as the autovacuum daemon does now and then on a server that has it
    on (this one has not): plans are then costed on statistics of the growing tables."""
    tables = [t for (t,) in conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    if tables:  # the schema's own tables only (a bare ANALYZE would do every schema of the database)
        conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in tables))
    conn.commit()


def run_workers(
    workers: int, site: ScaleSite, sources: Path, redis_url: str, pg_url: str, tmp: Path, milestone: int, stall_s: float,
    analyze_every: float = 0.0,
) -> dict[str, Any]:  # fmt: skip
    import redis as redis_lib
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crawler.distributed.keys import JobKeys
    from crawler.distributed.seeds import new_cycle, push_seeds, seeds_for
    from crawler.sources import load_sources
    from storage.engine import Database

    keys = JobKeys(job=f"scale-{uuid.uuid4().hex[:8]}")
    schema, db_url = fresh_schema(pg_url)
    Database(db_url).close()  # the schema once, before the workers
    server = redis_lib.Redis.from_url(redis_url)
    names = [f"w{n}" for n in range(workers)]
    overrides = {
        "NEWSPIPE_DATABASE_URL": db_url,
        "NEWSPIPE_SOURCES_FILE": str(sources),
        "NEWSPIPE_REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_JOB": keys.job,
        "NEWSPIPE_REDIS_IDLE_TIMEOUT": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "LOG_LEVEL": "WARNING",
        "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],  # the proxy's loopback address, no other private one
        "NEWSPIPE_SPOOL_DIR": str(tmp / "spool"),  # not the repository, should the database go away
    }
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    expected = len(site.pages)
    poller = create_engine(db_url, poolclass=NullPool)
    result: dict[str, Any] = {"workers": workers}
    finished = False
    try:
        for name in names:
            log = (tmp / f"{keys.job}-{name}.log").open("w")
            logs.append(log)
            mine = {**overrides, "NEWSPIPE_REDIS_WORKER_ID": name}
            procs.append(
                subprocess.Popen([sys.executable, "-m", "benchmarks.scale", "--worker-json", json.dumps(mine)], cwd=REPO,
                                 stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
            )
        deadline = time.monotonic() + 300
        while server.scard(keys.workers) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers did not start; see {tmp}")
            time.sleep(0.2)
        rss_start = [peak_rss_mib(p.pid) for p in procs]
        began, cpu_began = time.perf_counter(), [cpu_seconds(p.pid) for p in procs]
        own_cpu_began = time.process_time()
        push_seeds(server, keys, seeds_for(load_sources(sources), new_cycle()))
        rss_milestone: list[float] | None = None
        last, last_change = -1, time.monotonic()
        next_analyze = time.monotonic() + analyze_every if analyze_every > 0 else float("inf")
        with poller.connect() as poll:
            while True:
                time.sleep(0.5)
                top = highest_id(poll)
                poll.rollback()
                if time.monotonic() >= next_analyze:
                    analyze(poll)
                    next_analyze = time.monotonic() + analyze_every
                if rss_milestone is None and top >= milestone:
                    rss_milestone = [peak_rss_mib(p.pid) for p in procs]
                if top != last:
                    last, last_change = top, time.monotonic()
                if top and drained(server, keys, names):
                    break
                # Before the first article, start-up on a loaded machine may take a while.
                patience = stall_s if top else max(stall_s, 600)
                if time.monotonic() - last_change > patience or any(p.poll() is not None for p in procs):
                    result["stalled"] = True
                    break
        elapsed = time.perf_counter() - began
        worker_cpu = [cpu_seconds(p.pid) - c for p, c in zip(procs, cpu_began)]
        rss_end = [peak_rss_mib(p.pid) for p in procs]
        own_cpu = time.process_time() - own_cpu_began
        finished = True
    finally:
        for proc in procs:
            if proc.poll() is None:
                # A clean stop (Scrapy takes SIGTERM as SIGINT; a shell's background job ignores SIGINT).
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()
        poller.dispose()
        stale = list(server.scan_iter(match=keys.pattern()))
        if stale:
            server.delete(*stale)
        if not finished:
            drop_schema(pg_url, schema)
    try:
        time.sleep(1.5)  # the backends' statistics are flushed at exit, asynchronously
        reads = rows_read(pg_url, schema)
        scans = scan_counts(pg_url, schema)
        rows = stored_rows(pg_url, schema)
    finally:
        drop_schema(pg_url, schema)
    stored = len(rows)
    total_cpu = sum(worker_cpu)
    result.update(score(site, rows))
    if result["missing"] or result.get("stalled"):
        # The workers' logs go with the temporary directory: keep them to find out why.
        kept = Path(tempfile.mkdtemp(prefix=f"np-scale-logs-{workers}w-"))
        for log in tmp.glob(f"{keys.job}-*.log"):
            shutil.copy(log, kept / log.name)
        result["logs"] = str(kept)
    result.update(
        {
            "seconds": elapsed,
            "worker_cpu_s": total_cpu,
            "worker_cpu_ms_per_article": 1000 * total_cpu / max(1, stored),
            "articles_per_worker_cpu_s": stored / total_cpu if total_cpu else 0.0,
            "articles_per_s": stored / elapsed,
            "articles_per_s_per_worker": stored / elapsed / workers,
            "site_cpu_ms_per_article": 1000 * own_cpu / max(1, stored),
            "rows_read": reads,
            "rows_read_per_article": sum(reads.values()) / max(1, stored),
            "article_rows_read_per_article": reads.get("articles", 0) / max(1, stored),
            "rows_read_per_article_by_table": {name: count / max(1, stored) for name, count in sorted(reads.items())},
            "scans": scans,
            "rss_mib_start": rss_start,
            "rss_mib_milestone": rss_milestone,
            "rss_mib_end": rss_end,
            "rss_ratio_end_to_milestone": max(e / m for e, m in zip(rss_end, rss_milestone)) if rss_milestone else None,
            "milestone": milestone,
        }
    )
    return result


def report(run: dict[str, Any]) -> str:
    ratio = run["rss_ratio_end_to_milestone"]
    cross = run["cross_worker_recall"]
    return (
        f"{run['workers']} worker(s): stored {run['stored']}/{run['expected']} (distinct {run['distinct']}, missing {run['missing']}, "
        f"unexpected {run['unexpected']}, exactly once: {run['exactly_once']}){' STALLED' if run.get('stalled') else ''}"
        f"{_missing_note(run)}; "
        f"near-dup recall {run['recall']:.3f} precision {run['precision']:.3f} "
        f"(cross-worker pairs {run['cross_worker_pairs']}, recall {'-' if cross is None else f'{cross:.3f}'}); "
        f"rows read/article {run['rows_read_per_article']:.1f} ({_top_tables(run)}); "
        f"worker CPU {run['worker_cpu_ms_per_article']:.2f} ms/article = {run['articles_per_worker_cpu_s']:.1f} articles/CPU-s; "
        f"wall {run['seconds']:.1f}s = {run['articles_per_s']:.1f}/s ({run['articles_per_s_per_worker']:.1f}/s per worker); "
        f"peak RSS MiB at {run['milestone']} {_mib(run['rss_mib_milestone'])}, at end {_mib(run['rss_mib_end'])}, "
        f"max ratio {'-' if ratio is None else f'{ratio:.3f}'}"
    )


def _missing_note(run: dict[str, Any]) -> str:
    if not run.get("logs"):
        return ""
    return f" (missing by host: {run['missing_by_host']}; the workers' logs are kept in {run['logs']})"


def _top_tables(run: dict[str, Any]) -> str:
    """Every table read at least 0.1 rows per stored article, most first, with its sequential scans."""
    stored = max(1, run["stored"])
    reads = sorted(((n, c) for n, c in run["rows_read"].items() if c / stored >= 0.1), key=lambda kv: -kv[1])
    scans = run.get("scans", {})
    return ", ".join(f"{name} {count / stored:.1f} [{scans.get(name, {}).get('seq_scan', 0)} seq scans]" for name, count in reads)


def _mib(values: list[float] | None) -> str:
    return "-" if values is None else "/".join(f"{v:.0f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20000, help="article pages, copies included")
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--copies", type=float, default=0.1, help="share of the articles that are near-duplicate copies")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--milestone", type=int, default=0, help="articles stored at the first RSS reading (default: a tenth)")
    parser.add_argument("--analyze-every", type=float, default=60.0,
                        help="ANALYZE the run's tables every this many seconds (the autovacuum daemon's default nap; 0: never)")  # fmt: skip
    parser.add_argument("--stall", type=float, default=120, help="give up after this many seconds without a new article")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test", help="PostgreSQL; a schema per run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_json:
        return worker_main(json.loads(args.worker_json))
    # Stopped with SIGTERM (a run cut short): unwind, so the workers are stopped and the schema dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    site = ScaleSite(args.articles, args.hosts, args.copies)
    milestone = args.milestone or max(1, args.articles // 10)
    server = MemorySite.start()
    server.pages = site  # type: ignore[assignment]  # a Mapping that builds pages on request
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="np-scale-") as tmp_name:
            tmp = Path(tmp_name)
            sources = tmp / "sources.toml"
            sources.write_text(site.sources_toml(server.base), encoding="utf-8")
            print(f"site: {len(site.pages)} articles ({site.copies} near-duplicate copies) on {args.hosts} hosts "
                  f"behind the proxy {server.base}", flush=True)  # fmt: skip
            for workers in args.workers:
                run = run_workers(workers, site, sources, args.redis, args.db, tmp, milestone, args.stall, args.analyze_every)
                runs.append(run)
                print(report(run), flush=True)
    finally:
        server.stop()
    one = next((r for r in runs if r["workers"] == 1), None)
    if one:
        for run in runs:
            run["cpu_throughput_ratio_to_1"] = run["articles_per_worker_cpu_s"] / one["articles_per_worker_cpu_s"]
            run["wall_throughput_per_worker_ratio_to_1"] = run["articles_per_s_per_worker"] / one["articles_per_s_per_worker"]
            run["rows_read_ratio_to_1"] = run["rows_read_per_article"] / one["rows_read_per_article"] if one["rows_read_per_article"] else None
            reads = run["rows_read_ratio_to_1"]
            print(f"{run['workers']} worker(s) vs 1: per-worker throughput on CPU time {run['cpu_throughput_ratio_to_1']:.2f}, "
                  f"on wall time {run['wall_throughput_per_worker_ratio_to_1']:.2f}; rows read per article "
                  f"{'-' if reads is None else f'{reads:.2f}'}x", flush=True)  # fmt: skip
    if args.json:
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        result = {"date": when, "cpus": os.cpu_count(), "args": {k: str(v) for k, v in vars(args).items()}, "runs": runs}
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if all(r["exactly_once"] and not r.get("stalled") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
