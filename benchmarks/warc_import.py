"""WARC import speed and memory: `newspipe backfill --warc` against extraction alone.

Builds gzipped WARC files out of the gold corpora's real pages (each capture under its own
URL, with a realistic share of records that are not articles: request records, 404s, a
redirect, a PDF, a warcinfo record), then measures, each run in a fresh child process:

- **extraction alone**: `iter_archive` over the file and `extract_article` on every HTML
  200 capture, decoded as the `warc` spider decodes it;
- **the full import**: `newspipe backfill --warc FILE --db sqlite:///fresh.db --no-progress`
  (extract -> language -> dates -> dedup -> store), called in-process in the child;

alternately (a, b, a, b, ...) so machine noise hits both alike, and reports medians of
records/s and articles/s and the ratio import ÷ extraction in articles/s (target ≥ 0.8).
Then the peak RSS (`ru_maxrss` of the child itself) of imports of files of different sizes
(default 10,000 and 100,000 records, every HTML capture a distinct article), which stays flat
when the import streams and nothing kept per article grows.

Repeats of a corpus page get `?np_copy=N` on their URL (canonicalisation keeps that
parameter) and their rel=canonical/og:url rewritten to match, so that they are new URLs,
not in-run repeats. In the throughput file their text is unchanged, so the store links them to
the first copy as exact duplicates; in the memory files each is rewritten into another article
(`distinct_variant`), so every capture is stored as new.

    python -m benchmarks.warc_import [--corpora PATH] [--records 600] [--repeats 2]
        [--memory-records 10000,100000] [--json out.json]

The corpora root defaults to $NEWSPIPE_CORPORA, then `<repo>/../shared/corpora`; without
corpora the pages are synthetic (for smoke tests only). Nothing here is imported by the pipeline.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CAPTURED_AT = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
# Per 100 captures: how many are 404 pages and redirects; one PDF per file at least.
NOT_FOUND_PER_100 = 3
REDIRECTS_PER_100 = 1
PDF_EVERY = 200
CHILD_TIMEOUT = 1800.0


@dataclass(frozen=True, slots=True)
class SourcePage:
    """A page to capture: its original URL, its HTML and when it was captured."""

    url: str
    html: str
    captured_at: datetime = DEFAULT_CAPTURED_AT


@dataclass(slots=True)
class WarcFile:
    """What `build_warc` wrote."""

    path: str
    records: int = 0  # every WARC record, warcinfo and requests included
    responses: int = 0
    html_200: int = 0  # candidate articles
    copies: int = 0  # HTML 200 captures that repeat an earlier page under a new URL
    not_found: int = 0
    redirects: int = 0
    pdfs: int = 0
    bytes: int = 0


@dataclass(slots=True)
class RunResult:
    """One child run: extraction alone (`kind="extract"`) or the import (`kind="import"`)."""

    kind: str
    records: int  # WARC records in the file
    articles: int  # pages `extract_article` accepted
    not_articles: int  # HTML pages it rejected (NotAnArticle)
    seconds: float  # from the first record read to the last item processed (after imports)
    cpu_seconds: float  # CPU time (user + system) over the same span
    extract_article_seconds: float  # of `seconds`, the time inside extract_article
    process_seconds: float  # the child's whole life: interpreter start, imports, database set-up
    peak_rss_kib: int
    ok: bool = True
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def extraction_share(self) -> float:
        """The share of the run's time spent inside extract_article."""
        return self.extract_article_seconds / self.seconds if self.seconds else 0.0

    @property
    def articles_per_cpu_s(self) -> float:
        return self.articles / self.cpu_seconds if self.cpu_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "records_per_s": self.records_per_s,
            "articles_per_s": self.articles_per_s,
            "articles_per_cpu_s": self.articles_per_cpu_s,
            "extraction_share": self.extraction_share,
        }


# -- pages -------------------------------------------------------------------------------------


def load_pages(root: Path) -> list[SourcePage]:
    """Every page of both gold corpora, in corpus order; empty when the corpora are absent."""
    from benchmarks.corpora import CORPORA, read_corpus

    pages: list[SourcePage] = []
    for name in CORPORA:
        if not (root / name).is_dir():
            continue
        for gold in read_corpus(root, name):
            if gold.url:
                pages.append(SourcePage(gold.url, gold.html, gold.fetched_at or DEFAULT_CAPTURED_AT))
    return pages


def synthetic_pages(count: int) -> list[SourcePage]:
    """Small article pages with a rel=canonical, for smoke tests when the corpora are absent."""
    pages = []
    for n in range(count):
        url = f"https://news{n % 3}.example.org/2025/01/story-{n}.html"
        paragraphs = "".join(
            f"<p>Paragraph {p} of story {n}: the council met on Tuesday to discuss the budget for the "
            f"coming year, and residents spoke about roads, schools and the library in turn.</p>"
            for p in range(6)
        )
        html = (
            f'<html><head><title>Story {n}</title><link rel="canonical" href="{url}">'
            f'<meta property="og:url" content="{url}"></head><body><article><h1>Story {n} headline</h1>'
            f"{paragraphs}</article></body></html>"
        )
        pages.append(SourcePage(url, html))
    return pages


def smallest(pages: list[SourcePage], share: float) -> list[SourcePage]:
    """The smallest `share` of the pages (at least one), to keep long runs short."""
    ordered = sorted(pages, key=lambda p: len(p.html))
    return ordered[: max(1, round(len(ordered) * share))]


_LINK_OR_META = re.compile(r"<(link|meta)\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\bcanonical\b""", re.IGNORECASE)
_OG_URL = re.compile(r"""\b(?:property|name)\s*=\s*["']?og:url["'\s/>]""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(href|content)(\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def point_canonical_at(html: str, url: str) -> str:
    """`html` with its rel=canonical link and og:url meta naming `url` instead."""
    quoted = '"' + html_lib.escape(url, quote=True) + '"'

    def rewrite(tag: re.Match[str]) -> str:
        text = tag.group(0)
        wanted = "href" if tag.group(1).lower() == "link" else "content"
        if (wanted == "href" and _REL_CANONICAL.search(text)) or (wanted == "content" and _OG_URL.search(text)):
            return _ATTRIBUTE.sub(lambda a: a.group(1) + a.group(2) + quoted if a.group(1).lower() == wanted else a.group(0), text)
        return text

    return _LINK_OR_META.sub(rewrite, html)


_SCRIPT_OR_STYLE = re.compile(r"(<(script|style)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
_TEXT_NODE = re.compile(r">([^<]+)<")
_WORD = re.compile(r"[^\W\d_]{3,}")


def distinct_variant(html: str, copy: int) -> str:
    """`html` with its visible text rewritten into another article: every word of three letters or
    more in the text between tags (scripts and styles left alone) swapped for another word of the
    page, by a permutation seeded with `copy`. Sentence shapes, markup, numbers and dates stay;
    the word sequence is new, so neither the exact nor the near-duplicate check links it to the
    page or to its other variants (shingles of five words rarely survive)."""
    import random

    words = sorted({w for part in _SCRIPT_OR_STYLE.split(html)[::3] for t in _TEXT_NODE.findall(part) for w in _WORD.findall(t)})
    shuffled = words[:]
    random.Random(copy).shuffle(shuffled)
    mapping = dict(zip(words, shuffled))

    def swap_words(node: re.Match[str]) -> str:
        return ">" + _WORD.sub(lambda w: mapping.get(w.group(0), w.group(0)), node.group(1)) + "<"

    # split() with the two groups gives [text, script, tag name, text, ...]: rewrite every third part.
    parts = _SCRIPT_OR_STYLE.split(html)
    out = []
    for index, part in enumerate(parts):
        if index % 3 == 0:
            out.append(_TEXT_NODE.sub(swap_words, part))
        elif index % 3 == 1:
            out.append(part)
    return "".join(out)


def copy_url(url: str, copy: int) -> str:
    """The URL of the `copy`-th repeat of a page: `np_copy=N` added to its query, fragment dropped."""
    if copy == 0:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&np_copy={copy}" if parts.query else f"np_copy={copy}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


# -- WARC files --------------------------------------------------------------------------------

_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nstream\n\x00\x01\x02\x03\x89PNG\nendstream\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
) * 20
_NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>Sorry.</p></body></html>"


def build_warc(path: Path, pages: list[SourcePage], records: int, *, requests: bool = True, distinct: bool = False) -> WarcFile:
    """Write a gzipped WARC of about `records` records: a warcinfo record, then captures
    (a request and a response record each when `requests`) cycling through `pages`. A page that
    comes round again is an exact copy under a new URL, or with `distinct` a new article made
    from it (`distinct_variant`)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    if not pages:
        raise ValueError("no pages to capture")
    info = WarcFile(path=str(path))
    seen: dict[str, int] = {}
    per_capture = 2 if requests else 1
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)

        def write(record: Any) -> None:
            writer.write_record(record)
            info.records += 1

        write(writer.create_warcinfo_record(path.name, {"software": "newspipe benchmarks.warc_import", "format": "WARC/1.0"}))
        capture = 0
        page_index = 0
        while info.records < max(records, 2):
            capture += 1
            slot = capture % 100
            if capture % PDF_EVERY == 1:
                kind = "pdf"
            elif slot in range(10, 10 + NOT_FOUND_PER_100 * 30, 30):
                kind = "404"
            elif slot in range(25, 25 + REDIRECTS_PER_100 * 30, 30):
                kind = "301"
            else:
                kind = "html"
            page = pages[page_index % len(pages)]
            date = page.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            headers: list[tuple[str, str]]
            if kind == "html":
                page_index += 1
                copy = seen.get(page.url, 0)
                seen[page.url] = copy + 1
                url = copy_url(page.url, copy)
                html = point_canonical_at(page.html, url) if copy else page.html
                if copy and distinct:
                    html = distinct_variant(html, copy)
                body = html.encode("utf-8")
                status, headers = "200 OK", [("Content-Type", "text/html; charset=utf-8")]
                info.html_200 += 1
                info.copies += bool(copy)
            else:
                parts = urlsplit(page.url)
                url = urlunsplit((parts.scheme, parts.netloc, f"/np-missing/{capture}", "", ""))
                if kind == "pdf":
                    url, body = url.replace("np-missing", "np-files") + ".pdf", _PDF
                    status, headers = "200 OK", [("Content-Type", "application/pdf")]
                    info.pdfs += 1
                elif kind == "404":
                    body, status = _NOT_FOUND, "404 Not Found"
                    headers = [("Content-Type", "text/html; charset=utf-8")]
                    info.not_found += 1
                else:
                    body, status = b"", "301 Moved Permanently"
                    headers = [("Location", page.url), ("Content-Type", "text/html")]
                    info.redirects += 1
            headers.append(("Content-Length", str(len(body))))
            if requests and info.records + 2 <= records:  # the last capture may lack its request
                target = urlsplit(url)
                request_line = f"GET {target.path or '/'}{'?' + target.query if target.query else ''} HTTP/1.1"
                request_headers = StatusAndHeaders(
                    request_line, [("Host", target.netloc), ("User-Agent", "newspipe-bench/1.0")], is_http_request=True
                )
                write(writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request_headers,
                                                warc_headers_dict={"WARC-Date": date}))
            http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            write(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_headers,
                                            warc_headers_dict={"WARC-Date": date}))
            info.responses += 1
    info.bytes = path.stat().st_size
    return info


# -- child processes ---------------------------------------------------------------------------


class _Timed:
    """Wraps a function and adds up the wall time spent inside it."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.seconds = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def _extract_only(warc: str) -> dict[str, Any]:
    """Extraction alone, decoding each page exactly as the `warc` spider does."""
    from scrapy.http import HtmlResponse
    from scrapy.http.headers import Headers

    from crawler import settings as defaults
    from crawler.archives.reader import ArchivedPage, iter_archive
    from crawler.spiders.base import _text_or_none
    from pipelines.extraction import ExtractionOptions, extract_article

    extract_article = _Timed(extract_article)
    options = ExtractionOptions(min_words=defaults.NEWSPIPE_MIN_WORDS)
    max_body = defaults.NEWSPIPE_WARC_MAX_RECORD or defaults.DOWNLOAD_MAXSIZE
    articles = not_articles = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for entry in iter_archive(Path(warc), max_body=max_body):
        if not isinstance(entry, ArchivedPage) or entry.status != 200:
            continue
        response = HtmlResponse(entry.url, status=entry.status, headers=Headers(entry.headers), body=entry.body)
        text = _text_or_none(response)
        if text is None:
            continue
        if extract_article(text, entry.url, fetched_at=entry.captured_at, options=options):
            articles += 1
        else:
            not_articles += 1
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "extract_article_seconds": extract_article.seconds,
        "articles": articles,
        "not_articles": not_articles,
        "ok": True,
        "detail": {},
    }


def _preload_import_modules() -> None:
    """Import what the backfill will load (pipelines, extensions, the spider, the engine), before the
    clock, as extraction alone imports its code before its clock: the clocks then time the work, not
    module loading. Interpreter start and imports stay in the whole-process ratio."""
    import importlib

    from crawler import settings as defaults

    modules = {path.rpartition(".")[0] for path in [*defaults.ITEM_PIPELINES, *defaults.EXTENSIONS]}
    modules |= {"crawler.spiders.warc", "crawler.runner", "storage.migrate", "scrapy.core.engine", "scrapy.core.scraper"}
    for name in sorted(modules):
        importlib.import_module(name)


def _proc_status_kib(*fields: str) -> dict[str, int]:
    """This process's VmRSS / VmHWM (KiB) from /proc (Linux); empty elsewhere."""
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in fields:
                    found[name] = int(value.split()[0])
    except OSError:
        pass
    return found


def _record_milestones(milestones: list[int], out: Path) -> None:
    """Appends a JSON line to `out` (RSS now, peak RSS so far, seconds) each time the spider has read
    the response record at one of `milestones` (WARC record numbers: the file has a warcinfo record,
    then a request and a response per capture, so response n is record 2n + 1). One run of a large
    file then gives the memory at every smaller size; lines written so far survive a timeout."""
    import crawler.spiders.warc as warc_spider
    from crawler.archives.reader import ArchivedPage

    if not milestones:
        return
    iter_archive = warc_spider.iter_archive
    started = time.perf_counter()

    def counting(*args: Any, **kwargs: Any) -> Any:
        wanted = sorted(set(milestones))
        responses = html_200 = 0
        for entry in iter_archive(*args, **kwargs):
            yield entry
            responses += 1  # after the yield: the spider has handled the record (up to its look-up chunk)
            html_200 += isinstance(entry, ArchivedPage) and entry.status == 200 and "html" in entry.content_type
            record = 2 * responses + 1
            if wanted and record >= wanted[0]:
                while wanted and record >= wanted[0]:
                    wanted.pop(0)
                memory = _proc_status_kib("VmRSS", "VmHWM")
                line = {"records": record, "html_200": html_200, "rss_kib": memory.get("VmRSS", 0), "peak_rss_kib": memory.get("VmHWM", 0),
                        "seconds": time.perf_counter() - started}
                with out.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(line) + "\n")

    warc_spider.iter_archive = counting  # looked up there by the spider when it starts


def _import(warc: str, db_url: str, milestones: list[int] | None = None, milestones_out: Path | None = None) -> dict[str, Any]:
    """`newspipe backfill --warc WARC --db DB --no-progress`, in this process."""
    import newspipe.cli as cli
    import crawler.runner as runner
    import pipelines.extraction.core as extraction_core

    _preload_import_modules()
    if milestones and milestones_out is not None:
        _record_milestones(milestones, milestones_out)

    # The time inside extract_article, the same work extraction alone does: the rest is the import's overhead.
    # (`pipelines.extract` looks it up in `pipelines.extraction.core` on each item.)
    extract_article = extraction_core.extract_article = _Timed(extraction_core.extract_article)
    # The command prints its summary and drops the outcome: keep the crawl's stats on the way past.
    outcomes: list[Any] = []
    run_spider = runner.run_spider  # looked up there by the command when it runs

    def recording(*args: Any, **kwargs: Any) -> Any:
        outcome = run_spider(*args, **kwargs)
        outcomes.append(outcome)
        return outcome

    runner.run_spider = recording
    started, cpu_started = time.perf_counter(), time.process_time()
    exit_code: Any = 0
    try:
        cli.app(["backfill", "--warc", warc, "--db", db_url, "--no-progress"], standalone_mode=False)
    except SystemExit as exc:
        exit_code = exc.code
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if not outcomes:
        return {"seconds": seconds, "cpu_seconds": cpu_seconds, "extract_article_seconds": extract_article.seconds, "articles": 0, "not_articles": 0, "ok": False, "detail": {"exit_code": str(exit_code)}}
    outcome = outcomes[0]
    stats = outcome.stats
    wanted = ("newspipe/warc/", "newspipe/extract/", "newspipe/dedup/", "newspipe/store/", "newspipe/language/", "item_")
    detail = {k: v for k, v in stats.items() if k.startswith(wanted) and isinstance(v, (int, float))}
    detail["crawl_seconds"] = float(stats.get("elapsed_time_seconds") or 0.0)
    detail["status"] = outcome.status
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "extract_article_seconds": extract_article.seconds,
        "articles": int(stats.get("newspipe/extract/articles", 0)),
        "not_articles": sum(int(v) for k, v in stats.items() if k.startswith("newspipe/extract/skipped/") and k != "newspipe/extract/skipped/not_html"),
        "ok": outcome.ok and exit_code in (0, None),
        "detail": detail,
    }


def _child_main(argv: list[str] | None = None) -> None:
    """Entry point of a child process: `extract WARC OUT` or `import WARC DB [MILESTONES] OUT`
    (MILESTONES: comma-separated record numbers, see `_record_milestones`; written to OUT.milestones)."""
    args = list(sys.argv[1:] if argv is None else argv)
    kind, out = args[0], Path(args[-1])
    if kind == "extract":
        result = _extract_only(args[1])
    else:
        milestones = _sizes(args[3]) if len(args) > 4 else []
        result = _import(args[1], args[2], milestones, _milestones_path(out))
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    out.write_text(json.dumps(result), encoding="utf-8")


def _milestones_path(out: Path) -> Path:
    return out.with_name(out.name + ".milestones")


def read_milestones(path: Path) -> list[dict[str, Any]]:
    """The milestone lines an import child wrote (see `_record_milestones`), in order."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class ChildTimedOut(RuntimeError):
    """A child ran past its limit; `milestones` holds what an import child measured before."""

    def __init__(self, message: str, milestones: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.milestones = milestones


def run_child(
    kind: str, warc: WarcFile, workdir: Path, db_url: str | None = None, timeout: float = CHILD_TIMEOUT,
    milestones: list[int] | None = None,
) -> RunResult:
    """Run extraction alone or the import of `warc` in a fresh Python process. With `milestones`
    (WARC record numbers), the import's RSS at each lands in `detail["milestones"]`."""
    out = Path(tempfile.mkstemp(prefix=f"{kind}-", suffix=".json", dir=workdir)[1])
    command = [sys.executable, "-c", "from benchmarks.warc_import import _child_main; _child_main()", kind, warc.path]
    if kind == "import":
        command.append(db_url or f"sqlite:///{workdir / (out.stem + '.db')}")
        if milestones:
            command.append(",".join(str(m) for m in milestones))
    command.append(str(out))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ChildTimedOut(f"{kind} child ran past {timeout:.0f} s", read_milestones(_milestones_path(out))) from exc
    process_seconds = time.perf_counter() - started
    if completed.returncode != 0 or not out.stat().st_size:
        raise RuntimeError(f"{kind} child failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    data = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    if milestones:
        data["detail"]["milestones"] = read_milestones(_milestones_path(out))
        _milestones_path(out).unlink(missing_ok=True)
    return RunResult(
        kind=kind,
        records=warc.records,
        articles=data["articles"],
        not_articles=data["not_articles"],
        seconds=data["seconds"],
        cpu_seconds=data["cpu_seconds"],
        extract_article_seconds=data["extract_article_seconds"],
        process_seconds=process_seconds,
        peak_rss_kib=data["peak_rss_kib"],
        ok=data["ok"],
        detail=data["detail"],
    )


# -- measurements ------------------------------------------------------------------------------


def _median(runs: list[RunResult], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in runs)


def measure_throughput(pages: list[SourcePage], records: int, repeats: int, workdir: Path) -> dict[str, Any]:
    """Extraction alone and the import of one WARC, alternately `repeats` times each; medians."""
    warc = build_warc(workdir / f"throughput-{records}.warc.gz", pages, records)
    extract_runs: list[RunResult] = []
    import_runs: list[RunResult] = []
    for _ in range(repeats):
        extract_runs.append(run_child("extract", warc, workdir))
        import_runs.append(run_child("import", warc, workdir))
    summary: dict[str, Any] = {}
    for name, runs in (("extract", extract_runs), ("import", import_runs)):
        summary[name] = {
            "seconds": _median(runs, "seconds"),
            "cpu_seconds": _median(runs, "cpu_seconds"),
            "process_seconds": _median(runs, "process_seconds"),
            "records_per_s": _median(runs, "records_per_s"),
            "articles_per_s": _median(runs, "articles_per_s"),
            "articles_per_cpu_s": _median(runs, "articles_per_cpu_s"),
            "extraction_share": _median(runs, "extraction_share"),
            "articles": runs[0].articles,
            "peak_rss_mib": _median(runs, "peak_rss_kib") / 1024,
        }
    extract, imported = summary["extract"], summary["import"]
    summary["ratio_articles_per_s"] = imported["articles_per_s"] / extract["articles_per_s"] if extract["articles_per_s"] else 0.0
    # Same ratio over the children's whole lives (interpreter start, imports, database set-up).
    whole = [
        (i.articles / i.process_seconds) / (e.articles / e.process_seconds)
        for e, i in zip(extract_runs, import_runs)
        if e.articles and i.process_seconds and e.process_seconds
    ]
    summary["ratio_articles_per_s_process"] = statistics.median(whole) if whole else 0.0
    # Each pair's own ratio shows the noise; on CPU time, the ratio other jobs on the machine sway least.
    summary["pair_ratios"] = [i.articles_per_s / e.articles_per_s for e, i in zip(extract_runs, import_runs) if e.articles_per_s]
    # Within one run the machine's load slows extraction and overhead alike, so each run's share of
    # time inside extract_article is steadier than its speed. Its ratio equals import ÷ extraction
    # in articles/s only if extract_article runs as fast inside the import as alone; it runs
    # slower there (BENCHMARKS.md), so this is an upper bound, and 1 - share the overhead outside it.
    summary["ratio_from_shares"] = (
        imported["extraction_share"] / extract["extraction_share"] if extract["extraction_share"] else 0.0
    )
    summary["ratio_articles_per_cpu_s"] = (
        imported["articles_per_cpu_s"] / extract["articles_per_cpu_s"] if extract["articles_per_cpu_s"] else 0.0
    )
    return {
        "warc": asdict(warc),
        "runs": [r.as_dict() for pair in zip(extract_runs, import_runs) for r in pair],
        "summary": summary,
        "all_ok": all(r.ok for r in import_runs),
    }


def _memory_row(warc: WarcFile, run: RunResult) -> dict[str, Any]:
    return {
        "records": warc.records,
        "html_200": warc.html_200,
        "warc_mib": warc.bytes / 2**20,
        "peak_rss_mib": run.peak_rss_kib / 1024,
        "seconds": run.seconds,
        "records_per_s": run.records_per_s,
        "articles": run.articles,
        "stored_new": int(run.detail.get("newspipe/store/new", 0)),
        "stored_duplicate": int(run.detail.get("newspipe/store/duplicate", 0)),
        "ok": run.ok,
    }


def measure_memory(
    pages: list[SourcePage], sizes: list[int], workdir: Path, *, single_run: bool = True, every: int = 5000,
) -> dict[str, Any]:
    """Peak RSS of imports of WARC files of `sizes` records. Every capture is a distinct article
    (`distinct_variant`): what a long import keeps per stored article (the near-duplicate index,
    caches) grows as it would on a real archive, where exact copies, dropped early, would hide it.

    With `single_run` one file of the largest size is imported once, and the import records its
    RSS and peak RSS so far when it has read record N for every N in `sizes` and every `every`
    records (`milestones`); the ratio is the peak at the end over the peak at the smallest size. A
    run stopped by its time limit keeps the milestones it reached (`ok` false). Otherwise each size
    is its own file and import (`runs`), and the ratio is of their peaks."""
    if single_run:
        largest = max(sizes)
        marks = sorted({*sizes, *range(every, largest + 1, every)} if every > 0 else set(sizes))
        warc = build_warc(workdir / f"memory-{largest}.warc.gz", pages, largest, distinct=True)
        try:
            run = run_child("import", warc, workdir, timeout=max(CHILD_TIMEOUT, 0.2 * largest), milestones=marks)
        except ChildTimedOut as stopped:
            Path(warc.path).unlink(missing_ok=True)
            reached = stopped.milestones
            return {"runs": [], "milestones": reached, "ok": False, "ratio_largest_to_smallest": _milestone_ratio(reached, sizes, None),
                    "ratio_between_milestones": _milestone_growth(reached, sizes)}
        Path(warc.path).unlink(missing_ok=True)
        reached = run.detail.pop("milestones", [])
        row = _memory_row(warc, run)
        return {"runs": [row], "milestones": reached, "ok": run.ok,
                "ratio_largest_to_smallest": _milestone_ratio(reached, sizes, row["peak_rss_mib"]),
                "ratio_between_milestones": _milestone_growth(reached, sizes)}
    results = []
    for size in sizes:
        warc = build_warc(workdir / f"memory-{size}.warc.gz", pages, size, distinct=True)
        # Every capture a new article: about 40 ms each on an idle core, so 100,000 records take
        # well over the default half hour (and a loaded machine several times that).
        run = run_child("import", warc, workdir, timeout=max(CHILD_TIMEOUT, 0.2 * size))
        results.append(_memory_row(warc, run))
        Path(warc.path).unlink(missing_ok=True)
    ratio = results[-1]["peak_rss_mib"] / results[0]["peak_rss_mib"] if len(results) > 1 and results[0]["peak_rss_mib"] else 1.0
    return {"runs": results, "ok": all(r["ok"] for r in results), "ratio_largest_to_smallest": ratio}


def _milestone_ratio(reached: list[dict[str, Any]], sizes: list[int], final_peak_mib: float | None) -> float | None:
    """Peak RSS at the end of the run (or at the last milestone reached) over the peak at the
    smallest size's milestone; None before that milestone was reached."""
    first = next((m for m in reached if m["records"] >= min(sizes)), None)
    if first is None or not first["peak_rss_kib"]:
        return None
    last = final_peak_mib * 1024 if final_peak_mib is not None else reached[-1]["peak_rss_kib"]
    return last / first["peak_rss_kib"]


def _milestone_growth(reached: list[dict[str, Any]], sizes: list[int]) -> float | None:
    """Peak RSS at the last milestone reached over the peak at the smallest size's: the growth with
    the file's length alone (the end of the run, the last batches and the crawl's close, left out)."""
    first = next((m for m in reached if m["records"] >= min(sizes)), None)
    if first is None or not first["peak_rss_kib"] or reached[-1] is first:
        return None
    return reached[-1]["peak_rss_kib"] / first["peak_rss_kib"]


def run_benchmark(
    corpora: Path,
    *,
    records: int = 600,
    repeats: int = 2,
    memory_records: list[int] | None = None,
    small_share: float = 0.25,
    workdir: Path | None = None,
    memory_single_run: bool = True,
    memory_every: int = 5000,
) -> dict[str, Any]:
    """The whole benchmark; returns a JSON-ready dict (see `print_report`)."""
    import platform

    pages = load_pages(corpora)
    origin = f"corpora at {corpora}" if pages else "synthetic pages (no corpora found)"
    if not pages:
        pages = synthetic_pages(20)
    memory_records = [10000, 100000] if memory_records is None else memory_records
    with tempfile.TemporaryDirectory(prefix="newspipe-warc-bench-", dir=workdir) as tmp:
        scratch = Path(tmp)
        throughput = measure_throughput(pages, records, repeats, scratch) if repeats > 0 else None
        memory = (
            measure_memory(smallest(pages, small_share), memory_records, scratch, single_run=memory_single_run, every=memory_every)
            if memory_records else None
        )
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "pages": {"origin": origin, "count": len(pages)},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "config": {"records": records, "repeats": repeats, "memory_records": memory_records, "small_share": small_share,
                   "memory_single_run": memory_single_run, "memory_every": memory_every},
        "throughput": throughput,
        "memory": memory,
    }


# -- report ------------------------------------------------------------------------------------


def _print_throughput(console: Any, result: dict[str, Any], throughput: dict[str, Any]) -> None:
    from rich.table import Table

    warc = throughput["warc"]
    summary = throughput["summary"]
    console.print(
        f"WARC: {warc['records']} records, {warc['responses']} responses, {warc['html_200']} HTML 200 "
        f"({warc['copies']} repeats under new URLs), {warc['not_found']} 404, {warc['redirects']} 301, "
        f"{warc['pdfs']} PDF; {warc['bytes'] / 2**20:.1f} MiB gzipped. Pages: {result['pages']['origin']}."
    )
    table = Table(title=f"throughput, median of {result['config']['repeats']} alternating runs")
    for column in ("", "records/s", "articles/s", "articles/CPU s", "articles", "seconds", "CPU s", "process s", "peak RSS MiB"):
        table.add_column(column, justify="right" if column else "left")
    for name, label in (("extract", "extraction alone"), ("import", "backfill --warc")):
        row = summary[name]
        table.add_row(
            label, f"{row['records_per_s']:.1f}", f"{row['articles_per_s']:.2f}", f"{row['articles_per_cpu_s']:.2f}",
            str(row["articles"]), f"{row['seconds']:.1f}", f"{row['cpu_seconds']:.1f}", f"{row['process_seconds']:.1f}",
            f"{row['peak_rss_mib']:.0f}",
        )
    console.print(table)
    ratio = summary["ratio_articles_per_s"]
    verdict = "[green]met[/]" if ratio >= 0.8 else "[red]not met[/]"
    console.print(
        f"import ÷ extraction, articles/s: [bold]{ratio:.2f}×[/] (target ≥ 0.8×: {verdict}); "
        f"counting process start-up too: {summary['ratio_articles_per_s_process']:.2f}×"
    )
    pairs = ", ".join(f"{r:.2f}" for r in summary["pair_ratios"])
    console.print(
        f"each pair: {pairs}; on CPU time: {summary['ratio_articles_per_cpu_s']:.2f}×; "
        f"time inside extract_article: {summary['import']['extraction_share']:.1%} of the import, "
        f"{summary['extract']['extraction_share']:.1%} of extraction alone (ratio of the shares, an upper bound: "
        f"{summary['ratio_from_shares']:.2f}×)"
    )

def print_report(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # logs and CI: do not squeeze the tables into 80 columns
    throughput = result["throughput"]
    if throughput:
        _print_throughput(console, result, throughput)
    memory = result.get("memory")
    if memory:
        table = Table(title="peak memory of one import (ru_maxrss of the child)")
        for column in ("records", "HTML 200", "WARC MiB", "peak RSS MiB", "seconds", "records/s", "stored new", "stored dup"):
            table.add_column(column, justify="right")
        for run in memory["runs"]:
            table.add_row(
                str(run["records"]), str(run["html_200"]), f"{run['warc_mib']:.1f}", f"{run['peak_rss_mib']:.0f}",
                f"{run['seconds']:.0f}", f"{run['records_per_s']:.1f}", str(run["stored_new"]), str(run["stored_duplicate"]),
            )
        if memory["runs"]:
            console.print(table)
        if memory.get("milestones"):
            table = Table(title="within the import: RSS when the spider had read record N (VmRSS, VmHWM of the child)")
            for column in ("records read", "HTML 200 read", "RSS MiB", "peak RSS MiB", "seconds", "peak growth KiB / HTML 200 since the previous row"):
                table.add_column(column, justify="right")
            previous = None
            for mark in memory["milestones"]:
                slope = ""
                if previous is not None and mark["html_200"] > previous["html_200"]:
                    slope = f"{(mark['peak_rss_kib'] - previous['peak_rss_kib']) / (mark['html_200'] - previous['html_200']):.2f}"
                table.add_row(
                    str(mark["records"]), str(mark["html_200"]), f"{mark['rss_kib'] / 1024:.1f}", f"{mark['peak_rss_kib'] / 1024:.1f}",
                    f"{mark['seconds']:.0f}", slope,
                )
                previous = mark
            console.print(table)
        ratio = memory["ratio_largest_to_smallest"]
        if not memory.get("ok", True):
            console.print("[red]the memory run did not finish[/] (time limit or a failed import): the figures stop where it stopped")
        label = "largest ÷ smallest size" if memory.get("milestones") else "largest ÷ smallest file"
        console.print(f"peak RSS, {label}: [bold]{ratio:.2f}[/] (flat ≈ 1.0)" if ratio is not None else f"peak RSS, {label}: not reached")
        if memory.get("ratio_between_milestones") is not None:
            console.print(
                f"peak RSS at the last milestone ÷ at the smallest size (the end of the run left out): "
                f"{memory['ratio_between_milestones']:.2f}"
            )


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpora import default_corpora_root

    parser = argparse.ArgumentParser(prog="python -m benchmarks.warc_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root (default: $NEWSPIPE_CORPORA, then ../shared/corpora)")
    parser.add_argument("--records", type=int, default=600, help="WARC records in the throughput file (default 600)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each kind (default 2; 0 skips the throughput runs)")
    parser.add_argument("--memory-records", type=_sizes, default=[10000, 100000], help="file sizes for the memory runs, comma-separated; empty to skip")
    parser.add_argument("--memory-separate", action="store_true", help="one file and import per memory size (default: one import of the largest, measured as it reads each size)")
    parser.add_argument("--memory-every", type=int, default=5000, help="in the single memory run, also measure every N records (default 5000; 0: only at the sizes)")
    parser.add_argument("--small-share", type=float, default=0.25, help="memory runs use the smallest share of the pages (default 0.25)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    result = run_benchmark(
        args.corpora or default_corpora_root(),
        records=args.records,
        repeats=args.repeats,
        memory_records=args.memory_records,
        small_share=args.small_share,
        memory_single_run=not args.memory_separate,
        memory_every=args.memory_every,
    )
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
