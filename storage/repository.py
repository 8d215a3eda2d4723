"""The articles repository: what the story rules, the pipelines and the CLI ask of the database.

Functions take a `Session` whose lifetime the caller owns (`with db.sessions.begin() as s:`
per batch), so a batch of articles is one transaction. Writing never commits on its own.

Data access only: look-ups (URLs, content hashes, a story's original), the writes a story
decision needs (insert an article in its own story or another's, link a copy to its original,
move a story under a new original, a new version of a stored URL), bulk inserts of plain new
articles and plain copies (`insert_many`), crawl runs, export and stats. Which article is a copy
of which, and which leads a story, is decided above, in `dedup.stories`. The duplicate policy is
how a copy is kept: in full ("keep") or as its URLs and metadata ("link").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import Date, bindparam, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from articles import ArticleRecord
from storage.bulk import BulkInsert, allocate_ids, chunks
from storage.models import Article, ArticleUrl, ArticleVersion, CrawlRun, DuplicateLink, Source, Story

# new: a new story; duplicate: a copy of a stored story; existing: a stored URL, unchanged;
# updated: a stored URL whose content changed (a new version).
Outcome = Literal["new", "duplicate", "existing", "updated"]
DUPLICATE_POLICIES = ("keep", "link")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Fields of the article record the articles table does not keep, each with the reason (none today:
# every field has its column). tests/test_article_model.py fails on a field that is neither stored
# nor named here, so the model and the table cannot drift apart unnoticed.
RECORD_FIELDS_NOT_STORED: dict[str, str] = {}


@dataclass(slots=True)
class NewArticle:
    """An extracted article ready to store: the record extraction gave (as the pipelines settled it:
    its canonical URL and syndication evidence) and, next to it, what only storage needs. Plain
    values: storage knows nothing of Scrapy."""

    record: ArticleRecord
    source: str
    content_hash: str
    fetched_at: datetime
    # The URL as requested, when it is not the one the page was read at (a redirect): the row's
    # `url`; the record's own goes among `alias_urls`. None: the record's.
    requested_url: str | None = None
    alias_urls: list[str] = field(default_factory=list)
    source_domains: list[str] = field(default_factory=list)
    minhash: bytes | None = None  # `dedup.signatures.signature_bytes(body)`
    archive_file: str | None = None  # set when imported from a WARC/ARC file
    archive_offset: int | None = None

    @property
    def url(self) -> str:
        """The URL as fetched (the row's `url`)."""
        return self.requested_url or self.record.url

    @property
    def canonical_url(self) -> str:
        return self.record.canonical_url


@dataclass(frozen=True, slots=True)
class SaveResult:
    outcome: Outcome
    article_id: int
    duplicate_of: int | None = None
    relinked: int = 0  # earlier rows found, through this article, to be copies of it
    story_id: int | None = None
    method: str | None = None  # how a duplicate was recognised: syndication, content_hash, minhash
    score: float | None = None


@dataclass(frozen=True, slots=True)
class ExportCursor:
    """A point in the stored data for incremental exports, written as `a<article id>.v<version id>`.

    A new article raises the article id; a new version of a stored article archives the old
    one in `article_versions`, which raises the version id: both are seen after the cursor.
    """

    article_id: int
    version_id: int

    def __str__(self) -> str:
        return f"a{self.article_id}.v{self.version_id}"

    @classmethod
    def parse(cls, text: str) -> ExportCursor:
        match = re.fullmatch(r"a(\d+)\.v(\d+)", text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not an export cursor (like a1024.v17)")
        return cls(int(match.group(1)), int(match.group(2)))


class ArticleRepository:
    """Reads and writes inside a session owned by the caller.

    `duplicate_policy` is "keep" (copies stored in full) or "link"; `source_ids` are source ids
    by name known to be stored (`source_ids` gives them back).
    """

    def __init__(
        self,
        session: Session,
        *,
        duplicate_policy: str = "keep",
        source_ids: dict[str, int] | None = None,
    ) -> None:
        if duplicate_policy not in DUPLICATE_POLICIES:
            raise ValueError(f"duplicate policy must be one of {', '.join(DUPLICATE_POLICIES)}, got {duplicate_policy!r}")
        self.session = session
        self.duplicate_policy = duplicate_policy
        # Source ids already known (a writer passes those of earlier, committed batches); the
        # ones this repository looks up or creates are added here.
        self._source_ids: dict[str, int] = dict(source_ids or {})

    # Sources ---------------------------------------------------------------
    def source_id(self, name: str, domains: Sequence[str] = ()) -> int:
        if name in self._source_ids:
            return self._source_ids[name]
        source = self.session.scalar(select(Source).where(Source.name == name))
        if source is None:
            source = Source(name=name, domains=list(domains), created_at=utcnow())
            self.session.add(source)
            self.session.flush()
        elif domains and sorted(source.domains) != sorted(domains):
            source.domains = sorted(set(source.domains) | set(domains))
        self._source_ids[name] = source.id
        return source.id

    @property
    def source_ids(self) -> dict[str, int]:
        return dict(self._source_ids)

    # Lookups ---------------------------------------------------------------
    def article_id_for_urls(self, urls: Iterable[str]) -> int | None:
        urls = [u for u in dict.fromkeys(urls) if u]
        if not urls:
            return None
        return self.session.scalar(select(ArticleUrl.article_id).where(ArticleUrl.url.in_(urls)).limit(1))

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of `urls` are stored (any kind: canonical, as fetched, alias)."""
        urls = list(dict.fromkeys(u for u in urls if u))
        found: set[str] = set()
        for chunk in chunks(urls, _CHUNK):
            found.update(self.session.scalars(_KNOWN_URLS, {"urls": chunk}))
        return found

    def original_of(self, article_id: int) -> int:
        original = self.session.scalar(select(DuplicateLink.original_id).where(DuplicateLink.duplicate_id == article_id))
        return original if original is not None else article_id

    def copies_naming(self, urls: Sequence[str], article_id: int) -> list[int]:
        """Stored articles other than `article_id` whose syndication evidence names one of `urls`."""
        return list(
            self.session.scalars(select(Article.id).where(Article.syndicated_from.in_(list(urls)), Article.id != article_id))
        )

    def story_original_by_hash(self, content_hash: str) -> Article | None:
        first = self.session.scalar(select(Article.id).where(Article.content_hash == content_hash).order_by(Article.id).limit(1))
        if first is None:
            return None
        return self.session.get(Article, self.original_of(first))

    # Writes ----------------------------------------------------------------
    def prefetch_sources(self, items: Sequence[NewArticle]) -> None:
        """Source ids for the batch in one query (a source whose domains need updating is left to `source_id`)."""
        wanted: dict[str, list[str]] = {}
        for item in items:
            if item.source not in self._source_ids:
                wanted.setdefault(item.source, item.source_domains)  # the first item's domains, as `source_id`
        if not wanted:
            return
        for source_id, name, domains in self.session.execute(
            select(Source.id, Source.name, Source.domains).where(Source.name.in_(list(wanted)))
        ):
            if not wanted[name] or sorted(domains) == sorted(wanted[name]):
                self._source_ids[name] = source_id

    def originals_by_hash(self, hashes: set[str]) -> dict[str, Article]:
        """For each content hash, the original of the story of its first stored article (as `story_original_by_hash`)."""
        first: dict[str, int] = {}
        for chunk in chunks(sorted(hashes), _CHUNK):
            rows = self.session.execute(
                select(Article.content_hash, func.min(Article.id)).where(Article.content_hash.in_(chunk)).group_by(Article.content_hash)
            )
            first.update((content_hash, article_id) for content_hash, article_id in rows)
        leader = {a: a for a in first.values()}
        for chunk in chunks(sorted(leader), _CHUNK):
            rows = self.session.execute(
                select(DuplicateLink.duplicate_id, DuplicateLink.original_id).where(DuplicateLink.duplicate_id.in_(chunk))
            )
            leader.update((duplicate, original) for duplicate, original in rows)
        articles: dict[int, Article] = {}
        for chunk in chunks(sorted(set(leader.values())), _CHUNK):
            articles.update((a.id, a) for a in self.session.scalars(select(Article).where(Article.id.in_(chunk))))
        return {h: articles[leader[a]] for h, a in first.items() if leader[a] in articles}

    def insert_many(self, planned: Sequence[tuple[NewArticle, Article | int | None]], run_id: int | None) -> list[SaveResult]:
        """Insert articles known to be plainly new (each in a story of its own) or plain copies of a
        story's original (into that story, linked to it): a stored article, or (an int) the new
        article at that position of `planned`. A handful of statements in all."""
        now = utcnow()
        # Rows straight to the driver (`storage.bulk`) with ids taken up front, not the ORM's unit
        # of work: nothing here needs to live in the session. Ids ascend in batch order, as one by one.
        fresh = sum(1 for _, original in planned if original is None)
        new_story_ids, article_ids = allocate_ids(self.session.connection(), [("stories", fresh), ("articles", len(planned))])
        story_ids = iter(new_story_ids)
        rows, new_stories, links, url_rows, results = [], [], [], [], []
        as_link = self.duplicate_policy == "link"
        for (item, original), article in zip(planned, article_ids):
            row = self._article_values(item, run_id, now)
            if original is None:
                story = next(story_ids)
                new_stories.append((story, article, now, now))
                results.append(SaveResult("new", article, story_id=story))
            else:
                if isinstance(original, int):
                    original_id, story = article_ids[original], results[original].story_id
                else:
                    original_id, story = original.id, original.story_id
                links.append((article, original_id, "content_hash", 1.0, now))
                if as_link:  # a copy is kept as its URLs and metadata: the original holds the text
                    row.update(body="", stored_as="link")
                results.append(SaveResult("duplicate", article, original_id, story_id=story, method="content_hash", score=1.0))
            row.update(id=article, story_id=story)
            rows.append(tuple(row[c] for c in _ARTICLE_COLUMNS))
            url_rows.extend((article, url, kind, now) for url, kind in _url_kinds(item))
        bulk = BulkInsert(self.session.connection())
        # A story names its original before that article's row exists: the checks wait for the end
        # of the statement (PostgreSQL) or of the transaction (SQLite).
        bulk.add(Story.__table__, ("id", "original_article_id", "created_at", "updated_at"), new_stories)
        bulk.add(Article.__table__, _ARTICLE_COLUMNS, rows)
        bulk.add(DuplicateLink.__table__, ("duplicate_id", "original_id", "method", "score", "created_at"), links)
        bulk.add(ArticleUrl.__table__, ("article_id", "url", "kind", "first_seen_at"), url_rows, ignore_conflict_on="url")
        bulk.execute()
        return results

    def revise(self, article_id: int, item: NewArticle) -> SaveResult:
        """A stored URL fetched again: a new version when its content changed, else nothing."""
        article = self.session.get(Article, article_id)
        assert article is not None
        duplicate_of = self._duplicate_of(article_id)
        record = item.record
        unchanged = article.content_hash == item.content_hash and article.headline == record.headline
        # An older capture (an archive imported after a live crawl) never replaces a newer one.
        if unchanged or item.fetched_at <= article.fetched_at:
            return SaveResult("existing", article_id, duplicate_of, story_id=article.story_id)
        now = utcnow()
        self.session.add(
            ArticleVersion(
                article_id=article.id, version=article.version, headline=article.headline, body=article.body,
                content_hash=article.content_hash, modified_at=article.modified_at, fetched_at=article.fetched_at,
                superseded_at=now,
            )
        )  # fmt: skip
        article.version += 1
        article.headline = record.headline
        article.content_hash = item.content_hash
        article.modified_at = record.modified_at or article.modified_at
        article.fetched_at = item.fetched_at
        article.word_count = record.word_count
        article.is_article_confidence = record.is_article_confidence
        article.description = record.description or article.description
        article.authors = list(record.authors) or list(article.authors or [])
        article.tags = list(record.tags) or list(article.tags or [])
        article.image_url = record.image_url or article.image_url
        article.minhash = item.minhash
        if article.stored_as != "link":
            article.body = record.body
        self.session.flush()
        return SaveResult("updated", article_id, duplicate_of, story_id=article.story_id)

    # Stories ----------------------------------------------------------------
    def merge_stories(self, article_id: int, into_id: int, method: str) -> bool:
        """`article_id`'s story joins `into_id`'s, whose original leads; the other story's original
        is linked to it as a copy (`method`). False when they are one story already."""
        leader, other = self.original_of(into_id), self.original_of(article_id)
        if leader == other:
            return False
        self.relink(other, leader)
        self.link(other, leader, method)
        return True

    def join_story(self, article: Article, story_id: int) -> None:
        """Move a just-inserted article from its own new story into `story_id`."""
        own = article.story_id
        if own == story_id:
            return
        article.story_id = story_id
        self.session.flush()
        self.session.execute(delete(Story).where(Story.id == own))
        self.session.flush()

    def relink(self, old_original: int, new_original: int) -> None:
        """Everything copying `old_original` (and its story) now belongs to `new_original`'s story."""
        self.session.execute(
            update(DuplicateLink).where(DuplicateLink.original_id == old_original).values(original_id=new_original)
        )
        old_story = self.session.scalar(select(Article.story_id).where(Article.id == old_original))
        new_story = self.session.scalar(select(Article.story_id).where(Article.id == new_original))
        if old_story is not None and new_story is not None and old_story != new_story:
            self.session.execute(update(Article).where(Article.story_id == old_story).values(story_id=new_story))
            self.session.execute(delete(Story).where(Story.id == old_story))
        if new_story is not None:
            self.session.execute(
                update(Story).where(Story.id == new_story).values(original_article_id=new_original, updated_at=utcnow())
            )
        self.session.flush()

    def link(self, duplicate_id: int, original_id: int, method: str, score: float = 1.0) -> None:
        existing = self.session.scalar(select(DuplicateLink).where(DuplicateLink.duplicate_id == duplicate_id))
        if existing is not None:
            existing.original_id, existing.method, existing.score = original_id, method, score
        else:
            self.session.add(
                DuplicateLink(duplicate_id=duplicate_id, original_id=original_id, method=method, score=score, created_at=utcnow())
            )
        if self.duplicate_policy == "link":
            # A copy is kept as its URLs and metadata: the original holds the text.
            self.session.execute(update(Article).where(Article.id == duplicate_id).values(body="", stored_as="link"))
        self.session.flush()

    def _duplicate_of(self, article_id: int) -> int | None:
        original = self.original_of(article_id)
        return None if original == article_id else original

    def _article_values(self, item: NewArticle, run_id: int | None, created_at: datetime) -> dict[str, Any]:
        """The articles row for a new article (its story is set by the caller): the record's fields
        by name (see RECORD_FIELDS_NOT_STORED), then what storage adds."""
        record = item.record
        published_offset = None
        if record.published_at is not None and record.published_at.utcoffset() is not None:
            published_offset = int(record.published_at.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        return dict(
            url=item.url,  # as requested (the record's own, after a redirect, is an alias)
            canonical_url=record.canonical_url,
            headline=record.headline,
            body=record.body,
            published_at=record.published_at,
            published_offset_minutes=published_offset,
            modified_at=record.modified_at,
            date_source=record.date_source,
            published_precision=record.published_precision,
            is_article_confidence=record.is_article_confidence,
            authors=list(record.authors),
            description=record.description,
            language=record.language,
            site_name=record.site_name,
            section=record.section,
            tags=list(record.tags),
            image_url=record.image_url,
            word_count=record.word_count,
            syndicated_from=record.syndicated_from,
            source_id=self.source_id(item.source, item.source_domains),
            run_id=run_id,
            content_hash=item.content_hash,
            fetched_at=item.fetched_at,
            created_at=created_at,
            minhash=item.minhash,
            archive_file=item.archive_file,
            archive_offset=item.archive_offset,
            version=1,
            stored_as="full",
        )

    def insert(self, item: NewArticle, run_id: int | None, *, story_id: int | None = None) -> Article:
        """Insert an article none of whose URLs is stored yet (the caller checked): into `story_id`,
        or into a new story of its own (`join_story` moves it when it turns out to lead another)."""
        now = utcnow()
        article = Article(**self._article_values(item, run_id, now))
        story = None
        if story_id is None:
            story = Story(original_article_id=None, created_at=now, updated_at=now)
            self.session.add(story)
            self.session.flush()
            story_id = story.id
        article.story_id = story_id
        self.session.add(article)
        self.session.flush()
        if story is not None:
            story.original_article_id = article.id
        # No look-up needed: none of these URLs is stored, and `_url_kinds` leaves out repeats.
        self.session.add_all(
            ArticleUrl(article_id=article.id, url=url, kind=kind, first_seen_at=now) for url, kind in _url_kinds(item)
        )
        self.session.flush()
        return article

    def add_urls(self, article_id: int, urls: Iterable[str], kind: str) -> None:
        wanted = [u for u in dict.fromkeys(urls) if u]
        known = self.known_urls(wanted)
        now = utcnow()
        for url in wanted:
            if url not in known:
                self.session.add(ArticleUrl(article_id=article_id, url=url, kind=kind, first_seen_at=now))
        self.session.flush()

    # Crawl runs ------------------------------------------------------------
    def start_run(self, spider: str, arguments: dict[str, Any], *, lock_token: str | None = None) -> int:
        run = CrawlRun(
            spider=spider, status="running", started_at=utcnow(), arguments=arguments, counts={}, error_count=0, lock_token=lock_token
        )
        self.session.add(run)
        self.session.flush()
        return run.id

    def finish_run(self, run_id: int, *, status: str, reason: str, counts: dict[str, Any], error_count: int) -> None:
        run = self.session.get(CrawlRun, run_id)
        if run is None:
            raise LookupError(f"no crawl run {run_id}")
        run.status, run.finish_reason, run.counts, run.error_count = status, reason, counts, error_count
        run.finished_at = utcnow()

    def recent_runs(self, limit: int = 10) -> list[CrawlRun]:
        return list(self.session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)))

    # Reading for export and stats -------------------------------------------
    def iter_export(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        sources: Sequence[str] = (),
        batch_size: int = 500,
        all_versions: bool = False,
        unique_stories: bool = False,
        after: ExportCursor | None = None,
        upto: ExportCursor | None = None,
    ) -> Iterator[dict[str, Any]]:
        """One dict per stored article (its latest version), oldest first, streamed in batches.

        `since`/`until` bound the publication time, inclusive (undated articles: the fetch time).

        `all_versions` adds each article's earlier versions right before its latest one;
        `unique_stories` gives only each story's original. `after`/`upto` (see `export_cursor`)
        give only what changed between two cursors: new articles and new versions.
        """
        original = aliased(DuplicateLink)
        stmt = (
            select(Article, Source.name, original.original_id)
            .join(Source, Article.source_id == Source.id)
            .outerjoin(original, original.duplicate_id == Article.id)
            .order_by(Article.id)
        )
        if since is not None:
            stmt = stmt.where(or_(Article.published_at >= since, (Article.published_at.is_(None)) & (Article.fetched_at >= since)))
        if until is not None:
            stmt = stmt.where(or_(Article.published_at <= until, (Article.published_at.is_(None)) & (Article.fetched_at <= until)))
        if sources:
            stmt = stmt.where(Source.name.in_(list(sources)))
        if unique_stories:
            stmt = stmt.join(Story, Story.original_article_id == Article.id)
        if upto is not None:
            stmt = stmt.where(Article.id <= upto.article_id)
        if after is not None:
            revised = select(ArticleVersion.article_id).where(ArticleVersion.id > after.version_id)
            if upto is not None:
                revised = revised.where(ArticleVersion.id <= upto.version_id)
            stmt = stmt.where(or_(Article.id > after.article_id, Article.id.in_(revised)))
        canonical_by_id: dict[int, str] = {}
        for article, source_name, original_id in self.session.execute(stmt.execution_options(yield_per=batch_size)):
            duplicate_of = None
            if original_id is not None:
                duplicate_of = canonical_by_id.get(original_id) or self.session.scalar(
                    select(Article.canonical_url).where(Article.id == original_id)
                )
            canonical_by_id[article.id] = article.canonical_url
            record = export_record(article, source_name, duplicate_of)
            if all_versions and article.version > 1:
                versions = self.session.scalars(
                    select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.version)
                )
                for old in versions:
                    yield {
                        **record, "headline": old.headline, "body": old.body, "modified_at": _iso(old.modified_at),
                        "fetched_at": _iso(old.fetched_at), "version": old.version, "latest": False,
                    }  # fmt: skip
            yield record

    def export_cursor(self) -> ExportCursor:
        """Where the stored data stands now: the newest article and the newest superseded version."""
        return ExportCursor(
            self.session.scalar(select(func.max(Article.id))) or 0,
            self.session.scalar(select(func.max(ArticleVersion.id))) or 0,
        )

    def versions(self, article_id: int) -> list[ArticleVersion]:
        """The earlier versions of an article, oldest first (the article row is the latest)."""
        return list(
            self.session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.version))
        )

    def stats(self, *, days: int = 14) -> dict[str, Any]:
        day = cast(Article.published_at, Date) if self.session.bind.dialect.name == "postgresql" else func.date(Article.published_at)
        per_source_day = self.session.execute(
            select(Source.name, day.label("day"), func.count(Article.id))
            .join(Source, Article.source_id == Source.id)
            .group_by(Source.name, "day")
            .order_by(Source.name, "day")
        ).all()
        totals = self.session.execute(
            select(Source.name, func.count(Article.id)).join(Source, Article.source_id == Source.id).group_by(Source.name).order_by(Source.name)
        ).all()
        duplicates = self.session.scalar(select(func.count(DuplicateLink.id))) or 0
        stories = self.session.scalar(select(func.count(Story.id))) or 0
        revised = self.session.scalar(select(func.count(Article.id)).where(Article.version > 1)) or 0
        by_method = self.session.execute(select(DuplicateLink.method, func.count()).group_by(DuplicateLink.method)).all()
        return {
            "articles": sum(n for _, n in totals),
            "duplicates": duplicates,
            "stories": stories,
            "articles_revised": revised,
            "duplicates_by_method": {m: n for m, n in by_method},
            "by_source": {name: n for name, n in totals},
            "by_source_day": [
                {"source": name, "day": str(d) if d is not None else None, "articles": n} for name, d, n in per_source_day
            ],
            "runs": [run_record(r) for r in self.recent_runs()],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_record(article: Article, source_name: str, duplicate_of: str | None) -> dict[str, Any]:
    """The stable export schema: one flat record per article."""
    return {
        "id": article.id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": source_name,
        "headline": article.headline,
        "published_at": _iso(article.published_at_local()),
        "modified_at": _iso(article.modified_at),
        "date_source": article.date_source,
        "published_precision": article.published_precision,
        "is_article_confidence": article.is_article_confidence,
        "authors": list(article.authors or []),
        "body": article.body,
        "description": article.description,
        "language": article.language,
        "site_name": article.site_name,
        "section": article.section,
        "tags": list(article.tags or []),
        "image_url": article.image_url,
        "word_count": article.word_count,
        "fetched_at": _iso(article.fetched_at),
        "duplicate_of": duplicate_of,
        "story_id": article.story_id,
        "version": article.version,
        "latest": True,
        "stored_as": article.stored_as,
    }


def run_record(run: CrawlRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "spider": run.spider,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "finish_reason": run.finish_reason,
        "error_count": run.error_count,
        "counts": dict(run.counts or {}),
        "arguments": dict(run.arguments or {}),
    }


# The articles columns `insert_many` writes: `_article_values` plus id and story.
_ARTICLE_COLUMNS = (
    "id", "source_id", "run_id", "url", "canonical_url", "headline", "body", "content_hash", "published_at",
    "published_offset_minutes", "modified_at", "date_source", "authors", "description", "language", "site_name",
    "section", "tags", "image_url", "word_count", "syndicated_from", "fetched_at", "created_at", "minhash",
    "archive_file", "archive_offset", "version", "stored_as", "story_id", "published_precision",
    "is_article_confidence",
)  # fmt: skip
_CHUNK = 500  # values per IN (...): well under SQLite's and PostgreSQL's parameter limits
# One statement for any number of URLs: an expanding parameter keeps it in SQLAlchemy's
# compiled cache, where `in_(list)` built per call costs more than the query (hot in imports).
_KNOWN_URLS = select(ArticleUrl.url).where(ArticleUrl.url.in_(bindparam("urls", expanding=True)))


def item_urls(item: NewArticle) -> list[str]:
    """The URLs an article is known by: canonical, as fetched, aliases (no blanks, no repeats)."""
    return [u for u in dict.fromkeys([item.canonical_url, item.url, *item.alias_urls]) if u]


def _url_kinds(item: NewArticle) -> list[tuple[str, str]]:
    """The article_urls rows a new article gets, as `insert` writes them."""
    rows = [(item.canonical_url, "canonical")] if item.canonical_url else []
    rows += [(u, "fetched") for u in dict.fromkeys([item.url, *item.alias_urls]) if u and u != item.canonical_url]
    return rows
