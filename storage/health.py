"""Crawl-health figures for `newspipe report`: volume per source and day, field completeness
per source (the early warning when a redesign breaks extraction), and error and duplicate
rates per run. Plain data; rendering is elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.coverage import coverage_by_day
from storage.models import Article, CrawlRun, Source


@dataclass(slots=True)
class Completeness:
    source: str
    articles: int = 0
    with_date: int = 0
    with_authors: int = 0
    with_language: int = 0
    word_counts: list[int] = field(default_factory=list, repr=False)

    def share(self, count: int) -> float:
        return count / self.articles if self.articles else 0.0

    @property
    def median_words(self) -> float:
        return float(median(self.word_counts)) if self.word_counts else 0.0


@dataclass(slots=True)
class RunHealth:
    run_id: int
    spider: str
    started_at: str
    status: str
    pages: int
    error_rate: float
    duplicate_rate: float


@dataclass(slots=True)
class Health:
    first_day: date
    last_day: date
    per_day: dict[date, dict[str, int]]
    completeness: list[Completeness]
    runs: list[RunHealth]


def completeness(session: Session) -> list[Completeness]:
    rows = session.execute(
        select(Source.name, Article.published_at, Article.authors, Article.language, Article.word_count)
        .join(Source, Article.source_id == Source.id)
        .execution_options(yield_per=2000)
    )
    by_source: dict[str, Completeness] = {}
    for name, published, authors, language, words in rows:
        c = by_source.setdefault(name, Completeness(name))
        c.articles += 1
        c.with_date += published is not None
        c.with_authors += bool(authors)
        c.with_language += bool(language)
        c.word_counts.append(int(words or 0))
    return [by_source[name] for name in sorted(by_source)]


def run_health(session: Session, limit: int = 30) -> list[RunHealth]:
    runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)).all()
    result = []
    for run in reversed(runs):
        counts: dict[str, Any] = dict(run.counts or {})
        pages = int(counts.get("pages_fetched", 0)) or int(counts.get("warc_records", 0))
        new = int(counts.get("articles_new", 0))
        duplicates = int(counts.get("articles_duplicate", 0))
        result.append(
            RunHealth(
                run_id=run.id,
                spider=run.spider,
                started_at=run.started_at.strftime("%Y-%m-%d %H:%M"),
                status=run.status,
                pages=pages,
                error_rate=run.error_count / pages if pages else (1.0 if run.error_count else 0.0),
                duplicate_rate=duplicates / (new + duplicates) if new + duplicates else 0.0,
            )
        )
    return result


def collect(session: Session, *, days: int = 30, last_day: date | None = None) -> Health:
    """The figures for the report: the last `days` days up to `last_day` (default: the newest
    publication date stored, so an old archive still shows its own period)."""
    if last_day is None:
        newest = session.scalar(select(func.max(Article.published_at)))
        last_day = newest.date() if newest is not None else date.today()
    first_day = last_day - timedelta(days=days - 1)
    return Health(
        first_day=first_day,
        last_day=last_day,
        per_day=coverage_by_day(session, [], first_day, last_day),
        completeness=completeness(session),
        runs=run_health(session),
    )
