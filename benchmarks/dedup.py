"""Duplicate-detection benchmark: stories vs copies on the gold corpora plus generated variants.

    python -m benchmarks.dedup [--corpora ../shared/corpora] [--limit N] [--seed 1] [--json out.json]

Every corpus page is extracted (`extract_article`, timed) and stored as an original. For
each original the generator makes variants with known truth:

- `retemplated`: the body re-wrapped in another site's HTML (other header, footer, related
  links) and extracted again: a copy;
- `trimmed` / `extended`: the last 3-15% of the words cut, or 3-15% new text added, so the
  copy shares at least 80% of its text: a copy;
- `tracking` / `amp`: the same page under a URL with utm parameters or /amp/: a copy
  (the same article);
- `same_event`: a distinct story about the same event (the original's opening fifth, then
  another article's text): NOT a copy.

All of them go through `Stories.save` with the shared MinHash index (threshold
NEWSPIPE_NEAR_DUP_THRESHOLD's default, 0.8) on a fresh SQLite database, in shuffled order.
A variant is predicted a copy when it lands in its original's story. Reported: precision
and recall of "is a copy", per variant kind; documents per second through dedup; and
dedup's share (signature + save) of per-page pipeline time (extraction + dedup), measured
on the originals. Reads no settings.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

from benchmarks.corpora import default_corpora_root, read_corpus
from pipelines.extraction import extract_article
from dedup.fingerprint import content_hash
from dedup.index import NearDupIndex
from dedup.signatures import signature_bytes
from dedup.stories import Stories
from storage.engine import Database
from articles import ArticleRecord
from storage.repository import NewArticle

FETCHED = datetime(2025, 11, 6, 12, 0, tzinfo=timezone.utc)
COPY_KINDS = ("retemplated", "trimmed", "extended", "tracking", "amp")


@dataclass(slots=True)
class Doc:
    key: str
    kind: str  # original or a variant kind
    original: str | None  # key of the original it copies; None for originals and non-copies
    url: str
    headline: str
    body: str
    published_at: datetime


def template(headline: str, body: str, site: str) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n") if p.strip())
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(headline)} | {site}</title></head>"
        f"<body><header><nav><a href='/'>{site}</a> <a href='/news/'>News</a> <a href='/sport/'>Sport</a></nav></header>"
        f"<main><article><h1>{escape(headline)}</h1><div class='byline'>By Staff Reporter</div>"
        f"<div class='entry-content'>{paragraphs}</div></article>"
        f"<aside><h3>Related</h3><ul><li><a href='/a/'>Council approves new bus lanes</a></li>"
        f"<li><a href='/b/'>Weather warning for the weekend</a></li></ul></aside></main>"
        f"<footer><p>&copy; 2025 {site}. All rights reserved.</p></footer></body></html>"
    )


def variants(doc: Doc, others: list[Doc], rng: random.Random) -> list[Doc]:
    words = doc.body.split()
    out: list[Doc] = []
    later = doc.published_at + timedelta(hours=rng.randint(1, 48))
    html = template(doc.headline, doc.body, "Copy Times")
    record = extract_article(html, f"https://copytimes.example/{doc.key}", fetched_at=FETCHED)
    if record:
        out.append(Doc(f"{doc.key}-retemplated", "retemplated", doc.key, f"https://copytimes.example/{doc.key}", doc.headline, record.body, later))
    cut = max(1, int(len(words) * rng.uniform(0.03, 0.15)))
    out.append(Doc(f"{doc.key}-trimmed", "trimmed", doc.key, f"https://trim.example/{doc.key}", doc.headline, " ".join(words[:-cut]), later))
    extra_source = rng.choice(others).body.split()
    extra = max(1, int(len(words) * rng.uniform(0.03, 0.15)))
    start = rng.randint(0, max(0, len(extra_source) - extra))
    extended = doc.body + "\n" + " ".join(extra_source[start : start + extra])
    out.append(Doc(f"{doc.key}-extended", "extended", doc.key, f"https://extend.example/{doc.key}", doc.headline, extended, later))
    out.append(Doc(f"{doc.key}-tracking", "tracking", doc.key, doc.url + "?utm_source=twitter&utm_medium=social", doc.headline, doc.body, later))
    out.append(Doc(f"{doc.key}-amp", "amp", doc.key, doc.url.rstrip("/") + "/amp/", doc.headline, doc.body, later))
    other = rng.choice([o for o in others if o.key != doc.key] or others)
    opening = " ".join(words[: max(5, len(words) // 5)])
    other_words = other.body.split()
    rest = " ".join(other_words[len(other_words) // 2 :])  # half of another story: a copy of neither
    out.append(Doc(f"{doc.key}-same_event", "same_event", None, f"https://rival.example/{doc.key}", doc.headline, opening + "\n" + rest, later))
    return out


def to_new(doc: Doc) -> NewArticle:
    canonical = doc.url
    aliases: list[str] = []
    if doc.kind in ("tracking", "amp"):
        # What the dedup pipeline does: the page's rel=canonical names the original URL.
        canonical, aliases = doc.url.split("?")[0].removesuffix("/amp/").removesuffix("/amp"), [doc.url]
    record = ArticleRecord(url=doc.url, canonical_url=canonical, headline=doc.headline, body=doc.body, published_at=doc.published_at)
    return NewArticle(
        record=record, source=doc.url.split("/")[2], content_hash=content_hash(doc.body), fetched_at=FETCHED,
        alias_urls=aliases, minhash=signature_bytes(doc.body),
    )  # fmt: skip


def run(corpora: Path, limit: int | None, seed: int, threshold: float) -> dict[str, Any]:
    rng = random.Random(seed)
    originals: list[Doc] = []
    extract_times: list[float] = []
    for name in ("scrapinghub", "fundus-dev"):
        for page in read_corpus(corpora, name, limit):
            started = time.perf_counter()
            record = extract_article(page.html, page.url, fetched_at=FETCHED)
            extract_times.append(time.perf_counter() - started)
            if not record or len(record.body.split()) < 50:
                continue
            published = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=len(originals) * 7)
            originals.append(Doc(f"{name}-{page.id}", "original", None, page.url, record.headline, record.body, published))
    docs = [v for doc in originals for v in variants(doc, originals, rng)]
    rng.shuffle(docs)

    story_of: dict[str, int] = {}
    dedup_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, Database(f"sqlite:///{tmp}/bench.db") as database:
        index = NearDupIndex(threshold)
        # Originals first (timed: their dedup time is compared with their extraction time), then the variants.
        for batch in (originals, docs):
            with database.sessions.begin() as session:
                repository = Stories(session, near_dups=index)
                for doc in batch:
                    # Dedup's own work: fingerprint, signature, exact and near-duplicate lookups
                    # (the insert and commit are the store's, paid with or without dedup).
                    started = time.perf_counter()
                    item = to_new(doc)
                    repository._find_original(item)
                    if doc.kind == "original":
                        dedup_times.append(time.perf_counter() - started)
                    story_of[doc.key] = repository.save(item).article_id
        with database.sessions() as session:
            from storage.models import Article

            story_by_article = dict(session.execute(Article.__table__.select().with_only_columns(Article.id, Article.story_id)).all())
    tp = fp = fn = tn = 0
    per_kind: dict[str, dict[str, int]] = {}
    originals_by_key = {d.key: d for d in originals}
    for doc in docs:
        mine = story_by_article[story_of[doc.key]]
        source_key = doc.original or doc.key.rsplit("-", 1)[0]
        predicted = mine == story_by_article[story_of[originals_by_key[source_key].key]]
        actual = doc.original is not None
        counts = per_kind.setdefault(doc.kind, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
        key = ("tp" if actual else "fp") if predicted else ("fn" if actual else "tn")
        counts[key] += 1
        tp, fp, fn, tn = tp + (key == "tp"), fp + (key == "fp"), fn + (key == "fn"), tn + (key == "tn")
    extract_ms = statistics.mean(extract_times) * 1000
    dedup_ms = statistics.mean(dedup_times) * 1000
    return {
        "originals": len(originals),
        "variants": len(docs),
        "threshold": threshold,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "per_kind": per_kind,
        "extract_ms_per_page": round(extract_ms, 2),
        "dedup_ms_per_page": round(dedup_ms, 2),
        "dedup_share_of_page_time": round(dedup_ms / (extract_ms + dedup_ms), 4),
        "dedup_docs_per_second": round(1000 / dedup_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=default_corpora_root())
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(args.corpora, args.limit, args.seed, args.threshold)
    text = json.dumps(result, indent=2)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
