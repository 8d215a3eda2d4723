"""Coverage: how many articles are stored per source and publication day, gaps included.

Days are UTC calendar days of `published_at`; undated articles are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, Source


def coverage_by_day(session: Session, sources: Sequence[str], first: date, last: date) -> dict[date, dict[str, int]]:
    """{day: {source: count}} for every day from `first` to `last`, every selected source (0 where none)."""
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc)
    names_stmt = select(Source.name).order_by(Source.name)
    if sources:
        names_stmt = names_stmt.where(Source.name.in_(list(sources)))
    names = list(session.scalars(names_stmt)) or list(sources)
    counts: dict[date, dict[str, int]] = {}
    day = first
    while day <= last:
        counts[day] = {name: 0 for name in names}
        day += timedelta(days=1)
    stmt = (
        select(Source.name, Article.published_at)
        .join(Source, Article.source_id == Source.id)
        .where(Article.published_at >= start, Article.published_at < end)
    )
    if sources:
        stmt = stmt.where(Source.name.in_(list(sources)))
    # Counted in Python: "day of a UTC timestamp" is spelt differently on every backend.
    for name, published in session.execute(stmt.execution_options(yield_per=2000)):
        bucket = counts.get(published.astimezone(timezone.utc).date())
        if bucket is not None:
            bucket[name] = bucket.get(name, 0) + 1
    return counts


def stored_days(session: Session, sources: Sequence[str]) -> tuple[date, date] | None:
    """The first and last UTC publication day of the stored articles of `sources` (all when empty); None if none."""
    stmt = select(func.min(Article.published_at), func.max(Article.published_at)).join(Source, Article.source_id == Source.id)
    if sources:
        stmt = stmt.where(Source.name.in_(list(sources)))
    first, last = session.execute(stmt).one()
    if first is None or last is None:
        return None
    return first.astimezone(timezone.utc).date(), last.astimezone(timezone.utc).date()
