"""Wayback backfill (`newspipe backfill --cdx`): CDX answers read, and captures fetched from a
stand-in CDX and replay server on 127.0.0.1 through the same pipelines, once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from crawler.archives.cdx import Capture, CdxError, capture_time, cdx_query_url, parse_cdx, replay_url
from tests.test_e2e_demo import exported, newspipe, run_stats

WORDS = "council budget roads schools library residents market river bridge election court mayor harbour".split()


def article_html(n: int, url: str) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {p} of report {n}: the {WORDS[(n + p) % len(WORDS)]} and the {WORDS[(n * 3 + p) % len(WORDS)]} "
        f"came up again when the town met on day {n}, and speaker {p} asked about item {n * 10 + p} in turn.</p>"
        for p in range(7)
    )
    return (
        f'<html><head><title>Report {n}</title><link rel="canonical" href="{url}">'
        f'<meta property="article:published_time" content="2024-03-0{n}T08:00:00Z"></head>'
        f"<body><article><h1>Town report number {n}</h1>{paragraphs}</article></body></html>"
    )


SITE = "https://news.example.org"
PAGES = {f"{SITE}/2024/03/report-{n}.html": article_html(n, f"{SITE}/2024/03/report-{n}.html") for n in range(1, 4)}
# (timestamp, original, mimetype, status) rows the stand-in CDX server lists.
ROWS = [
    ("20240305101500", f"{SITE}/2024/03/report-1.html", "text/html", "200"),
    ("20240306111500", f"{SITE}/2024/03/report-1.html", "text/html", "200"),  # a later capture of the same page
    ("20240305121500", f"{SITE}/2024/03/report-2.html", "text/html", "200"),
    ("20240305131500", f"{SITE}/2024/03/missing.html", "text/html", "404"),
    ("20240305141500", f"{SITE}/2024/03/paper.pdf", "application/pdf", "200"),
    ("20240307151500", f"{SITE}/2024/03/report-3.html", "text/html", "200"),
    ("20230101000000", f"{SITE}/2023/old.html", "text/html", "200"),  # before the window
]


class Archive:
    """A stand-in CDX server (`/cdx`, JSON or lines) and replay server (`/web/<ts>id_/<url>`)."""

    def __init__(self, output: str = "json") -> None:
        self.output = output
        self.requests: list[str] = []
        archive = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                archive.requests.append(self.path)
                path = urlsplit(self.path)
                if path.path == "/cdx":
                    query = parse_qs(path.query)
                    assert query["url"] == [f"{SITE}/2024/"] and query["matchType"] == ["prefix"]
                    start, end = query.get("from", ["0"])[0], query.get("to", ["99999999999999"])[0]
                    rows = [r for r in ROWS if r[0] >= start[:14] or r[0].startswith("2023")]  # the old row is the client's to drop
                    rows = [r for r in rows if r[0] <= end]
                    if archive.output == "json":
                        header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
                        body = json.dumps([header] + [["key", t, u, m, s, "D", "1"] for t, u, m, s in rows])
                    else:
                        body = "".join(f"key {t} {u} {m} {s} D 1\n" for t, u, m, s in rows) + "garbage line\n"
                    self._send(200, body.encode(), "application/json" if archive.output == "json" else "text/plain")
                elif path.path.startswith("/web/") and "id_/" in path.path:
                    original = unquote(self.path.split("id_/", 1)[1])
                    page = PAGES.get(original)
                    self._send(200 if page else 404, (page or "not archived").encode(), "text/html; charset=utf-8")
                else:
                    self._send(404, b"no", "text/plain")

            def _send(self, status: int, body: bytes, mime: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def replays(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/web/")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["json", "lines"])
def archive(request: pytest.FixtureRequest) -> Iterator[Archive]:
    served = Archive(request.param)
    yield served
    served.close()


def backfill(archive: Archive, db_url: str) -> None:
    result = newspipe(
        "backfill", "--cdx", f"{SITE}/2024/", "--cdx-server", f"{archive.base}/cdx", "--replay", f"{archive.base}/web",
        "--since", "2024-03-01", "--until", "2024-03-31", "--delay", "0", "--db", db_url, "--no-progress",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]


def test_captures_listed_by_cdx_are_fetched_raw_and_stored_once(archive: Archive, sqlite_url: str) -> None:
    backfill(archive, sqlite_url)
    rows = exported(sqlite_url)
    assert sorted(r["canonical_url"] for r in rows) == sorted(PAGES)
    fetched = {r["canonical_url"]: r["fetched_at"] for r in rows}
    # The capture time is the fetch time; report-1's first listed capture is the one fetched.
    assert fetched[f"{SITE}/2024/03/report-1.html"] == "2024-03-05T10:15:00+00:00"
    assert fetched[f"{SITE}/2024/03/report-3.html"] == "2024-03-07T15:15:00+00:00"
    # Only raw (id_) captures of the wanted pages were requested: no 404 row, no PDF, no repeat.
    assert sorted(archive.replays()) == sorted(
        f"/web/{t}id_/{u}" for t, u in (("20240305101500", f"{SITE}/2024/03/report-1.html"),
                                         ("20240305121500", f"{SITE}/2024/03/report-2.html"),
                                         ("20240307151500", f"{SITE}/2024/03/report-3.html"))
    )  # fmt: skip
    query = next(r for r in archive.requests if r.startswith("/cdx"))
    assert "from=20240301000000" in query and "filter=statuscode%3A200" in query
    run = run_stats(sqlite_url)["runs"][0]
    assert run["spider"] == "cdx" and run["counts"]["articles_new"] == 3

    # A rerun asks the CDX server again but fetches no capture already stored.
    archive.requests.clear()
    backfill(archive, sqlite_url)
    assert archive.replays() == []
    assert len(exported(sqlite_url)) == 3


def test_provenance_is_the_replay_url(sqlite_url: str) -> None:
    served = Archive("json")
    try:
        backfill(served, sqlite_url)
    finally:
        served.close()
    from sqlalchemy import text

    from storage.engine import Database

    with Database(sqlite_url) as database, database.engine.connect() as connection:
        provenance = dict(connection.execute(text("SELECT canonical_url, archive_file FROM v_articles_latest")).all())
    assert provenance[f"{SITE}/2024/03/report-2.html"] == f"{served.base}/web/20240305121500id_/{SITE}/2024/03/report-2.html"


# -- the CDX reader on its own -------------------------------------------------------------


def test_parse_json_and_lines() -> None:
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    rows = [header, ["k", "20240305101500", "https://a.example/x", "text/html", "200", "D", "9"],
            ["k", "2024030510", "https://a.example/y", "warc/revisit", "-", "D", "9"],
            ["k", "notatime", "https://a.example/z", "text/html", "200", "D", "9"]]  # fmt: skip
    answer = parse_cdx(json.dumps(rows).encode())
    assert [c.url for c in answer.captures] == ["https://a.example/x", "https://a.example/y"] and answer.bad_rows == 1
    assert answer.captures[0] == Capture("https://a.example/x", "20240305101500", datetime(2024, 3, 5, 10, 15, tzinfo=timezone.utc), "text/html", 200)
    assert answer.captures[1].status is None and answer.captures[1].captured_at == datetime(2024, 3, 5, 10, tzinfo=timezone.utc)

    lines = "k 20240305101500 https://a.example/x text/html 200 D 9\n\nk 20240306 ftp://a.example/f - - D 9\n"
    answer = parse_cdx(lines)
    assert [c.timestamp for c in answer.captures] == ["20240305101500"] and answer.bad_rows == 1
    cdx11 = "CDX N b a m s k r M S V g\nk 20240305101500 https://a.example/x text/html 200 D - - 100 200 f.warc.gz\n"
    assert parse_cdx(cdx11).captures[0].url == "https://a.example/x"
    assert parse_cdx(b"").captures == []
    with pytest.raises(CdxError):
        parse_cdx(b"<html><body>Service unavailable</body></html>")
    with pytest.raises(CdxError):
        parse_cdx(b'[["a", "b"], ["1", "2"]]')


def test_query_and_replay_urls() -> None:
    url = cdx_query_url("https://a.example/news/", server="http://cdx.test/cdx", since=datetime(2024, 3, 1, tzinfo=timezone.utc))
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("http://cdx.test/cdx?") and query["url"] == ["https://a.example/news/"]
    assert query["from"] == ["20240301000000"] and "to" not in query and query["output"] == ["json"]
    whole = "http://cdx.test/cdx?url=a.example/*&output=json"
    assert cdx_query_url(whole, server="http://cdx.test/cdx") == whole
    capture = Capture("https://a.example/x?y=1", "20240305101500", capture_time("20240305101500"))
    assert replay_url("https://web.archive.org/web/", capture) == "https://web.archive.org/web/20240305101500id_/https://a.example/x?y=1"
    assert capture_time("2024") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        capture_time("yesterday")
