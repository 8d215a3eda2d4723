"""The near-duplicate index across writers: statements per batch, CPU and memory per article, and
whether copies find originals another writer stored, for this tree and a reference tree side by side.

    python -m benchmarks.dedup_index [--articles 3000] [--writers 2] [--batch 50]
                                     [--backend sqlite|postgresql] [--postgres-url URL]
                                     [--reference DIR] [--json FILE]

N synthetic articles (random words, seeded), 10 % of them near-copies (a closing line added) of
an article stored a few batches earlier (by either writer), go through `pipelines.writer.ArticleWriter.write`
(the store's path: URLs, hashes, near-duplicate index, stories) in batches of `--batch`, the
writers taking turns (each writer its own engine, as separate processes would have; one process
here, so the measures are per writer only as totals divided by the writer count). Measured:
statements sent per batch, CPU seconds per stored article (signatures computed before the clock),
memory retained per stored article in the second half of the run (tracemalloc: what an index that
grows with the stored articles keeps), copies found in their original's story (recall) and
distinct texts kept apart (precision). With `--reference DIR` (a checkout of another commit, e.g.
`git archive main | tar -x -C /tmp/ref`) the same run is made with that tree's code in a
subprocess, and the ratios printed. Reads no settings.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COPY_SHARE = 10  # one article in COPY_SHARE is a near-copy of an earlier one


def _signature_functions() -> tuple[Any, Any]:
    """`content_hash` and `signature_bytes` wherever the tree under test keeps them."""
    try:
        from dedup.fingerprint import content_hash
        from dedup.signatures import signature_bytes
    except ImportError:  # a tree from before dedup/ (the reference)
        from pipelines.fingerprint import content_hash  # type: ignore[no-redef]
        from pipelines.neardup import signature_bytes  # type: ignore[no-redef]
    return content_hash, signature_bytes


def articles(n: int, seed: int = 7) -> tuple[list[Any], dict[int, int]]:
    """The articles, and for each copy (by position) the position of its original."""
    from articles import ArticleRecord
    from storage.repository import NewArticle

    content_hash, signature_bytes = _signature_functions()
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(20000)]
    bodies: list[str] = []
    copies: dict[int, int] = {}
    for i in range(n):
        if i > 200 and i % COPY_SHARE == 0:
            original = rng.randrange(i - 200, i - 100)  # stored a few batches earlier, by either writer
            copies[i] = original
            bodies.append(bodies[original] + " Reporting by the wire desk, edited by our staff.")
        else:
            bodies.append(" ".join(rng.choices(vocabulary, k=rng.randint(200, 500))))
    fetched = datetime(2026, 11, 1, tzinfo=timezone.utc)
    items = [
        NewArticle(
            record=ArticleRecord(url=f"https://news{i % 7}.example/story-{i}", canonical_url=f"https://news{i % 7}.example/story-{i}",
                                 headline=f"Story {i}", body=body),
            source=f"news{i % 7}", content_hash=content_hash(body), fetched_at=fetched, minhash=signature_bytes(body),
        )  # fmt: skip
        for i, body in enumerate(bodies)
    ]
    return items, copies


def run(url: str, n: int, writers: int, batch: int) -> dict[str, Any]:
    from sqlalchemy import event, select

    from pipelines.writer import ArticleWriter
    from storage.engine import Database
    from storage.models import Article

    items, copies = articles(n)
    databases = [Database(url) for _ in range(writers)]
    statements = [0]
    for database in databases:
        event.listen(database.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
    pool = [ArticleWriter(database.sessions) for database in databases]
    batches = [items[start : start + batch] for start in range(0, n, batch)]
    half = len(batches) // 2
    ids: list[int] = []
    cpu = 0.0
    retained = 0
    try:
        gc.collect()
        tracemalloc.start()
        for number, chunk in enumerate(batches):
            if number == half:
                gc.collect()
                before = tracemalloc.take_snapshot()
            started = time.process_time()
            results = pool[number % writers].write(chunk, None)
            cpu += time.process_time() - started
            ids.extend(r.article_id for r in results)
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        retained = sum(s.size_diff for s in after.compare_to(before, "filename"))
        with databases[0].sessions() as session:
            story = {i: s for i, s in session.execute(select(Article.id, Article.story_id))}
    finally:
        for database in databases:
            database.close()
    stories = [story[i] for i in ids]
    found = sum(stories[c] == stories[o] for c, o in copies.items())
    distinct = [i for i in range(n) if i not in copies]
    apart = len({stories[i] for i in distinct}) == len(distinct)
    return {
        "articles": n,
        "writers": writers,
        "batch": batch,
        "statements_per_batch": round(statements[0] / len(batches), 2),
        "cpu_ms_per_article": round(cpu * 1000 / n, 3),
        "retained_bytes_per_article_second_half": round(retained / (n - half * batch), 1),
        "copies": len(copies),
        "recall": round(found / len(copies), 4) if copies else 1.0,
        "distinct_texts_kept_apart": apart,
    }


def _scratch_url(backend: str, postgres_url: str, tmp: str) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp}/index.db", None
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{postgres_url}?options=-csearch_path%3D{schema}", schema


def _drop(postgres_url: str, schema: str | None) -> None:
    if schema is not None:
        import psycopg

        with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--reference", type=Path, default=None, help="a tree whose code runs the same benchmark, for ratios")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only-this-tree", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = _scratch_url(args.backend, args.postgres_url, tmp)
        try:
            results["this"] = run(url, args.articles, args.writers, args.batch)
        finally:
            _drop(args.postgres_url, schema)
    if args.reference is not None and not args.only_this_tree:
        command = [sys.executable, str(Path(__file__).resolve()), "--only-this-tree", "--articles", str(args.articles),
                   "--writers", str(args.writers), "--batch", str(args.batch), "--backend", args.backend,
                   "--postgres-url", args.postgres_url]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(args.reference.resolve())}
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True, cwd=args.reference).stdout
        results["reference"] = json.loads(output)["this"]
        this, ref = results["this"], results["reference"]
        results["ratios_this_over_reference"] = {
            key: round(this[key] / ref[key], 3) if ref[key] else None
            for key in ("statements_per_batch", "cpu_ms_per_article", "retained_bytes_per_article_second_half")
        }
    text = json.dumps(results, indent=2)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
