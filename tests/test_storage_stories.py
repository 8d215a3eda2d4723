"""Stories, near-duplicates, revisions, the duplicate policy, fetch state and the run lock (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from dedup.fingerprint import content_hash
from dedup.index import NearDupIndex
from dedup.signatures import signature_bytes, similarity
from storage.engine import Database
from storage.locks import LockHeld, RunLock
from storage.models import Article, ArticleVersion, CrawlLock, NearDupBand, Story
from dedup.stories import Stories
from storage.repository import ArticleRepository, NewArticle
from storage.state import FetchStateRepository, StateUpdate
from tests.newarticles import new_article
from tests.pgstats import rows_read

FETCHED = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)
STORY = " ".join(
    f"Sentence {i} of the council budget story says the harbour authority will spend {i * 7} thousand on repairs."
    for i in range(40)
)
OTHER_EVENT_STORY = " ".join(
    f"Line {i}: the harbour authority budget vote drew protests, and {i * 3} residents spoke against the repairs plan."
    for i in range(40)
)


def make(url: str, body: str, **kw: object) -> NewArticle:
    values: dict[str, object] = dict(
        source="herald", url=url, canonical_url=url, headline=f"Headline of {url}", body=body,
        content_hash=content_hash(body), fetched_at=FETCHED, minhash=signature_bytes(body),
    )  # fmt: skip
    values.update(kw)
    return new_article(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(db_url: str):
    database = Database(db_url)
    yield database
    database.close()


def save_all(db: Database, items: list[NewArticle], *, index: NearDupIndex | None = None, policy: str = "keep"):
    index = index if index is not None else NearDupIndex(0.8)
    with db.sessions.begin() as s:
        repo = Stories(s, near_dups=index, duplicate_policy=policy)
        return [repo.save(item) for item in items]


def test_signatures_estimate_shared_text() -> None:
    words = STORY.split()
    trimmed = " ".join(words[: int(len(words) * 0.9)])
    assert similarity(signature_bytes(STORY), signature_bytes(STORY)) == 1.0
    assert similarity(signature_bytes(STORY), signature_bytes(trimmed)) > 0.75
    assert similarity(signature_bytes(STORY), signature_bytes(OTHER_EVENT_STORY)) < 0.2
    assert signature_bytes("") is None


def test_near_identical_copy_joins_the_story_and_a_distinct_story_does_not(db: Database) -> None:
    words = STORY.split()
    copy = " ".join(words[:-12]) + " Reporting by the wire desk; editing by staff."  # trimmed and re-signed
    first, near, other = save_all(
        db, [make("https://a.example/1", STORY), make("https://b.example/2", copy), make("https://c.example/3", OTHER_EVENT_STORY)]
    )
    assert first.outcome == "new" and other.outcome == "new"
    assert near.outcome == "duplicate" and near.method == "minhash" and near.duplicate_of == first.article_id
    assert near.story_id == first.story_id != other.story_id
    with db.sessions() as s:
        assert s.scalar(select(func.count(Story.id))) == 2
        assert s.get(Story, first.story_id).original_article_id == first.article_id  # type: ignore[union-attr]
        # Every article is in exactly one story.
        assert s.scalar(select(func.count(Article.id)).where(Article.story_id.is_(None))) == 0


def band_rows(db: Database) -> list[tuple[int, int]]:
    with db.sessions() as s:
        return [(k, a) for k, a in s.execute(select(NearDupBand.band_key, NearDupBand.article_id))]


def test_a_new_process_finds_what_an_earlier_one_stored_without_building_anything(db: Database) -> None:
    (first,) = save_all(db, [make("https://a.example/1", STORY)])
    assert {a for _, a in band_rows(db)} == {first.article_id} and len(band_rows(db)) == 18
    fresh = NearDupIndex(0.8)  # as a new run would have: nothing in memory
    (copy,) = save_all(db, [make("https://b.example/1", STORY + " Extra closing line from the copying site.")], index=fresh)
    assert copy.outcome == "duplicate" and copy.method == "minhash" and copy.duplicate_of == first.article_id
    assert vars(fresh) == {"threshold": 0.8, "horizon_days": 30.0}  # holds no articles


def test_rolled_back_rows_leave_the_index(db: Database) -> None:
    index = NearDupIndex(0.8)
    with pytest.raises(RuntimeError):
        with db.sessions.begin() as s:
            Stories(s, near_dups=index).save(make("https://a.example/1", STORY))
            raise RuntimeError("batch failed")
    assert band_rows(db) == []
    (again,) = save_all(db, [make("https://b.example/1", STORY + " and more")], index=index)
    assert again.outcome == "new"


def test_the_index_sees_what_another_writer_stored(db: Database) -> None:
    ours, theirs = NearDupIndex(0.8), NearDupIndex(0.8)
    save_all(db, [make("https://a.example/1", OTHER_EVENT_STORY)], index=ours)
    (stored,) = save_all(db, [make("https://b.example/1", STORY)], index=theirs)
    (copy,) = save_all(db, [make("https://c.example/1", STORY + " Extra closing line.")], index=ours)
    assert copy.outcome == "duplicate" and copy.method == "minhash" and copy.duplicate_of == stored.article_id


def test_keys_past_the_horizon_are_ignored_taken_over_and_pruned(db: Database) -> None:
    save_all(db, [make("https://a.example/1", STORY)])
    with db.sessions.begin() as s:  # claimed 40 days ago
        s.execute(update(NearDupBand).values(created_at=datetime.now(timezone.utc) - timedelta(days=40)))
    (late,) = save_all(db, [make("https://b.example/1", STORY + " Extra closing line.")])
    assert late.outcome == "new"  # the old article is past the 30-day horizon
    assert {a for _, a in band_rows(db)} == {late.article_id}  # its keys were taken over
    (copy,) = save_all(db, [make("https://c.example/1", STORY + " Another closing line.")])
    assert copy.outcome == "duplicate" and copy.duplicate_of == late.article_id
    with db.sessions.begin() as s:
        s.execute(update(NearDupBand).values(created_at=FETCHED))  # a year ago
        assert NearDupIndex(0.8, horizon_days=0).prune(s.connection()) == 0  # no horizon: nothing is old
        assert NearDupIndex(0.8).prune(s.connection(), limit=5) == 5  # the writer deletes a backlog in steps
        assert NearDupIndex(0.8).prune(s.connection()) == 13
    assert band_rows(db) == []


def test_a_revised_article_is_found_by_its_new_text(db: Database) -> None:
    url = "https://a.example/1"
    first, revised = save_all(db, [make(url, OTHER_EVENT_STORY), make(url, STORY, fetched_at=FETCHED + timedelta(hours=1))])
    assert revised.outcome == "updated"
    (copy,) = save_all(db, [make("https://b.example/1", STORY + " Extra closing line.")])
    assert copy.outcome == "duplicate" and copy.duplicate_of == first.article_id
    (other,) = save_all(db, [make("https://c.example/1", OTHER_EVENT_STORY + " Extra closing line.")])
    assert other.outcome == "new"  # the old text's keys went with it


@pytest.mark.parametrize("higher_id_from", ["another writer", "this writer"])
def test_rows_committed_after_higher_ids_still_reach_the_index(postgres_url: str, higher_id_from: str) -> None:
    # PostgreSQL hands out ids as rows are written: a slow batch can commit lower ids after
    # this writer has read (or written) higher ones.
    db = Database(postgres_url)
    try:
        ours, slow = NearDupIndex(0.8), NearDupIndex(0.8)
        save_all(db, [make("https://a.example/1", OTHER_EVENT_STORY)], index=ours)
        with db.sessions() as session:
            with session.begin():
                in_flight = Stories(session, near_dups=slow).save(make("https://b.example/1", STORY))
                unrelated = [" ".join(f"{word}{n}" for word in ("tide", "ferry", "quay") * 40) for n in range(2)]
                if higher_id_from == "another writer":
                    save_all(db, [make("https://c.example/1", unrelated[0])])
                    save_all(db, [make("https://d.example/1", unrelated[1])], index=ours)  # ours reads past the open batch
                else:
                    save_all(db, [make("https://c.example/1", unrelated[0])], index=ours)  # ours writes past it
        (copy,) = save_all(db, [make("https://e.example/1", STORY + " Extra closing line.")], index=ours)
        assert copy.outcome == "duplicate" and copy.method == "minhash" and copy.duplicate_of == in_flight.article_id
    finally:
        db.close()


def test_earliest_published_leads_a_near_duplicate_story(db: Database) -> None:
    late = make("https://late.example/x", STORY, published_at=datetime(2025, 10, 2, tzinfo=timezone.utc))
    early = make("https://early.example/x", STORY + " Additional paragraph.", published_at=datetime(2025, 10, 1, tzinfo=timezone.utc))
    first, second = save_all(db, [late, early])
    assert second.outcome == "new" and second.relinked == 1 and second.story_id == first.story_id
    with db.sessions() as s:
        assert ArticleRepository(s).original_of(first.article_id) == second.article_id
        assert s.get(Story, first.story_id).original_article_id == second.article_id  # type: ignore[union-attr]


def test_copy_before_its_original_moves_into_the_originals_story(db: Database) -> None:
    copy, original = save_all(
        db,
        [
            make("https://copy.example/x", "Different words entirely. " * 30, syndicated_from="https://orig.example/x"),
            make("https://orig.example/x", STORY),
        ],
    )
    assert original.relinked == 1
    with db.sessions() as s:
        assert s.get(Article, copy.article_id).story_id == original.story_id  # type: ignore[union-attr]
        assert s.scalar(select(func.count(Story.id))) == 1


def test_link_policy_keeps_copies_without_their_body(db: Database) -> None:
    original, copy = save_all(db, [make("https://a.example/1", STORY), make("https://b.example/1", STORY)], policy="link")
    assert copy.outcome == "duplicate"
    with db.sessions() as s:
        row = s.get(Article, copy.article_id)
        assert row is not None and row.body == "" and row.stored_as == "link" and row.story_id == original.story_id
        assert s.get(Article, original.article_id).body == STORY  # type: ignore[union-attr]
        unique = list(ArticleRepository(s).iter_export(unique_stories=True))
    assert [r["url"] for r in unique] == ["https://a.example/1"]


def test_a_changed_page_becomes_a_new_version_and_unchanged_stores_nothing(db: Database) -> None:
    url = "https://a.example/1"
    changed = STORY + " Update: the vote was postponed."
    first, same, newer, older = save_all(
        db,
        [
            make(url, STORY),
            make(url, STORY, fetched_at=FETCHED + timedelta(hours=1)),
            make(url, changed, fetched_at=FETCHED + timedelta(hours=2), modified_at=FETCHED + timedelta(hours=2)),
            make(url, "An old archived capture. " * 20, fetched_at=FETCHED - timedelta(days=1)),
        ],
    )
    assert (first.outcome, same.outcome, newer.outcome, older.outcome) == ("new", "existing", "updated", "existing")
    with db.sessions() as s:
        article = s.get(Article, first.article_id)
        assert article is not None and article.version == 2 and article.body == changed
        versions = s.scalars(select(ArticleVersion)).all()
        assert [(v.version, v.body) for v in versions] == [(1, STORY)]
        latest = list(ArticleRepository(s).iter_export())
        every = list(ArticleRepository(s).iter_export(all_versions=True))
    assert [r["version"] for r in latest] == [2]
    assert [(r["version"], r["latest"]) for r in every] == [(1, False), (2, True)]
    assert every[0]["body"] == STORY and every[1]["body"] == changed


def test_fetch_state_known_urls_and_validators(db: Database) -> None:
    save_all(db, [make("https://a.example/stored", STORY)])
    with db.sessions.begin() as s:
        FetchStateRepository(s).record(
            [
                StateUpdate("https://a.example/feed", "feed", 200, etag='"v1"', last_modified="Mon, 03 Nov 2025 10:00:00 GMT"),
                StateUpdate("https://a.example/about", "article", 200, outcome="not_article/no_body"),
            ]
        )
    with db.sessions.begin() as s:
        FetchStateRepository(s).record([StateUpdate("https://a.example/feed", "feed", 304)])  # keeps the validators
    with db.sessions() as s:
        repo = FetchStateRepository(s)
        validators = repo.validators(["https://a.example/feed", "https://a.example/other"])
        assert validators["https://a.example/feed"].headers() == {
            "If-None-Match": '"v1"', "If-Modified-Since": "Mon, 03 Nov 2025 10:00:00 GMT",
        }  # fmt: skip
        assert "https://a.example/other" not in validators
        wanted = ["https://a.example/stored", "https://a.example/about", "https://a.example/new"]
        assert repo.known(wanted) == {"https://a.example/stored", "https://a.example/about"}
        assert repo.known(wanted, recheck_after=timedelta(seconds=-1)) == {"https://a.example/stored"}
        assert [r.url for r in repo.revisits(["herald"], timedelta(days=2))] == ["https://a.example/stored"]
        assert repo.revisits(["herald"], timedelta(0)) == []



def test_revisits_of_a_job_of_seventy_thousand_sources(db: Database) -> None:
    """More source names than a statement takes parameters (psycopg 65,535, SQLite 32,766 by
    default): the look-up still answers, newest first, and counts what its cap leaves off."""
    save_all(db, [make("https://a.example/older", STORY), make("https://b.example/newer", OTHER_EVENT_STORY, source="courier")])
    with db.sessions.begin() as s:
        s.execute(update(Article).where(Article.url == "https://a.example/older").values(created_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    names = [f"source-{n:05d}" for n in range(70_000)] + ["herald", "courier"]
    with db.sessions() as s:
        repo = FetchStateRepository(s)
        assert [r.url for r in repo.revisits(names, timedelta(days=2))] == ["https://b.example/newer", "https://a.example/older"]
        assert [r.url for r in repo.revisits(names, timedelta(days=2), limit=1)] == ["https://b.example/newer"]
        assert repo.revisits_due(names, timedelta(days=2)) == 2

def test_run_lock_refuses_a_live_holder_and_takes_over_a_dead_one(db: Database) -> None:
    with RunLock(db.sessions, "crawl:job", heartbeat_every=60):
        with pytest.raises(LockHeld, match="another run of this job is going"):
            RunLock(db.sessions, "crawl:job", pid=os.getpid() + 1).acquire()
        other = RunLock(db.sessions, "crawl:other", heartbeat_every=60).acquire()  # another job is free
        other.release()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CrawlLock)) == 0  # released

    # A holder killed with SIGKILL: its row stays, its pid is gone.
    dead = subprocess_pid_that_exited()
    now = datetime.now(timezone.utc)
    with db.sessions.begin() as s:
        s.add(CrawlLock(name="crawl:job", token="dead", hostname=RunLock(db.sessions, "x").hostname, pid=dead, acquired_at=now, heartbeat_at=now))
    lock = RunLock(db.sessions, "crawl:job", heartbeat_every=60).acquire()
    assert lock.holder() is not None and lock.holder().pid == os.getpid()  # type: ignore[union-attr]
    lock.release()

    # Another machine's holder is dead only once its heartbeat is stale.
    with db.sessions.begin() as s:
        s.add(CrawlLock(name="crawl:job", token="far", hostname="elsewhere", pid=1, acquired_at=now, heartbeat_at=now))
    with pytest.raises(LockHeld):
        RunLock(db.sessions, "crawl:job").acquire()
    RunLock(db.sessions, "crawl:job", stale_after=timedelta(seconds=-1), heartbeat_every=60).acquire().release()


def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stories_hold_the_repository_in_their_session(db: Database) -> None:
    # Composition, not inheritance: the story rules use the repository's data access, they are not one.
    assert not issubclass(Stories, ArticleRepository)
    with db.sessions() as s:
        stories = Stories(s, duplicate_policy="link", source_ids={"herald": 1})
        assert stories.repository.session is s and stories.repository.duplicate_policy == "link"
        assert stories.source_ids == {"herald": 1}


def test_fetch_state_lookups_read_a_row_per_url_whatever_the_table_holds(postgres_url: str) -> None:
    """The per-batch questions on fetch_state and article_urls (known, validators, documents, the
    rows `record` updates) probe the URL index per URL on PostgreSQL: the rows they read do not
    grow with the URLs the crawl has recorded (an IN list was planned as a sequential scan)."""

    db = Database(postgres_url)
    try:
        with db.sessions.begin() as s:
            FetchStateRepository(s).record(
                StateUpdate(f"https://a.example/news/{n}", "article", 200, outcome="not_article/short" if n % 2 else None)
                for n in range(5_000)
            )
        wanted = [f"https://a.example/news/{n}" for n in range(4_000, 4_100)]
        with db.sessions.begin() as s:
            repo = FetchStateRepository(s)
            reads = []
            for ask in (
                lambda: repo.known(wanted, recheck_after=timedelta(days=1)),
                lambda: repo.validators(wanted),
                lambda: repo.documents(wanted, "robots"),
                lambda: repo.record(StateUpdate(url, "article", 304) for url in wanted),
            ):
                before = rows_read(s, "fetch_state", "article_urls")  # in one transaction: see the note in test_neardup_index
                ask()
                reads.append(rows_read(s, "fetch_state", "article_urls") - before)
            assert len(repo.known(wanted)) == 50
        assert all(read <= 2 * len(wanted) for read in reads), f"rows read for {len(wanted)} URLs: {reads}"
    finally:
        db.close()


def test_fetch_state_lookups_of_many_urls_probe_even_a_small_analyzed_table(postgres_url: str) -> None:
    """A sitemap's worth of URLs asked about while the tables are small and analyzed (the planner
    then prefers a sequential scan to an index probe) reads about a row per URL, not the table
    once per URL (`storage.bulk.index_probes`)."""
    from sqlalchemy import text

    db = Database(postgres_url)
    try:
        save_all(db, [make(f"https://a.example/stored/{n}", f"{STORY} {n}") for n in range(3)])
        with db.sessions.begin() as s:
            FetchStateRepository(s).record(StateUpdate(f"https://a.example/news/{n}", "article", 200) for n in range(150))
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE fetch_state; ANALYZE article_urls")
        wanted = [f"https://a.example/news/{n}" for n in range(100, 600)]
        with db.sessions.begin() as s:
            before = rows_read(s, "fetch_state", "article_urls")
            FetchStateRepository(s).known(wanted)
            read = rows_read(s, "fetch_state", "article_urls") - before
            assert s.execute(text("SHOW enable_seqscan")).scalar_one() == "on"  # set back after the look-up
        assert read <= 2 * len(wanted), f"{read} rows read for {len(wanted)} URLs"
    finally:
        db.close()


def test_the_story_check_of_an_insert_stays_a_probe_when_stories_grows_after_its_plan_was_made(postgres_url: str) -> None:
    """The foreign-key check of a stored article's story, planned after an ANALYZE of a small
    `stories` and run again and again by one connection (PostgreSQL may keep a generic plan for
    it), still probes the primary key once the table is large (`storage.engine`, plan_cache_mode)."""
    from sqlalchemy.orm import Session

    db = Database(postgres_url)
    try:
        save_all(db, [make(f"https://a.example/first/{n}", f"{STORY} first {n}") for n in range(50)])
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE stories")
        with db.engine.connect() as connection:
            for n in range(15):  # one connection: the check is planned 5 times, then a generic plan may stay
                with Session(connection) as session:
                    Stories(session).save(make(f"https://a.example/next/{n}", f"{STORY} next {n}"))
                    session.commit()
            with db.engine.begin() as other:
                other.exec_driver_sql("INSERT INTO stories (created_at, updated_at) SELECT now(), now() FROM generate_series(1, 5000)")
            with Session(connection) as session:
                before = rows_read(session, "stories")
                Stories(session).save(make("https://a.example/last", f"{STORY} last"))
                read = rows_read(session, "stories") - before
                session.commit()
        assert read <= 5, f"{read} rows of stories read to store one article"
    finally:
        db.close()
