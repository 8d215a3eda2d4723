"""The date window of a crawl (`--since` / `--until`): parsing and membership.

Naive values are UTC. A date-only `until` covers that whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone


def parse_bound(value: str | date | datetime | None, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or datetime (string or object) as an aware UTC datetime; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed: date | datetime = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text or " " in text else date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO date (2025-10-01) or datetime (2025-10-01T08:00:00+02:00)") from None
        value = parsed
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    start = datetime.combine(value, time.min, tzinfo=timezone.utc)
    return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start


@dataclass(frozen=True, slots=True)
class DateWindow:
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | date | datetime | None, until: str | date | datetime | None) -> DateWindow:
        window = cls(parse_bound(since), parse_bound(until, end_of_day=True))
        if window.since and window.until and window.since > window.until:
            raise ValueError(f"the window is empty: since {window.since.isoformat()} is after until {window.until.isoformat()}")
        return window

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def contains(self, moment: datetime | None) -> bool:
        """Undated things are inside: only a known date can put something outside the window."""
        if moment is None:
            return True
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        if self.since is not None and moment < self.since:
            return False
        if self.until is not None and moment > self.until:
            return False
        return True
