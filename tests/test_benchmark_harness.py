"""The benchmark harness on a tiny synthetic corpus: readers, contestant adapters,
interleaved run, summaries, worst pages and the command line. No real corpus needed."""

from __future__ import annotations

import gzip
import json
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest


from benchmarks import extraction  # noqa: E402
from benchmarks.corpora import GoldPage, read_corpus  # noqa: E402
from benchmarks.extractors import Extraction, NewspipeExtractor, TrafilaturaExtractor  # noqa: E402
from pipelines.extraction.record import ArticleRecord, NotAnArticle  # noqa: E402

BODY = (
    "The city council voted on Tuesday to expand the tram network to the northern districts. "
    "The plan adds twelve stops and is expected to carry forty thousand passengers a day.\n"
    "Opponents said the cost estimate was too optimistic and asked for an independent review "
    "before construction starts next spring."
)
HTML = f"""<!doctype html><html lang="en"><head><title>Council backs tram plan | Daily</title>
<meta property="og:title" content="Council backs tram plan">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2024-03-05T09:15:00+01:00">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council backs tram plan</h1>
{"".join(f"<p>{p}</p>" for p in BODY.split(chr(10)))}
</article><footer>Copyright Daily. All rights reserved.</footer></body></html>"""


def _write_gz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8")))


@pytest.fixture
def corpora(tmp_path: Path) -> Path:
    sh = tmp_path / "scrapinghub"
    ids = ["a" * 64, "b" * 64]
    truth = {i: {"articleBody": BODY, "url": f"https://example.org/{n}"} for n, i in enumerate(ids)}
    (sh / "html").mkdir(parents=True)
    (sh / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    for i in ids:
        _write_gz(sh / "html" / f"{i}.html.gz", HTML)

    fd = tmp_path / "fundus-dev"
    gt = {
        "V1": {
            "title": "Council backs tram plan",
            "publishing_date": "2024-03-05 09:15:00+01:00",
            "authors": ["Jane Roe"],
            "body": {
                "summary": [],
                "sections": [{"headline": [], "paragraphs": BODY.split("\n")}],
            },
        }
    }
    (fd / "xx").mkdir(parents=True)
    (fd / "xx" / "Daily.json").write_text(json.dumps(gt), encoding="utf-8")
    _write_gz(fd / "xx" / "Daily_2024_03_05.html.gz", HTML)
    index = [
        {
            "id": "xx/Daily_2024_03_05",
            "country": "xx",
            "publisher": "Daily",
            "html_file": "xx/Daily_2024_03_05.html.gz",
            "ground_truth_file": "xx/Daily.json",
            "version": "V1",
            "url": "https://daily.example/tram-plan",
            "crawl_date": "2024-03-05 12:00:00.5",
        }
    ]
    (fd / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return tmp_path


def test_readers(corpora: Path) -> None:
    sh = list(read_corpus(corpora, "scrapinghub"))
    assert [p.id for p in sh] == ["a" * 64, "b" * 64]
    assert sh[0].body == BODY and "<article>" in sh[0].html and sh[0].headline is None
    assert len(list(read_corpus(corpora, "scrapinghub", limit=1))) == 1

    (page,) = read_corpus(corpora, "fundus-dev")
    assert page.url == "https://daily.example/tram-plan"
    assert page.headline == "Council backs tram plan"
    assert page.published_at == datetime(2024, 3, 5, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    assert page.authors == ("Jane Roe",)
    assert page.body == BODY
    assert page.fetched_at == datetime(2024, 3, 5, 12, 0, 0, 500000, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="unknown corpus"):
        read_corpus(corpora, "nope")


def test_trafilatura_adapter_reads_fields() -> None:
    got = TrafilaturaExtractor().extract(HTML, "https://daily.example/tram-plan")
    assert got.error is None
    assert got.headline == "Council backs tram plan"
    assert "forty thousand passengers" in got.body
    assert got.published_at == date(2024, 3, 5)
    assert got.authors == ["Jane Roe"]


@pytest.mark.parametrize("html", ["", "<html></html>", "\x00\x01\x02"])
def test_trafilatura_adapter_gives_empty_on_nothing(html: str) -> None:
    got = TrafilaturaExtractor().extract(html, "https://x.example/")
    assert got.body == "" and got.error == "no result"


def test_newspaper4k_adapter_reads_fields() -> None:
    newspaper = pytest.importorskip("newspaper", reason="newspaper4k is in the 'bench' extra")
    assert newspaper
    from benchmarks.extractors import Newspaper4kExtractor

    got = Newspaper4kExtractor().extract(HTML, "https://daily.example/tram-plan")
    assert got.error is None
    assert "forty thousand passengers" in got.body
    assert got.headline == "Council backs tram plan"


def test_newspipe_adapter_maps_record_rejection_and_crash() -> None:
    published = datetime(2024, 3, 5, 9, 15, tzinfo=timezone.utc)
    record = ArticleRecord(
        url="u", canonical_url="u", headline="H", body="B", published_at=published, authors=["A"]
    )
    got = NewspipeExtractor(extract=lambda html, url, **kw: record).extract("<html/>", "u")
    assert got == Extraction(headline="H", body="B", published_at=published, authors=["A"])

    rejected = NewspipeExtractor(extract=lambda html, url, **kw: NotAnArticle("index_page"))
    assert rejected.extract("<html/>", "u") == Extraction(error="NotAnArticle: index_page")

    def boom(html: str, url: str, **kw: object) -> None:
        raise RuntimeError("bad page")

    crashed = NewspipeExtractor(extract=boom).extract("<html/>", "u")
    assert crashed.body == "" and crashed.error == "RuntimeError: bad page"


def test_newspipe_adapter_passes_url_and_fetched_at() -> None:
    seen: dict[str, object] = {}

    def spy(html: str, url: str, *, fetched_at: datetime | None = None) -> NotAnArticle:
        seen.update(html=html, url=url, fetched_at=fetched_at)
        return NotAnArticle("too_short")

    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    NewspipeExtractor(extract=spy).extract("<p>x</p>", "https://x.example/a", fetched_at=when)
    assert seen == {"html": "<p>x</p>", "url": "https://x.example/a", "fetched_at": when}


class _Fixed:
    """A contestant that returns a canned extraction and records the call order."""

    def __init__(self, name: str, result: Extraction, calls: list[str]) -> None:
        self.name, self._result, self._calls = name, result, calls

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction:
        self._calls.append(self.name)
        return self._result


def _page(n: int, body: str = BODY) -> GoldPage:
    return GoldPage(
        corpus="fundus-dev",
        id=f"p{n}",
        url="u",
        html="",
        body=body,
        headline="Council backs tram plan",
        published_at=datetime(2024, 3, 5, 9, 15, tzinfo=timezone.utc),
        authors=("Jane Roe",),
    )


def test_run_corpus_interleaves_and_rotates() -> None:
    calls: list[str] = []
    contestants = [_Fixed(n, Extraction(), calls) for n in ("x", "y", "z")]
    results = extraction.run_corpus([_page(n) for n in range(3)], contestants)
    assert calls == ["x", "y", "z", "y", "z", "x", "z", "x", "y"]
    assert {k: len(v) for k, v in results.items()} == {"x": 3, "y": 3, "z": 3}


class _Waiting(_Fixed):
    """A contestant that waits (as a process does when the machine's other work holds the CPU)."""

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction:
        time.sleep(0.2)
        return super().extract(html, url, fetched_at)


def test_run_corpus_counts_cpu_time_not_the_time_spent_waiting() -> None:
    results = extraction.run_corpus([_page(0)], [_Waiting("w", Extraction(), [])])
    assert results["w"][0].seconds < 0.1


def test_summary_and_worst_pages() -> None:
    perfect = Extraction(
        headline="Council backs tram plan",
        body=BODY,
        published_at=datetime(2024, 3, 5, 10, 15, tzinfo=timezone(timedelta(hours=1))),
        authors=["jane roe"],
    )
    half = Extraction(headline="Other", body=BODY.split("\n")[0], published_at=date(2024, 3, 5))
    pages = [_page(0), _page(1)]
    good = [extraction.score_page(pages[0], perfect, 0.5), extraction.score_page(pages[1], perfect, 0.5)]
    mixed = [extraction.score_page(pages[0], perfect, 1.0), extraction.score_page(pages[1], half, 1.0)]

    s = extraction.summarize(good, n_bootstrap=10)
    assert (s["body_f1"], s["body_accuracy"], s["headline"], s["date_day"], s["date_minute"], s["authors_f1"]) == (
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0
    )
    assert s["pages_per_second"] == pytest.approx(2.0)

    m = extraction.summarize(mixed, n_bootstrap=10)
    assert m["body_precision"] == 1.0 and m["body_recall"] < 1.0
    assert m["headline"] == 0.5 and m["date_day"] == 1.0 and m["date_minute"] == 0.5
    assert m["authors_f1"] == 0.5

    assert extraction.worst_pages(good, "body_f1", 5) == []
    (worst,) = extraction.worst_pages(mixed, "headline", 5)
    assert worst["id"] == "p1" and worst["score"] == 0.0
    assert worst["detail"] == {"expected": "Council backs tram plan", "got": "Other"}
    assert [r["id"] for r in extraction.worst_pages(mixed, "body_f1", 5)] == ["p1"]


def test_summary_when_everything_is_empty() -> None:
    empty = [
        extraction.score_page(_page(0), Extraction(error="boom"), 0.1),
        extraction.score_page(_page(1), Extraction(body="..."), 0.1),  # no tokens: empty
    ]
    s = extraction.summarize(empty, n_bootstrap=10)
    assert s["body_f1"] == 0.0 and s["empty"] == 2 and s["errors"] == 1


def test_run_benchmark_structure(corpora: Path) -> None:
    report = extraction.run_benchmark(corpora, contestants=["trafilatura"], n_bootstrap=10, upstream=False)
    assert report["contestants"] == ["trafilatura"]
    sh = report["corpora"]["scrapinghub"]["summary"]["trafilatura"]
    assert sh["pages"] == 2 and sh["headline"] is None and sh["time_ratio_to_trafilatura"] == 1.0
    assert sh["body_f1"] > 0.8
    fd = report["corpora"]["fundus-dev"]["summary"]["trafilatura"]
    assert fd["headline"] == 1.0 and fd["date_day"] == 1.0 and fd["date_minute"] == 0.0
    assert set(report["corpora"]["fundus-dev"]["worst"]["trafilatura"]) == set(extraction.PAGE_METRICS) - {"with_score"}
    # The long-tail corpora are optional: absent here, so not run.
    assert list(report["corpora"]) == ["scrapinghub", "fundus-dev"]
    assert set(report["corpora"]["scrapinghub"]["worst"]["trafilatura"]) == {"body_f1"}


def test_cli_writes_json_and_markdown(corpora: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json, out_md = tmp_path / "out.json", tmp_path / "out.md"
    code = extraction.main(
        [
            "--corpora", str(corpora), "--only", "fundus-dev", "--contestants", "trafilatura",
            "--json", str(out_json), "--markdown", str(out_md), "--n-bootstrap", "10",
        ]
    )  # fmt: skip
    assert code == 0
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert list(report["corpora"]) == ["fundus-dev"]
    assert report["corpora"]["fundus-dev"]["pages"]["trafilatura"][0]["id"] == "xx/Daily_2024_03_05"
    assert "| trafilatura |" in out_md.read_text(encoding="utf-8")
    assert "fundus-dev" in capsys.readouterr().out


def test_cli_rejects_missing_corpus_and_unknown_contestant(tmp_path: Path, corpora: Path) -> None:
    assert extraction.main(["--corpora", str(tmp_path / "none")]) == 2
    assert extraction.main(["--corpora", str(corpora), "--contestants", "gpt"]) == 2


@pytest.fixture
def long_tail(corpora: Path) -> Path:
    td = corpora / "trafilatura-dev"
    truth = {"t1": {"url": "https://daily.example/tram-plan", "with": ["twelve stops", "independent review"],
                    "without": ["All rights reserved", "Home"], "origin": "x"}}
    (td / "html").mkdir(parents=True)
    (td / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    _write_gz(td / "html" / "t1.html.gz", HTML)
    hd = corpora / "htmldate-dev"
    (hd / "html").mkdir(parents=True)
    (hd / "truth.json").write_text(json.dumps({"h1": {"url": "https://daily.example/a", "date": "2024-03-05", "origin": "x"}}), encoding="utf-8")
    _write_gz(hd / "html" / "h1.html.gz", HTML)
    return corpora


def test_long_tail_readers(long_tail: Path) -> None:
    (t,) = read_corpus(long_tail, "trafilatura-dev")
    assert t.body is None and t.with_strings == ("twelve stops", "independent review")
    assert t.without_strings == ("All rights reserved", "Home")
    (h,) = read_corpus(long_tail, "htmldate-dev")
    assert h.body is None and h.published_day == date(2024, 3, 5)


def test_with_without_scoring_as_trafilatura() -> None:
    from benchmarks import scoring

    assert scoring.with_without_counts(["a b", "c"], ["x", "y"], "a b and x") == (1, 1, 1, 1)
    # No prediction: every must-string missed, every must-not string absent.
    assert scoring.with_without_counts(["a"], ["x"], None) == (0, 1, 0, 1)
    m = scoring.with_without_metrics([(1, 1, 1, 1), (2, 0, 0, 2)])
    assert m == {"precision": 0.75, "recall": 0.75, "accuracy": 0.75, "f1": 0.75}


def test_long_tail_in_run_benchmark(long_tail: Path) -> None:
    report = extraction.run_benchmark(long_tail, contestants=["newspipe", "trafilatura"], n_bootstrap=10, upstream=False)
    assert list(report["corpora"]) == ["scrapinghub", "fundus-dev", "trafilatura-dev", "htmldate-dev"]
    td = report["corpora"]["trafilatura-dev"]
    assert td["summary"]["newspipe"]["with_f1"] == 1.0 and td["summary"]["newspipe"]["body_f1"] is None
    hd = report["corpora"]["htmldate-dev"]["summary"]["newspipe"]
    assert hd["date_day"] == 1.0 and hd["date_coverage"] == 1.0 and hd["rejected"] == 0
    assert set(report["corpora"]["htmldate-dev"]["causes"]) == {"newspipe"}


def test_causes_name_the_kind_of_kept_and_missing_text() -> None:
    from benchmarks import causes

    html = """<html><body><article><p>The council voted on the tram plan on Tuesday night.</p>
    <div class="related-stories"><a href="/a">Ten things to know about trams in the city</a></div>
    <figure><img src="x.jpg"><figcaption>Trams at the depot in the early morning light.</figcaption></figure>
    <div class="newsletter-signup">Sign up for our morning newsletter today and never miss</div>
    </article></body></html>"""
    truth = "The council voted on the tram plan on Tuesday night."
    pred = "\n".join([
        "Ten things to know about trams in the city",
        "Trams at the depot in the early morning light.",
        "Sign up for our morning newsletter today and never miss",
    ])
    kept, missing = causes.body_causes(html, truth, pred, None)
    assert kept == {"related links": 1, "caption": 1, "appeal/paywall": 1}
    assert missing == {"in running text": 1}
    kept, missing = causes.body_causes(html, truth, truth, None)
    assert not kept and not missing
    kept, missing = causes.with_without_causes(html, ["council voted"], ["morning newsletter"], "", "too_short")
    assert not kept and missing == {"page rejected: too_short": 1}
