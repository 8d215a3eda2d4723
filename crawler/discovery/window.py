"""The crawl window: which publication dates a run is interested in.

`NEWSPIPE_SINCE` / `NEWSPIPE_UNTIL` (or the spiders' `since`/`until` arguments)
are parsed here: ISO dates or datetimes as strings, `date` or `datetime`
objects, or relative dates (`7d`, `12h`, `30m`, `2w` ago; `today`, `yesterday`).
Naive values are UTC; a date-only `until` (`today`, `yesterday` too) covers that whole day.
Undated entries are always inside the window: discovery cannot tell, and the
extract pipeline reads the page's own date later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE = re.compile(r"(\d+)\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DAYS_AGO = {"today": 0, "yesterday": 1}


class WindowError(ValueError):
    """A since/until value that is not a date, or a window that ends before it starts."""


def as_utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime; naive values are taken as UTC."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_bound(value: Any, *, end: bool = False, name: str = "date", now: datetime | None = None) -> datetime | None:
    """Parse one window bound; `end=True` makes a date-only value cover its whole day.

    Relative values count back from `now` (default: the current time, UTC). Raises
    `WindowError` naming `name` for values that are not dates.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        moment = as_utc(now) if now is not None else datetime.now(timezone.utc)
        relative = _RELATIVE.fullmatch(text)
        if relative:
            return moment - timedelta(**{_UNITS[relative[2].lower()]: int(relative[1])})
        if text.lower() in _DAYS_AGO:
            day = moment.date() - timedelta(days=_DAYS_AGO[text.lower()])
        elif _DATE_ONLY.fullmatch(text):
            try:
                day = date.fromisoformat(text)
            except ValueError as exc:
                raise WindowError(f"{name}: {text!r} is not a valid date ({exc})") from None
        else:
            try:
                return as_utc(datetime.fromisoformat(text))
            except ValueError:
                raise WindowError(
                    f"{name}: {text!r} is not an ISO date or datetime such as 2025-10-01 or 2025-10-01T12:00:00+02:00, "
                    "nor a relative date such as 7d, 12h, today or yesterday"
                ) from None
    else:
        raise WindowError(f"{name}: expected an ISO date string or a datetime, got {type(value).__name__}")
    if end:
        return datetime.combine(day, time.max, tzinfo=timezone.utc)
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive [since, until] bounds in UTC; None means open on that side."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: Any = None, until: Any = None, *, now: datetime | None = None) -> Window:
        window = cls(parse_bound(since, name="since", now=now), parse_bound(until, end=True, name="until", now=now))
        if window.since and window.until and window.since > window.until:
            raise WindowError(f"since ({window.since.isoformat()}) is after until ({window.until.isoformat()})")
        return window

    def contains(self, when: datetime | None) -> bool:
        """Whether a date is inside the window; undated (None) always is."""
        if when is None:
            return True
        when = as_utc(when)
        if self.since is not None and when < self.since:
            return False
        if self.until is not None and when > self.until:
            return False
        return True

    def may_contain_after(self, last_modified: datetime | None) -> bool:
        """Whether a document last modified at `last_modified` can hold in-window entries.

        Used for sitemap-index children: a child untouched since before `since`
        cannot list newer articles; a later lastmod says nothing about old entries.
        """
        if last_modified is None or self.since is None:
            return True
        return as_utc(last_modified) >= self.since


def parse_document_date(text: str | None) -> datetime | None:
    """A date as sitemaps and feeds write it (W3C/ISO 8601 or RFC 822), in UTC; None if unusable."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return as_utc(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    if _DATE_ONLY.match(text):
        # 2025-10-28T10:00 plus something fromisoformat rejects: keep the day at least.
        try:
            return datetime.combine(date.fromisoformat(text[:10]), time.min, tzinfo=timezone.utc)
        except ValueError:
            return None
    try:
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None
