"""A small repository over the models: what the pipelines and the CLI ask of the database.

Functions take a `Session` whose lifetime the caller owns (`with db.sessions.begin() as s:`
per batch), so a batch of articles is one transaction. Writing never commits on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import Date, cast, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import Article, ArticleUrl, CrawlRun, DuplicateLink, Source

Outcome = Literal["new", "duplicate", "existing"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True)
class NewArticle:
    """An extracted article ready to store, in plain values (storage knows nothing of Scrapy)."""

    source: str
    url: str
    canonical_url: str
    headline: str
    body: str
    content_hash: str
    fetched_at: datetime
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    language: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    word_count: int = 0
    syndicated_from: str | None = None
    alias_urls: list[str] = field(default_factory=list)
    source_domains: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SaveResult:
    outcome: Outcome
    article_id: int
    duplicate_of: int | None = None
    relinked: int = 0  # earlier rows found, through this article, to be copies of it


class ArticleRepository:
    """Reads and writes inside a session owned by the caller."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._source_ids: dict[str, int] = {}

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

    # Lookups ---------------------------------------------------------------
    def article_id_for_urls(self, urls: Iterable[str]) -> int | None:
        urls = [u for u in dict.fromkeys(urls) if u]
        if not urls:
            return None
        return self.session.scalar(select(ArticleUrl.article_id).where(ArticleUrl.url.in_(urls)).limit(1))

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        urls = list(dict.fromkeys(u for u in urls if u))
        if not urls:
            return set()
        return set(self.session.scalars(select(ArticleUrl.url).where(ArticleUrl.url.in_(urls))))

    def original_of(self, article_id: int) -> int:
        original = self.session.scalar(select(DuplicateLink.original_id).where(DuplicateLink.duplicate_id == article_id))
        return original if original is not None else article_id

    def _story_original_by_hash(self, content_hash: str) -> Article | None:
        first = self.session.scalar(select(Article).where(Article.content_hash == content_hash).order_by(Article.id).limit(1))
        if first is None:
            return None
        return self.session.get(Article, self.original_of(first.id))

    # Writes ----------------------------------------------------------------
    def save(self, item: NewArticle, run_id: int | None = None) -> SaveResult:
        """Store one article, or record what it is: a URL already stored, or a copy of a stored story."""
        urls = [item.canonical_url, item.url, *item.alias_urls]
        existing = self.article_id_for_urls(urls)
        if existing is not None:
            self._add_urls(existing, urls[1:], kind="alias")
            return SaveResult("existing", existing, self._duplicate_of(existing))

        evidence_target = self.article_id_for_urls([item.syndicated_from]) if item.syndicated_from else None
        original = self.session.get(Article, self.original_of(evidence_target)) if evidence_target else None
        method = "syndication" if original is not None else None
        if original is None:
            original = self._story_original_by_hash(item.content_hash)
            method = "content_hash" if original is not None else None

        article = self._insert(item, run_id)
        if original is None:
            return SaveResult("new", article.id, relinked=self._adopt_copies_pointing_at(article))
        if method == "content_hash" and self._should_lead(article, original):
            self._relink(original.id, article.id)
            self._link(original.id, article.id, method)
            return SaveResult("new", article.id, relinked=1)
        self._link(article.id, original.id, method or "content_hash")
        return SaveResult("duplicate", article.id, original.id)

    def _should_lead(self, candidate: Article, original: Article) -> bool:
        """Whether a newly seen copy is the story's real original: the old one says it copied it,
        or (with no such evidence either way) it was published earlier."""
        cand_urls = {u.url for u in candidate.urls}
        if original.syndicated_from and original.syndicated_from in cand_urls:
            return True
        if candidate.syndicated_from:
            return False
        if candidate.published_at and original.published_at:
            return candidate.published_at < original.published_at
        return False

    def _adopt_copies_pointing_at(self, article: Article) -> int:
        """Copies stored before their original (they name it in a "Source link") join its story now."""
        urls = [u.url for u in article.urls]
        copies = self.session.scalars(
            select(Article).where(Article.syndicated_from.in_(urls), Article.id != article.id)
        ).all()
        for copy in copies:
            old_original = self.original_of(copy.id)
            leader = copy.id if old_original == copy.id else old_original
            self._relink(leader, article.id)
            if leader != article.id:
                self._link(leader, article.id, "syndication")
        return len(copies)

    def _relink(self, old_original: int, new_original: int) -> None:
        self.session.execute(
            update(DuplicateLink).where(DuplicateLink.original_id == old_original).values(original_id=new_original)
        )
        self.session.flush()

    def _link(self, duplicate_id: int, original_id: int, method: str) -> None:
        existing = self.session.scalar(select(DuplicateLink).where(DuplicateLink.duplicate_id == duplicate_id))
        if existing is not None:
            existing.original_id, existing.method = original_id, method
        else:
            self.session.add(DuplicateLink(duplicate_id=duplicate_id, original_id=original_id, method=method, created_at=utcnow()))
        self.session.flush()

    def _duplicate_of(self, article_id: int) -> int | None:
        original = self.original_of(article_id)
        return None if original == article_id else original

    def _insert(self, item: NewArticle, run_id: int | None) -> Article:
        published_offset = None
        if item.published_at is not None and item.published_at.utcoffset() is not None:
            published_offset = int(item.published_at.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        article = Article(
            source_id=self.source_id(item.source, item.source_domains),
            run_id=run_id,
            url=item.url,
            canonical_url=item.canonical_url,
            headline=item.headline,
            body=item.body,
            content_hash=item.content_hash,
            published_at=item.published_at,
            published_offset_minutes=published_offset,
            modified_at=item.modified_at,
            date_source=item.date_source,
            authors=list(item.authors),
            description=item.description,
            language=item.language,
            site_name=item.site_name,
            section=item.section,
            tags=list(item.tags),
            image_url=item.image_url,
            word_count=item.word_count,
            syndicated_from=item.syndicated_from,
            fetched_at=item.fetched_at,
            created_at=utcnow(),
        )
        self.session.add(article)
        self.session.flush()
        self._add_urls(article.id, [item.canonical_url], kind="canonical")
        self._add_urls(article.id, [item.url, *item.alias_urls], kind="fetched")
        return article

    def _add_urls(self, article_id: int, urls: Iterable[str], kind: str) -> None:
        wanted = [u for u in dict.fromkeys(urls) if u]
        known = self.known_urls(wanted)
        now = utcnow()
        for url in wanted:
            if url not in known:
                self.session.add(ArticleUrl(article_id=article_id, url=url, kind=kind, first_seen_at=now))
        self.session.flush()

    # Crawl runs ------------------------------------------------------------
    def start_run(self, spider: str, arguments: dict[str, Any]) -> int:
        run = CrawlRun(spider=spider, status="running", started_at=utcnow(), arguments=arguments, counts={}, error_count=0)
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
        self, *, since: datetime | None = None, sources: Sequence[str] = (), batch_size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """One dict per stored article, oldest first, streamed in batches."""
        original = aliased(DuplicateLink)
        stmt = (
            select(Article, Source.name, original.original_id)
            .join(Source, Article.source_id == Source.id)
            .outerjoin(original, original.duplicate_id == Article.id)
            .order_by(Article.id)
        )
        if since is not None:
            stmt = stmt.where(or_(Article.published_at >= since, (Article.published_at.is_(None)) & (Article.fetched_at >= since)))
        if sources:
            stmt = stmt.where(Source.name.in_(list(sources)))
        canonical_by_id: dict[int, str] = {}
        for article, source_name, original_id in self.session.execute(stmt.execution_options(yield_per=batch_size)):
            duplicate_of = None
            if original_id is not None:
                duplicate_of = canonical_by_id.get(original_id) or self.session.scalar(
                    select(Article.canonical_url).where(Article.id == original_id)
                )
            canonical_by_id[article.id] = article.canonical_url
            yield export_record(article, source_name, duplicate_of)

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
        by_method = self.session.execute(select(DuplicateLink.method, func.count()).group_by(DuplicateLink.method)).all()
        return {
            "articles": sum(n for _, n in totals),
            "duplicates": duplicates,
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
