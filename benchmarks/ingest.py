"""Ingest rate: how fast the store writes articles, as a ratio to the raw driver's executemany.

    python -m benchmarks.ingest [--articles 2000] [--batch 50] [--repeats 3] [--backend sqlite,postgresql]
                                [--postgres-url URL] [--json FILE]

N synthetic, distinct articles (random words from a fixed vocabulary, seeded, so no two are
near-duplicates) are written twice on each backend, in the same run, alternating:
- **store**: `pipelines.writer.ArticleWriter.write` in batches of `--batch` (the store pipeline's
  default is 50), one transaction each, into a fresh newspipe database: URL, hash and
  near-duplicate checks, stories, URLs, everything a crawl does;
- **raw**: the driver's own `executemany` (sqlite3 / psycopg) inserting the same article columns
  into a plain table (an integer primary key and nothing else), in batches of the same size, one
  commit each;
- **tables** (for reference): the same driver `executemany`, but into newspipe's own tables in a
  fresh newspipe database: a story, the article and its two URLs per article, with the schema's
  indexes and foreign keys, and nothing else (no look-ups, no near-duplicate index). What the
  schema alone costs: the store cannot be faster than this.

MinHash signatures are computed before either clock starts (both write the same bytes); their
cost is reported on its own. Database creation (Alembic migrations) is outside the clock.
The figure that matters is store ÷ raw, articles per second (issue 5 target: ≥ 0.6).
PostgreSQL runs in a scratch schema (`?options=-csearch_path%3D<schema>`), dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COLUMNS = (
    "source_id", "url", "canonical_url", "headline", "body", "content_hash", "published_at", "modified_at",
    "date_source", "authors", "description", "language", "site_name", "section", "tags", "image_url",
    "word_count", "syndicated_from", "fetched_at", "created_at", "minhash",
)  # fmt: skip


def synthetic_articles(n: int, seed: int = 7) -> list[Any]:
    from dedup.fingerprint import content_hash
    from articles import ArticleRecord
    from storage.repository import NewArticle

    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{i}" for i in range(5000)]
    base = datetime(2026, 11, 1, tzinfo=timezone.utc)
    items = []
    for i in range(n):
        body = " ".join(rng.choices(vocabulary, k=rng.randint(300, 700)))
        url = f"https://news{i % 7}.example/{2026}/11/{i % 28 + 1:02d}/story-{i}"
        items.append(
            NewArticle(
                record=ArticleRecord(
                    url=url + "?utm_source=feed", canonical_url=url, headline=f"Story {i}: {body[:60]}", body=body,
                    published_at=base + timedelta(minutes=i - 30), date_source="json-ld", authors=["A. Writer"],
                    description=body[:160], language="en", site_name=f"News {i % 7}", section="world", tags=["a", "b"],
                    image_url=f"{url}.jpg", word_count=len(body.split()),
                ),
                source=f"news{i % 7}", content_hash=content_hash(body), fetched_at=base + timedelta(minutes=i),
                source_domains=[f"news{i % 7}.example"],
            )
        )  # fmt: skip
    return items


def add_signatures(items: list[Any]) -> float:
    from dedup.signatures import signature_bytes

    start = time.perf_counter()
    for item in items:
        item.minhash = signature_bytes(item.record.body)
    return time.perf_counter() - start


def raw_rows(items: list[Any]) -> list[tuple[Any, ...]]:
    now = datetime.now(timezone.utc)
    return [
        (
            1, a.url, r.canonical_url, r.headline, r.body, a.content_hash, r.published_at, r.modified_at, r.date_source,
            json.dumps(r.authors), r.description, r.language, r.site_name, r.section, json.dumps(r.tags), r.image_url,
            r.word_count, r.syndicated_from, a.fetched_at, now, a.minhash,
        )
        for a, r in ((item, item.record) for item in items)
    ]  # fmt: skip


def _batches(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def raw_sqlite(items: list[Any], batch: int, directory: Path) -> float:
    import sqlite3

    path = directory / f"raw-{uuid.uuid4().hex[:8]}.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")  # as storage.engine sets them
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE raw_articles (id INTEGER PRIMARY KEY, {', '.join(COLUMNS)})")
    conn.commit()
    rows = raw_rows(items)
    sql = f"INSERT INTO raw_articles ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    start = time.perf_counter()
    for chunk in _batches(rows, batch):
        conn.executemany(sql, [tuple(v.isoformat() if isinstance(v, datetime) else v for v in r) for r in chunk])
        conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def raw_postgres(items: list[Any], batch: int, dsn: str, schema: str) -> float:
    import psycopg

    types = (
        "integer", "text", "text", "text", "text", "varchar(64)", "timestamptz", "timestamptz", "varchar(20)", "jsonb",
        "text", "varchar(20)", "text", "text", "jsonb", "text", "integer", "text", "timestamptz", "timestamptz", "bytea",
    )  # fmt: skip
    with psycopg.connect(dsn, options=f"-csearch_path={schema}") as conn:
        table = f"raw_{uuid.uuid4().hex[:8]}"
        conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {', '.join(f'{c} {t}' for c, t in zip(COLUMNS, types))})")
        conn.commit()
        rows = raw_rows(items)
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        start = time.perf_counter()
        for chunk in _batches(rows, batch):
            with conn.cursor() as cur:
                cur.executemany(sql, chunk)
            conn.commit()
        return time.perf_counter() - start


def tables(items: list[Any], batch: int, url: str) -> float:
    """Driver executemany into newspipe's tables (stories, articles, article_urls) of a fresh database."""
    from storage.engine import Database

    Database(url).close()  # the schema, outside the clock
    now = datetime.now(timezone.utc)
    postgres = url.startswith("postgresql")
    if postgres:
        import psycopg

        dsn, _, query = url.replace("postgresql+psycopg://", "postgresql://").partition("?")
        conn: Any = psycopg.connect(dsn, options=query.split("=", 1)[1].replace("%3D", "="))
        mark = "%s"
    else:
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA journal_mode=WAL")  # as storage.engine sets them
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        mark = "?"

    def value(v: Any) -> Any:
        return v if postgres or not isinstance(v, datetime) else v.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")

    columns = [*COLUMNS, "story_id", "version", "stored_as", "id"]  # raw_rows' values, then these
    marks = ", ".join([mark] * len(columns))
    try:
        conn.execute(f"INSERT INTO sources (id, name, domains, created_at) VALUES (1, 'bench', '[]', {mark})", (value(now),))
        conn.commit()
        rows = raw_rows(items)
        ids = iter(range(1, len(rows) + 1))
        start = time.perf_counter()
        for chunk in _batches(list(zip(ids, rows, items)), batch):
            cur = conn.cursor()
            # Stories without their original (the store sets it too): a floor, not a second store.
            cur.executemany(
                f"INSERT INTO stories (id, original_article_id, created_at, updated_at) VALUES ({mark}, {mark}, {mark}, {mark})",
                [(i, None, value(now), value(now)) for i, _, _ in chunk],
            )
            cur.executemany(
                f"INSERT INTO articles ({', '.join(columns)}) VALUES ({marks})",
                [(*(value(v) for v in r), i, 1, "full", i) for i, r, _ in chunk],
            )
            cur.executemany(
                f"INSERT INTO article_urls (article_id, url, kind, first_seen_at) VALUES ({mark}, {mark}, {mark}, {mark})",
                [row for i, _, a in chunk for row in ((i, a.canonical_url, "canonical", value(now)), (i, a.url, "fetched", value(now)))],
            )
            conn.commit()
        return time.perf_counter() - start
    finally:
        conn.close()


def store(items: list[Any], batch: int, url: str) -> tuple[float, dict[str, int]]:
    from pipelines.writer import ArticleWriter
    from storage.engine import Database

    database = Database(url)
    try:
        writer = ArticleWriter(database.sessions)
        outcomes: dict[str, int] = {}
        start = time.perf_counter()
        for chunk in _batches(items, batch):
            for result in writer.write(chunk, None):
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        return time.perf_counter() - start, outcomes
    finally:
        database.close()


def run_backend(backend: str, items: list[Any], args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    store_s: list[float] = []
    raw_s: list[float] = []
    tables_s: list[float] = []
    outcomes: dict[str, int] = {}
    for _ in range(args.repeats):
        if backend == "sqlite":
            raw_s.append(raw_sqlite(items, args.batch, directory))
            elapsed, outcomes = store(items, args.batch, f"sqlite:///{directory / f'store-{uuid.uuid4().hex[:8]}.db'}")
            tables_s.append(tables(items, args.batch, f"sqlite:///{directory / f'tables-{uuid.uuid4().hex[:8]}.db'}"))
        else:
            import psycopg

            dsn = args.postgres_url.replace("postgresql+psycopg://", "postgresql://")
            schemas = [f"np_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
            with psycopg.connect(dsn, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                raw_s.append(raw_postgres(items, args.batch, dsn, schemas[0]))
                elapsed, outcomes = store(items, args.batch, f"{args.postgres_url}?options=-csearch_path%3D{schemas[0]}")
                tables_s.append(tables(items, args.batch, f"{args.postgres_url}?options=-csearch_path%3D{schemas[1]}"))
            finally:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    for schema in schemas:
                        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        store_s.append(elapsed)
    n = len(items)
    raw_rate = n / statistics.median(raw_s)
    store_rate = n / statistics.median(store_s)
    tables_rate = n / statistics.median(tables_s)
    return {
        "backend": backend,
        "articles": n,
        "batch": args.batch,
        "raw_seconds": raw_s,
        "store_seconds": store_s,
        "tables_seconds": tables_s,
        "raw_per_s": round(raw_rate, 1),
        "store_per_s": round(store_rate, 1),
        "store_ms_per_article": round(1000 / store_rate, 2),
        "ratio": round(store_rate / raw_rate, 3),
        "ratios": [round(r / s, 3) for r, s in zip(raw_s, store_s)],
        "tables_per_s": round(tables_rate, 1),
        "tables_ratio": round(tables_rate / raw_rate, 3),
        "store_to_tables": round(store_rate / tables_rate, 3),
        "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    items = synthetic_articles(args.articles)
    signature_s = add_signatures(items)
    report: dict[str, Any] = {"signature_ms_per_article": round(1000 * signature_s / len(items), 2), "backends": []}
    sys.stdout.write(f"{len(items)} articles; MinHash signatures {report['signature_ms_per_article']} ms/article (outside the clock)\n")
    sys.stdout.write(
        "| backend | raw executemany articles/s | store articles/s | store ms/article | store ÷ raw | runs "
        "| tables articles/s | tables ÷ raw | store ÷ tables |\n"
    )
    sys.stdout.write("|---|---:|---:|---:|---:|---|---:|---:|---:|\n")
    with tempfile.TemporaryDirectory(prefix="np-ingest-") as tmp:
        for backend in [b.strip() for b in args.backend.split(",") if b.strip()]:
            result = run_backend(backend, items, args, Path(tmp))
            report["backends"].append(result)
            sys.stdout.write(
                f"| {backend} | {result['raw_per_s']:.0f} | {result['store_per_s']:.0f} | {result['store_ms_per_article']:.2f} "
                f"| {result['ratio']:.2f} | {', '.join(f'{r:.2f}' for r in result['ratios'])} "
                f"| {result['tables_per_s']:.0f} | {result['tables_ratio']:.2f} | {result['store_to_tables']:.2f} |\n"
            )
            sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
