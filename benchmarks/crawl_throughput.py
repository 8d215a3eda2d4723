"""Crawl-throughput benchmark: distributed workers vs extraction alone, on a scaled-up demo site.

    python -m benchmarks.crawl_throughput [--articles 2100] [--workers 1 2]
        [--pages demo|corpora [--corpora DIR]] [--throttle off|shipped]
        [--redis redis://127.0.0.1:6379/0] [--db postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--json out.json] [--profile DIR [--profile-clock wall|cpu]] [--site memory|files]

Builds a copy of the demo site with `--articles` distinct article pages in a temp dir: each
is one of the demo's article pages (three publishers' templates), moved to its own URL, with a
numbered headline and its paragraphs refilled with words drawn (seeded per page) from the
demo's own text, so no two pages share a body. It serves them on 127.0.0.1 with one sitemap
(`benchmarks.site_server`: an asyncio HTTP/1.1 keep-alive server answering from memory in a
thread of this process, the stand-in for a remote site that costs the two cores little; `--site
files` serves the same pages from files with the `ThreadingHTTPServer` used before 2026-11-30,
HTTP/1.0 and a thread per connection, for comparison) and crawls them with 1, then 2 `worker` processes (the whole pipeline: fetch, extract,
dates, dedup, store into PostgreSQL, each run on a fresh schema and Redis job). Workers are
started and registered before `enqueue`; the clock runs from `enqueue` until every article
is in the database. Baselines, on the same pages in one process: newspipe's
`extract_article` and `trafilatura.extract`. The figure that matters is the 2-worker crawl
rate as a ratio to extraction alone (issue 5 target: >= 0.8 on a 2-core machine).
Each run also reports the CPU time its workers used per article (from /proc, from `enqueue`
to the last article) and the same for extraction alone: a figure the machine's other load
moves much less than the rates.

`--pages corpora` builds the site from the gold corpora's real news pages instead
(`build_corpus_site`), and `--throttle shipped` keeps the project's AutoThrottle settings with the
sources' `delay = 0`: issue 15's crawl-overhead target is
`--articles 6000 --workers 1 --pages corpora --throttle shipped`, read as the worker's CPU per
article over `extract_article`'s CPU per page on the same pages in the same run (printed).

By default politeness is off for the measurement (no delay, AutoThrottle off, 16 requests in parallel
per worker): it measures newspipe, not a site's crawl delay. Reads no settings; arguments
only. Needs Redis and PostgreSQL. `--profile DIR` runs each worker under cProfile from its first
response to the spider's close (`CrawlProfiler`: start-up is not in it) and writes its
statistics to DIR (`python -m pstats` reads them); profiling slows the workers down.
`--profile-clock cpu` times with the process's CPU clock: waiting (for Redis, PostgreSQL, or
for cores other processes hold) is left out, so other load on the machine inflates it less.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.procstat import cpu_seconds
from benchmarks.site_server import MemorySite

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-site"
_PLACEHOLDER = re.compile(r"\{\{(base|host):([A-Za-z0-9_.-]+)\}\}")
_PARAGRAPH = re.compile(r"<p>([^<]{120,})</p>")
_WORD = re.compile(r"[A-Za-z][a-z]+")


# -- the scaled site -----------------------------------------------------------------------------


def build_site(root: Path, count: int, base: str) -> list[tuple[str, bytes]]:
    """Write `count` article pages and a sitemap under `root`; the (url, html) of each page
    (the sitemap is `root / "sitemap.xml"`)."""
    truth = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
    templates = []
    for article in truth["articles"]:
        page = DEMO / article["publisher"] / article["path"].lstrip("/")
        if article["path"].endswith("/"):
            page = page / "index.html"
        if not page.is_file():
            continue
        html = page.read_text(encoding="utf-8")
        if _PARAGRAPH.search(html):
            templates.append((article, html))
    vocabulary = sorted({w for _, html in templates for p in _PARAGRAPH.findall(html) for w in _WORD.findall(p)})
    urls: list[tuple[str, bytes]] = []
    start = datetime(2025, 1, 1, 8, 0, tzinfo=timezone.utc)
    for n in range(count):
        article, html = templates[n % len(templates)]
        publisher, old_path = article["publisher"], article["path"]
        path = f"/{publisher}/bench/{n:05d}{old_path}"
        rng = random.Random(n)
        html = html.replace(f"{{{{base:{publisher}}}}}{old_path}", base + path)
        html = _PLACEHOLDER.sub(lambda m: base if m.group(1) == "base" else base.removeprefix("http://"), html)
        html = html.replace(article["headline"], f"{article['headline']} (report {n})")

        def refill(match: re.Match[str], rng: random.Random = rng) -> str:
            words = match.group(1).split()
            text = " ".join(rng.choice(vocabulary) for _ in words)
            return f"<p>{text[0].upper()}{text[1:]}.</p>"

        html = _PARAGRAPH.sub(refill, html)
        target = root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = html.encode("utf-8")
        target.write_bytes(data)
        urls.append((base + path, data))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for n, (url, _) in enumerate(urls):
        modified = (start + timedelta(minutes=n)).isoformat()
        lines.append(f"<url><loc>{url}</loc><lastmod>{modified}</lastmod></url>")
    lines.append("</urlset>")
    (root / "sitemap.xml").write_text("\n".join(lines), encoding="utf-8")
    return urls


_HIDDEN = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)", re.IGNORECASE | re.DOTALL)
_TEXT_RUN = re.compile(r">([^<]{40,})<")


def build_corpus_site(root: Path, count: int, base: str, corpora: Path) -> list[tuple[str, bytes]]:
    """Like `build_site`, from the real news pages of the gold corpora (scrapinghub, fundus-dev):
    page `n` is corpus page `n % pages` at its own URL, with the words of each visible text run
    of 40+ characters shuffled (seeded per page), so no two pages share a body and the markup,
    scripts and structured data stay the publisher's."""
    from benchmarks.corpora import CORPORA, read_corpus

    corpus = [page for name in CORPORA for page in read_corpus(corpora, name)]
    urls: list[tuple[str, bytes]] = []
    start = datetime(2025, 1, 1, 8, 0, tzinfo=timezone.utc)
    for n in range(count):
        page = corpus[n % len(corpus)]
        rng = random.Random(n)

        def shuffle(match: re.Match[str], rng: random.Random = rng) -> str:
            words = match.group(1).split()
            rng.shuffle(words)
            return f">{' '.join(words)}<"

        parts = _HIDDEN.split(page.html)
        html = "".join(part if i % 2 else _TEXT_RUN.sub(shuffle, part) for i, part in enumerate(parts))
        path = f"/news/{n:05d}/{urlsplit(page.url).path.strip('/').replace('/', '-')[-80:] or 'index'}"
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = html.encode("utf-8")
        target.write_bytes(data)
        urls.append((base + path, data))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for n, (url, _) in enumerate(urls):
        lines.append(f"<url><loc>{url}</loc><lastmod>{(start + timedelta(minutes=n)).isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    (root / "sitemap.xml").write_text("\n".join(lines), encoding="utf-8")
    return urls


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def serve_files(root: Path) -> tuple[ThreadingHTTPServer, str]:
    """The files under `root`, served as before 2026-11-30 (`--site files`)."""
    handler = lambda *a, **kw: _Quiet(*a, directory=str(root), **kw)  # noqa: E731
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def serve_memory(root: Path, pages: list[tuple[str, bytes]], site: MemorySite) -> None:
    """Hand the built pages and sitemap to the in-memory server (`--site memory`)."""
    for url, html in pages:
        site.pages[urlsplit(url).path] = html
    site.pages["/sitemap.xml"] = (root / "sitemap.xml").read_bytes()


# Seconds without a new stored article before a run is given up as stalled: generous, since a
# profiled worker on a loaded machine can take a minute over its first batch.
_STALLED = 300
_WARM_UP = 50  # pages extracted untimed before the extraction baseline


# -- baselines ---------------------------------------------------------------------------------------


def _distinct_stories(results: list[tuple[str, Any]]) -> int:
    """How many of the articles a crawl stores: `pipelines.dedup` drops a page whose canonical URL
    (a same-site rel=canonical) another page already had. A corpus page with a relative canonical
    gives every copy of it one URL: counting the copies made the run wait out `_STALLED`."""
    from pipelines.extraction import canonicalize_url
    from pipelines.extraction.domains import same_site

    keys = set()
    for url, result in results:
        if not result:
            continue
        own = canonicalize_url(url)
        canonical = result.canonical_url or own
        keys.add(canonical if same_site(canonical, own) else own)
    return len(keys)


def extraction_rate(pages: list[tuple[str, bytes]], trafilatura_too: bool = True) -> dict[str, float]:
    import trafilatura

    from pipelines.extraction import extract_article

    fetched = datetime.now(timezone.utc)
    for url, html in pages[:_WARM_UP]:  # lazy loads (dateparser's locales, ...) are not per-page costs
        extract_article(html, url, fetched_at=fetched)
    began, cpu = time.perf_counter(), time.process_time()
    results = [(url, extract_article(html, url, fetched_at=fetched)) for url, html in pages]
    newspipe_s, newspipe_cpu = time.perf_counter() - began, time.process_time() - cpu
    articles = sum(1 for _, result in results if result)
    began, cpu = time.perf_counter(), time.process_time()
    for url, html in pages if trafilatura_too else ():  # (--no-trafilatura: its figures are NaN)
        trafilatura.extract(html.decode("utf-8"), url=url, with_metadata=True)
    trafilatura_s, trafilatura_cpu = (time.perf_counter() - began, time.process_time() - cpu) if trafilatura_too else (float("nan"),) * 2
    return {
        "pages": len(pages),
        "articles": articles,
        "stored": _distinct_stories(results),
        "newspipe_extract_per_s": len(pages) / newspipe_s,
        "trafilatura_extract_per_s": len(pages) / trafilatura_s,
        "newspipe_extract_cpu_ms": 1000 * newspipe_cpu / len(pages),
        "trafilatura_extract_cpu_ms": 1000 * trafilatura_cpu / len(pages),
    }


# -- the crawl ---------------------------------------------------------------------------------------


def fresh_schema(pg_url: str) -> tuple[str, str]:
    import psycopg

    schema = f"np_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{pg_url}?options=-csearch_path%3D{schema}"


def drop_schema(pg_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def stored_count(conn: Any) -> int:
    """Articles stored so far, on one connection kept for the whole run (a new PostgreSQL
    connection per poll, twice a second, costs a backend process start each time)."""
    from sqlalchemy import text

    count = int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    conn.rollback()  # a fresh snapshot next time
    return count


class CrawlProfiler:
    """A Scrapy extension the profiled worker adds to itself: cProfile from the worker's first
    response (the enqueue; start-up, Scrapy's and the imports', is left out and runs at full
    speed) until the spider closes, then the statistics go to `path`. Profiling all of
    `run_spider` slowed start-up so much on a loaded machine that the worker was given up before
    it registered, and its profile showed only start-up."""

    path = ""
    cpu_clock = False

    def __init__(self) -> None:
        import cProfile

        # The CPU clock leaves out waiting (for Redis, the database, or cores other processes hold).
        self.profiler = cProfile.Profile(time.process_time) if self.cpu_clock else cProfile.Profile()
        self.running = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProfiler:
        from scrapy import signals

        extension = cls()
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def response_received(self) -> None:
        if not self.running:
            self.running = True
            self.profiler.enable()

    def spider_closed(self) -> None:
        if self.running:
            self.profiler.disable()
            self.running = False
        self.profiler.dump_stats(self.path)


def worker_main(overrides: dict[str, Any]) -> int:
    from crawler.runner import build_settings, run_spider

    profile_to = overrides.pop("_profile", None)
    cpu_clock = overrides.pop("_profile_cpu", False)
    settings = build_settings(overrides)
    if profile_to:
        # The class itself, not its dotted name: this module runs as __main__ here.
        CrawlProfiler.path, CrawlProfiler.cpu_clock = profile_to, cpu_clock
        extensions = settings.getdict("EXTENSIONS")
        extensions[CrawlProfiler] = 1000
        settings.set("EXTENSIONS", extensions, priority="cmdline")
    return 0 if run_spider("worker", settings).ok else 1


def crawl_rate(
    workers: int, sources: Path, expected: int, redis_url: str, pg_url: str, tmp: Path, profile: Path | None = None,
    profile_cpu: bool = False, throttle: str = "off",
) -> dict[str, Any]:
    import redis as redis_lib
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crawler.distributed.keys import JobKeys
    from crawler.distributed.seeds import new_cycle, push_seeds, seeds_for
    from crawler.sources import load_sources
    from storage.engine import Database

    keys = JobKeys(job=f"bench-{uuid.uuid4().hex[:8]}")
    schema, db_url = fresh_schema(pg_url)
    Database(db_url).close()  # create the schema once, before the workers
    server = redis_lib.Redis.from_url(redis_url)
    poller = create_engine(db_url, poolclass=NullPool)
    poll = poller.connect()
    overrides = {
        "NEWSPIPE_DATABASE_URL": db_url,
        "NEWSPIPE_SOURCES_FILE": str(sources),
        "NEWSPIPE_REDIS_URL": redis_url,
        "NEWSPIPE_REDIS_JOB": keys.job,
        "NEWSPIPE_REDIS_IDLE_TIMEOUT": 0,
        **({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0} if throttle == "off" else {}),
        "LOG_LEVEL": "WARNING",
        "NEWSPIPE_ALLOW_NETWORKS": ["127.0.0.1/32"],  # the site's loopback address, no other private one
    }
    procs = []
    logs = []
    try:
        for n in range(workers):
            log = (tmp / f"{keys.job}-{n}.log").open("w")
            logs.append(log)
            mine = {**overrides, "_profile": str(profile / f"{workers}-workers-{n}.prof"), "_profile_cpu": profile_cpu} if profile else overrides
            procs.append(
                subprocess.Popen([sys.executable, "-m", "benchmarks.crawl_throughput", "--worker-json", json.dumps(mine)],
                                 cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
            )
        deadline = time.monotonic() + 180
        while server.scard(keys.workers) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers did not start; see {tmp}")
            time.sleep(0.1)
        began, cpu_began = time.perf_counter(), [cpu_seconds(p.pid) for p in procs]
        own_cpu_began = time.process_time()
        push_seeds(server, keys, seeds_for(load_sources(sources), new_cycle()))
        count, last_change, last = 0, time.monotonic(), -1
        progress: list[tuple[float, int]] = []  # (seconds since enqueue, articles stored)
        while count < expected:
            time.sleep(0.1)  # the clock stops at the first poll that sees them all
            count = stored_count(poll)
            progress.append((round(time.perf_counter() - began, 2), count))
            if count != last:
                last, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > _STALLED:
                break  # stalled: report what was stored
        elapsed = time.perf_counter() - began
        worker_cpu = sum(cpu_seconds(p.pid) - c for p, c in zip(procs, cpu_began))
        own_cpu = time.process_time() - own_cpu_began
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # a clean stop: gives back anything in flight
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()
        stale = list(server.scan_iter(match=keys.pattern()))
        if stale:
            server.delete(*stale)
        poll.close()
        poller.dispose()
        drop_schema(pg_url, schema)
    return {
        "workers": workers,
        "stored": count,
        "seconds": elapsed,
        "articles_per_s": count / elapsed,
        # CPU per stored article: the workers', and this process's (the site's server and the polling).
        "worker_cpu_ms_per_article": 1000 * worker_cpu / max(1, count),
        "site_cpu_ms_per_article": 1000 * own_cpu / max(1, count),
        "progress": progress,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test", help="PostgreSQL; a schema per run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="write each worker's cProfile statistics to this directory")
    parser.add_argument("--profile-clock", choices=("wall", "cpu"), default="wall", help="cProfile's clock (cpu: leaves waiting out)")
    parser.add_argument("--site", choices=("memory", "files"), default="memory", help="how the test site is served (see above)")
    parser.add_argument("--pages", choices=("demo", "corpora"), default="demo",
                        help="article pages: the demo site's templates refilled, or the gold corpora's real news pages")
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root for --pages corpora")
    parser.add_argument("--throttle", choices=("off", "shipped"), default="off",
                        help="off: no AutoThrottle, no delay; shipped: the project's AutoThrottle settings (sources' delay = 0)")
    parser.add_argument("--no-trafilatura", action="store_true",
                        help="leave out the trafilatura baseline (a third of the baselines' time; its figures are NaN)")
    parser.add_argument("--worker-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_json:
        return worker_main(json.loads(args.worker_json))

    with tempfile.TemporaryDirectory(prefix="np-crawl-bench-") as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        site.mkdir()
        if args.site == "files":
            server, base = serve_files(site)
            stop = server.shutdown
        else:
            memory = MemorySite.start()
            base, stop = memory.base, memory.stop
        try:
            if args.pages == "corpora":
                from benchmarks.corpora import default_corpora_root

                pages = build_corpus_site(site, args.articles, base, args.corpora or default_corpora_root())
            else:
                pages = build_site(site, args.articles, base)
            if args.site == "memory":
                serve_memory(site, pages, memory)
            sources = tmp / "sources.toml"
            sources.write_text(
                f'[[source]]\nname = "bench"\ndomains = ["127.0.0.1"]\nsitemaps = ["{base}/sitemap.xml"]\n'
                'robots_sitemaps = false\nlanguage = "en"\ndelay = 0\nconcurrency = 16\n',
                encoding="utf-8",
            )
            baseline = extraction_rate(pages, trafilatura_too=not args.no_trafilatura)
            print(f"extraction alone, 1 process: newspipe {baseline['newspipe_extract_per_s']:.1f} pages/s, "
                  f"trafilatura {baseline['trafilatura_extract_per_s']:.1f} pages/s ({baseline['articles']} articles); "
                  f"CPU per page {baseline['newspipe_extract_cpu_ms']:.2f} ms (newspipe), "
                  f"{baseline['trafilatura_extract_cpu_ms']:.2f} ms (trafilatura)", flush=True)
            runs = []
            for workers in args.workers:
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                served = (memory.requests, memory.connections) if args.site == "memory" else None
                run = crawl_rate(workers, sources, baseline["stored"], args.redis, args.db, tmp, args.profile, args.profile_clock == "cpu",
                                  args.throttle)
                if served is not None:  # how well the workers' connections were kept alive
                    run["site_requests"] = memory.requests - served[0]
                    run["site_connections"] = memory.connections - served[1]
                run["ratio_to_newspipe_extract"] = run["articles_per_s"] / baseline["newspipe_extract_per_s"]
                run["ratio_to_trafilatura_extract"] = run["articles_per_s"] / baseline["trafilatura_extract_per_s"]
                run["cpu_ratio_to_newspipe_extract"] = run["worker_cpu_ms_per_article"] / baseline["newspipe_extract_cpu_ms"]
                runs.append(run)
                print(f"{workers} worker(s): {run['stored']} articles in {run['seconds']:.1f}s = {run['articles_per_s']:.1f}/s; "
                      f"ratio to extraction alone: {run['ratio_to_newspipe_extract']:.2f} (newspipe), "
                      f"{run['ratio_to_trafilatura_extract']:.2f} (trafilatura); CPU per article: workers "
                      f"{run['worker_cpu_ms_per_article']:.2f} ms, site and benchmark {run['site_cpu_ms_per_article']:.2f} ms; "
                      f"worker CPU per article / extract_article CPU per page: {run['cpu_ratio_to_newspipe_extract']:.2f}", flush=True)
        finally:
            stop()
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "site": args.site,
        "pages": args.pages,
        "throttle": args.throttle,
        "baseline": baseline,
        "runs": runs,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
