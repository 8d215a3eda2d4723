"""The shared near-duplicate index: band keys, exactly one story across concurrent writers, and
nothing per process that grows with the stored articles (SQLite and PostgreSQL)."""

from __future__ import annotations

import gc
import importlib.util
import random
import threading
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from dedup import index as index_module
from dedup.fingerprint import content_hash
from dedup.index import BANDS, ROWS, NearDupIndex, band_keys_of
from dedup.signatures import signature_bytes, similarity
from pipelines.writer import ArticleWriter
from storage import band_keys
from storage.engine import Database
from storage.models import Article, NearDupBand, Story
from storage.repository import NewArticle
from tests.newarticles import new_article
from tests.pgstats import rows_read

FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)


def _bodies(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(4000)]
    return [" ".join(rng.choices(words, k=150)) for _ in range(n)]


def make(url: str, body: str) -> NewArticle:
    return new_article(
        source="herald", url=url, canonical_url=url, headline=f"Headline of {url}", body=body,
        content_hash=content_hash(body), fetched_at=FETCHED, minhash=signature_bytes(body),
    )  # fmt: skip


def test_band_keys_agree_on_equal_bands_only() -> None:
    a, b = _bodies(2)
    sig_a, sig_b = signature_bytes(a), signature_bytes(b)
    assert sig_a is not None and sig_b is not None
    keys_a = band_keys_of(sig_a)
    assert len(keys_a) == len(set(keys_a)) == BANDS and all(-(2**63) <= k < 2**63 for k in keys_a)
    assert not set(keys_a) & set(band_keys_of(sig_b))  # unrelated texts share no band
    values = np.frombuffer(sig_a, dtype="<u4").copy()
    values[0] += 1  # the first band changes, the others stay
    changed = band_keys_of(values.tobytes())
    assert changed[0] != keys_a[0] and changed[1:] == keys_a[1:]
    assert band_keys_of(b"") == []


def test_band_keys_of_the_bytes_as_of_the_values() -> None:
    # Cut from the bytes without numpy: the keys are those of the uint32 values' bytes, as before.
    def from_values(signature: bytes) -> list[int]:
        values = np.frombuffer(signature, dtype="<u4")
        if len(values) < BANDS * ROWS:
            return []
        data = values[: BANDS * ROWS].tobytes()
        return [int.from_bytes(index_module.blake2b(bytes((band,)) + data[band * ROWS * 4 : (band + 1) * ROWS * 4], digest_size=8).digest(), "little", signed=True) for band in range(BANDS)]

    signatures = [signature_bytes(body) for body in _bodies(50)] + [bytes(4 * n) for n in (0, 1, BANDS * ROWS - 1, BANDS * ROWS, 130)]
    for signature in signatures:
        assert signature is not None and band_keys_of(signature) == from_values(signature)
    with pytest.raises(ValueError):
        band_keys_of(bytes(4 * BANDS * ROWS + 1))


def test_the_migration_bands_stored_signatures_as_the_index_does() -> None:
    path = Path(__file__).parents[1] / "storage/migrations/versions/0009_near_dup_bands.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (migration._BANDS, migration._ROWS) == (BANDS, ROWS)
    for body in _bodies(5):
        signature = signature_bytes(body)
        assert signature is not None and migration._keys(signature) == band_keys_of(signature)


def _copy(body: str) -> str:
    return body + " with a closing line the copying site added"


def test_two_writers_storing_copies_at_once_make_one_story(db_url: str, monkeypatch) -> None:
    """Writer B looks the text up while writer A's copy of it is stored but not committed: B finds
    nothing, decides "new", and its claim of the shared band keys is what refuses it (retried,
    B then sees A's article). Without the claim, both would start a story."""
    (body,) = _bodies(1, seed=11)
    ours, theirs = Database(db_url), Database(db_url)
    looked = threading.Event()
    attempts: list[int] = []
    real_holders = band_keys.holders

    def holders(connection, keys, *, since):  # type: ignore[no-untyped-def]
        found = real_holders(connection, keys, since=since)
        if threading.current_thread().name == "writer-b":
            attempts.append(len(found))
            looked.set()  # B has looked (and, the first time, found nothing): A may commit now
        return found

    monkeypatch.setattr(band_keys, "holders", holders)
    writer_b = ArticleWriter(theirs.sessions, max_wait=0.2)
    results: list = []
    try:
        with ours.sessions() as session:
            with session.begin():
                from dedup.stories import Stories

                first = Stories(session, near_dups=NearDupIndex(0.8)).save(make("https://a.example/1", body))
                thread = threading.Thread(
                    target=lambda: results.extend(writer_b.write([make("https://b.example/1", _copy(body))], None)), name="writer-b"
                )
                thread.start()
                assert looked.wait(60), "writer B never looked the text up"
            thread.join(120)
        assert not thread.is_alive()
        (second,) = results
        assert attempts[0] == 0 and len(attempts) >= 2  # B's first look found nothing: it was retried
        assert second.outcome == "duplicate" and second.method == "minhash" and second.duplicate_of == first.article_id
        with ours.sessions() as session:
            assert session.scalar(select(func.count(Story.id))) == 1
            assert session.scalar(select(func.count(Article.id))) == 2
            holders_of_keys = set(session.scalars(select(NearDupBand.article_id)))
            assert first.article_id in holders_of_keys
    finally:
        ours.close()
        theirs.close()


def test_a_writer_keeps_nothing_that_grows_with_the_stored_articles(tmp_path: Path) -> None:
    """The old per-process index kept about 6.5 KB per article; the shared one keeps none: memory
    retained while storing 300 more articles (after as many, so that bounded caches are full)
    stays under what 15 articles cost the old index."""
    db = Database(f"sqlite:///{tmp_path}/memory.db")
    writer = ArticleWriter(db.sessions)
    bodies = iter(enumerate(_bodies(700, seed=5)))

    def store(batches: int) -> None:
        for _ in range(batches):
            writer.write([make(f"https://a.example/{n}", body) for _, (n, body) in zip(range(50), bodies)], None)
        gc.collect()

    try:
        store(2)  # statements compiled and cached, connections opened
        tracemalloc.start()
        store(6)
        before = tracemalloc.take_snapshot()
        store(6)
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        assert grown < 15 * 6_500, f"{grown} bytes retained after storing 300 articles"
        with db.sessions() as session:
            assert session.scalar(select(func.count(Article.id))) == 700
            assert session.scalar(select(func.count()).select_from(NearDupBand)) == 700 * BANDS
        assert vars(writer.near_dups) == {"threshold": 0.8, "horizon_days": 30.0}
    finally:
        db.close()


def test_a_lookup_is_two_queries_for_a_whole_batch(tmp_path: Path, monkeypatch) -> None:
    db = Database(f"sqlite:///{tmp_path}/q.db")
    bodies = _bodies(20, seed=7)  # 23 look-ups: 414 keys, one chunk
    try:
        with db.sessions.begin() as session:
            from dedup.stories import Stories

            Stories(session, near_dups=NearDupIndex(0.8)).save_batch([make(f"https://a.example/{i}", b) for i, b in enumerate(bodies)])
        statements: list[str] = []
        with db.sessions.begin() as session:
            view = NearDupIndex(0.8).begin(session.connection())
            from sqlalchemy import event

            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
            matches = view.matches([signature_bytes(_copy(b)) for b in bodies] + [signature_bytes(b) for b in _bodies(3, seed=8)])
        assert len(statements) == 2  # the keys' holders, then their signatures
        assert [m[0] if m else None for m in matches] == list(range(1, 21)) + [None] * 3
        assert all(m is None or m[1] >= 0.8 for m in matches)
        assert similarity(signature_bytes(bodies[0]), signature_bytes(_copy(bodies[0]))) >= 0.8  # type: ignore[arg-type]
    finally:
        db.close()


def test_the_horizon_is_a_date(monkeypatch) -> None:
    now = datetime(2026, 1, 31, tzinfo=timezone.utc)
    assert NearDupIndex(0.8).since(now) == now - timedelta(days=30)
    assert NearDupIndex(0.8, horizon_days=0).since(now) is None
    assert index_module.BANDS * index_module.ROWS <= 128


def test_a_postgresql_lookup_reads_a_row_per_key_whatever_the_table_holds(postgres_url: str) -> None:
    """The look-up probes the primary key once per band key: the rows it reads do not grow with
    the keys stored (a join the planner may pick instead hashes every recent key, each look-up)."""

    db = Database(postgres_url)
    try:
        from dedup.stories import Stories

        now = datetime.now(timezone.utc)
        with db.sessions.begin() as session:
            article_id = Stories(session).save(make("https://a.example/1", _bodies(1)[0])).article_id
        with db.engine.begin() as connection:
            band_keys.claim(connection, [(key, article_id) for key in range(1, 20_001)], now=now, expired_before=None)
        with db.engine.begin() as connection:
            wanted = list(range(19_000, 19_000 + 900))  # 900 keys: a batch of 50 articles
            found = band_keys.holders(connection, wanted, since=now - timedelta(days=30))
            read = rows_read(connection, "near_dup_bands")
        assert len(found) == 900
        assert read <= 2 * len(wanted), f"{read} rows read for {len(wanted)} keys"
    finally:
        db.close()


def test_a_postgresql_lookup_stays_a_probe_when_the_table_grows_after_its_plan_was_made(postgres_url: str) -> None:
    """A look-up planned after an ANALYZE of a small table (a sequential scan per key is cheapest
    there) and run again and again on one connection (psycopg prepares it, PostgreSQL may keep a
    generic plan) still probes the primary key once the table is large: plans are made for each
    execution on the table's current size (`storage.engine`, plan_cache_mode; `storage.bulk.index_probes`)."""

    db = Database(postgres_url)
    try:
        from dedup.stories import Stories

        now = datetime.now(timezone.utc)
        since = now - timedelta(days=30)
        with db.sessions.begin() as session:
            article_id = Stories(session).save(make("https://a.example/1", _bodies(1)[0])).article_id
        with db.engine.begin() as connection:
            band_keys.claim(connection, [(key, article_id) for key in range(1, 151)], now=now, expired_before=None)
            connection.exec_driver_sql("ANALYZE near_dup_bands")
        with db.engine.connect() as connection:
            for n in range(15):  # prepared after 5, then 5 custom plans, then a generic one may stay
                with connection.begin():
                    band_keys.holders(connection, range(n * 10, n * 10 + 100), since=since)
            with db.engine.begin() as other:
                band_keys.claim(other, [(key, article_id) for key in range(151, 5_001)], now=now, expired_before=None)
            # The counts before and after, in one transaction: a backend's counts of earlier
            # transactions (the warm-up's) may not have been flushed yet, and show here too.
            with connection.begin():
                before = rows_read(connection, "near_dup_bands")
                found = band_keys.holders(connection, range(4_000, 4_100), since=since)
                read = rows_read(connection, "near_dup_bands") - before
        assert len(found) == 100
        assert read <= 200, f"{read} rows read for 100 keys"
    finally:
        db.close()


def test_a_postgresql_lookup_probes_even_a_small_analyzed_table(postgres_url: str) -> None:
    """While near_dup_bands is small and analyzed the planner prefers a sequential scan to an index
    probe, per key: a look-up still reads about a row per key (`storage.bulk.index_probes`)."""

    db = Database(postgres_url)
    try:
        from dedup.stories import Stories

        now = datetime.now(timezone.utc)
        with db.sessions.begin() as session:
            article_id = Stories(session).save(make("https://a.example/1", _bodies(1)[0])).article_id
        with db.engine.begin() as connection:
            band_keys.claim(connection, [(key, article_id) for key in range(1, 301)], now=now, expired_before=None)
            connection.exec_driver_sql("ANALYZE near_dup_bands")
        with db.engine.begin() as connection:
            before = rows_read(connection, "near_dup_bands")
            found = band_keys.holders(connection, range(200, 1100), since=now - timedelta(days=30))
            read = rows_read(connection, "near_dup_bands") - before
        assert len(found) == 101
        assert read <= 2 * 900, f"{read} rows read for 900 keys"
    finally:
        db.close()
