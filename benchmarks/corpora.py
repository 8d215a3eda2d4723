"""Readers for the gold corpora under `<corpora>/`: scrapinghub, fundus-dev, trafilatura-dev, htmldate-dev.

Layouts are described in the corpora's README. scrapinghub and fundus-dev give a body text;
trafilatura-dev gives strings the body must and must not contain (`with`/`without`);
htmldate-dev gives the publication day only (no body). The corpora root comes from the caller;
`default_corpora_root()` reads the `NEWSPIPE_CORPORA` environment variable when asked and
falls back to `<repo>/../shared/corpora`.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

# The corpora with a body text (other benchmarks read these); the long-tail ones have
# must/must-not strings (trafilatura-dev) or a date only (htmldate-dev).
CORPORA = ("scrapinghub", "fundus-dev")
LONG_TAIL_CORPORA = ("trafilatura-dev", "htmldate-dev")
ALL_CORPORA = CORPORA + LONG_TAIL_CORPORA


@dataclass(frozen=True, slots=True)
class GoldPage:
    """One page with its ground truth. Fields a corpus lacks are None."""

    corpus: str
    id: str
    url: str
    html: str
    body: str | None  # None: the corpus has no body truth (htmldate-dev)
    headline: str | None = None
    published_at: datetime | None = None
    authors: tuple[str, ...] | None = None  # None: the truth has no authors field
    fetched_at: datetime | None = None
    # trafilatura-dev: strings the body must contain and must not contain.
    with_strings: tuple[str, ...] | None = None
    without_strings: tuple[str, ...] | None = None
    # htmldate-dev: the publication day as the page shows it (publisher's own calendar).
    published_day: date | None = None


def default_corpora_root() -> Path:
    env = os.environ.get("NEWSPIPE_CORPORA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def read_corpus(root: Path, name: str, limit: int | None = None) -> Iterator[GoldPage]:
    """Pages of corpus `name` under `root`, in the corpus's own order, at most `limit`."""
    if name == "scrapinghub":
        return read_scrapinghub(root / name, limit)
    if name == "fundus-dev":
        return read_fundus(root / name, limit)
    if name == "trafilatura-dev":
        return read_trafilatura(root / name, limit)
    if name == "htmldate-dev":
        return read_htmldate(root / name, limit)
    raise ValueError(f"unknown corpus {name!r}; expected one of {', '.join(ALL_CORPORA)}")


def _read_gz_text(path: Path) -> str:
    # The corpora are UTF-8 by construction; replace rather than crash on a stray byte.
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def read_scrapinghub(root: Path, limit: int | None = None) -> Iterator[GoldPage]:
    truth: dict[str, dict[str, str]] = json.loads(
        (root / "ground-truth.json").read_text(encoding="utf-8")
    )
    for n, (item_id, gt) in enumerate(truth.items()):
        if limit is not None and n >= limit:
            return
        yield GoldPage(
            corpus="scrapinghub",
            id=item_id,
            url=gt.get("url", ""),
            html=_read_gz_text(root / "html" / f"{item_id}.html.gz"),
            body=gt.get("articleBody", ""),
        )


def fundus_body_text(body: dict[str, Any]) -> str:
    """Summary, then each section's headlines and paragraphs, one per line."""
    parts: list[str] = list(body.get("summary", []))
    for section in body.get("sections", []):
        parts.extend(section.get("headline", []))
        parts.extend(section.get("paragraphs", []))
    return "\n".join(parts)


def read_fundus(root: Path, limit: int | None = None) -> Iterator[GoldPage]:
    index: list[dict[str, str]] = json.loads((root / "index.json").read_text(encoding="utf-8"))
    truth_files: dict[str, dict[str, Any]] = {}
    for n, rec in enumerate(index):
        if limit is not None and n >= limit:
            return
        gt_file = rec["ground_truth_file"]
        if gt_file not in truth_files:
            truth_files[gt_file] = json.loads((root / gt_file).read_text(encoding="utf-8"))
        gt = truth_files[gt_file][rec["version"]]
        published = gt.get("publishing_date")
        authors = gt.get("authors")
        yield GoldPage(
            corpus="fundus-dev",
            id=rec["id"],
            url=rec["url"],
            html=_read_gz_text(root / rec["html_file"]),
            body=fundus_body_text(gt.get("body") or {}),
            headline=gt.get("title"),
            published_at=datetime.fromisoformat(published) if published else None,
            authors=tuple(authors) if authors is not None else None,
            fetched_at=_crawl_date(rec.get("crawl_date")),
        )


def _read_truth(root: Path) -> list[tuple[str, dict[str, Any]]]:
    truth: dict[str, dict[str, Any]] = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    return sorted(truth.items())


def read_trafilatura(root: Path, limit: int | None = None) -> Iterator[GoldPage]:
    """trafilatura-dev: no body text, but `with`/`without` strings (see the corpora README)."""
    for n, (page_id, case) in enumerate(_read_truth(root)):
        if limit is not None and n >= limit:
            return
        yield GoldPage(
            corpus="trafilatura-dev",
            id=page_id,
            url=case.get("url", ""),
            html=_read_gz_text(root / "html" / f"{page_id}.html.gz"),
            body=None,
            with_strings=tuple(case.get("with") or ()),
            without_strings=tuple(case.get("without") or ()),
        )


def read_htmldate(root: Path, limit: int | None = None) -> Iterator[GoldPage]:
    """htmldate-dev: the publication day only."""
    for n, (page_id, case) in enumerate(_read_truth(root)):
        if limit is not None and n >= limit:
            return
        yield GoldPage(
            corpus="htmldate-dev",
            id=page_id,
            url=case.get("url", ""),
            html=_read_gz_text(root / "html" / f"{page_id}.html.gz"),
            body=None,
            published_day=date.fromisoformat(case["date"]),
        )


def _crawl_date(value: str | None) -> datetime | None:
    # fundus stores naive crawl times; we read them as UTC so extractors get an aware value.
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def load_tool_output(path: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """A published `tool-outputs/<tool>.json.gz`: ({item_id: {"articleBody": ...}}, version)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    # Same unwrapping as upstream's load_prediction().
    if isinstance(data, dict) and set(data) == {"version", "output"} and isinstance(data["output"], dict):
        return data["output"], str(data.get("version") or "")
    return data, ""


def load_scrapinghub_truth(root: Path) -> dict[str, dict[str, Any]]:
    return json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
