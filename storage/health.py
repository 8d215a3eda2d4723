"""Crawl-health figures for `newspipe report`: per source and day, how many articles were stored and
how many of them have a date, authors and a body, and how many of the source's article pages
failed; and the crawl runs of the period. Plain data, gathered with a few grouped queries;
what counts as trouble is decided above storage (`newspipe.health_stats`).

Days are UTC calendar days of `fetched_at` (when the crawler got the page: a crawl that breaks
shows on the day it broke, even when the broken pages have no publication date). Failed pages
are article URLs whose last fetch had an error status or was not stored (`fetch_state`),
given to a source by its domains.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, FetchState, Source

RUN_LIMIT = 5000  # newest runs shown; workers that start a run an hour fill 60 days with 1,440


@dataclass(slots=True)
class DayCounts:
    articles: int = 0
    dated: int = 0
    with_authors: int = 0
    with_body: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: int
    spider: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages: int
    new: int
    errors: int

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


@dataclass(slots=True)
class Health:
    days: list[date]  # oldest first
    sources: dict[str, list[DayCounts]]  # every stored source, one entry per day
    runs: list[RunRecord]  # oldest first
    newest_fetch: datetime | None

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]


def _utc_day(column: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite keeps the UTC wall time as text


def _has_authors(dialect: str) -> ColumnElement[Any]:
    length = func.jsonb_array_length if dialect == "postgresql" else func.json_array_length
    return case((length(Article.authors) > 0, 1), else_=0)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def source_days(session: Session, first: date, last: date, *, min_body_words: int) -> dict[str, dict[date, DayCounts]]:
    """{source: {day: counts}} for the days with stored articles or failed pages (other days are absent)."""
    dialect = session.get_bind().dialect.name
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc)
    day = _utc_day(Article.fetched_at, dialect)
    stmt = (
        select(
            Source.name,
            day,
            func.count(),
            func.count(Article.published_at),
            func.sum(_has_authors(dialect)),
            func.sum(case((Article.word_count >= min_body_words, 1), else_=0)),
        )
        .join(Source, Article.source_id == Source.id)
        .where(Article.fetched_at >= start, Article.fetched_at < end)
        .group_by(Source.name, day)
    )
    result: dict[str, dict[date, DayCounts]] = {}
    for name, when, articles, dated, authors, body in session.execute(stmt):
        result.setdefault(name, {})[_as_date(when)] = DayCounts(int(articles), int(dated), int(authors or 0), int(body or 0))
    domains = {name: [d.lower() for d in ds or ()] for name, ds in session.execute(select(Source.name, Source.domains))}
    failed_day = _utc_day(FetchState.checked_at, dialect)
    failures = session.execute(
        select(FetchState.url, failed_day)
        .where(FetchState.kind == "article", FetchState.checked_at >= start, FetchState.checked_at < end)
        .where(or_(FetchState.outcome.is_not(None), FetchState.last_status >= 400))
        .execution_options(yield_per=5000)
    )
    owner = _owner(domains)
    for url, when in failures:
        name = owner(url)
        if name is not None:
            counts = result.setdefault(name, {}).setdefault(_as_date(when), DayCounts())
            counts.failed += 1
    return result


def _owner(domains: dict[str, Sequence[str]]) -> Any:
    """url -> the source whose domains hold its host (the longest matching domain wins), or None."""
    by_domain = {domain: name for name, ds in domains.items() for domain in ds}
    cache: dict[str, str | None] = {}

    def owner(url: str) -> str | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host not in cache:
            labels = host.split(".")
            found = by_domain.get(parts.netloc.lower())
            for i in range(len(labels)):
                if found is not None:
                    break
                found = by_domain.get(".".join(labels[i:]))
            cache[host] = found
        return cache[host]

    return owner


def runs_between(session: Session, first: date, last: date, limit: int = RUN_LIMIT) -> list[RunRecord]:
    """The crawl runs started in the period (the newest `limit`), oldest first."""
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc)
    rows = session.scalars(
        select(CrawlRun).where(CrawlRun.started_at >= start, CrawlRun.started_at < end).order_by(CrawlRun.started_at.desc()).limit(limit)
    ).all()
    return [_record(run) for run in reversed(rows)]


def _record(run: CrawlRun) -> RunRecord:
    counts: dict[str, Any] = dict(run.counts or {})
    return RunRecord(
        run_id=run.id,
        spider=run.spider,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        pages=int(counts.get("pages_fetched", 0)) or int(counts.get("warc_records", 0)),
        new=int(counts.get("articles_new", 0)),
        errors=run.error_count,
    )


def collect(session: Session, *, days: int, min_body_words: int, last_day: date | None = None) -> Health:
    """The figures for the report: at most `days` days up to `last_day` (default: the day of the
    newest stored fetch or run, so an old archive still shows its own period), starting no
    earlier than the oldest stored fetch."""
    newest, oldest = session.execute(select(func.max(Article.fetched_at), func.min(Article.fetched_at))).one()
    newest_run = session.scalar(select(func.max(CrawlRun.started_at)))
    if last_day is None:
        latest = [t.astimezone(timezone.utc).date() for t in (newest, newest_run) if t is not None]
        last_day = max(latest) if latest else datetime.now(timezone.utc).date()
    first_day = last_day - timedelta(days=days - 1)
    if oldest is not None:
        first_day = min(max(first_day, oldest.astimezone(timezone.utc).date()), last_day)
    period = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    found = source_days(session, first_day, last_day, min_body_words=min_body_words)
    names: Iterable[str] = sorted(set(session.scalars(select(Source.name))) | set(found))
    sources = {name: [found.get(name, {}).get(day) or DayCounts() for day in period] for name in names}
    return Health(days=period, sources=sources, runs=runs_between(session, first_day, last_day), newest_fetch=newest)
