"""The crawl window: which publication dates a run is interested in.

`NEWSPIPE_SINCE` / `NEWSPIPE_UNTIL` (or the spiders' `since`/`until` arguments)
are parsed here: ISO dates or datetimes as strings, `date` or `datetime`
objects, or relative dates (`7d`, `12h`, `30m`, `2w` ago; `today`, `yesterday`).
Naive values are UTC; a date-only `until` (`today`, `yesterday` too) covers that whole day.
Undated entries are always inside the window: discovery cannot tell, and the
extract pipeline reads the page's own date later.

`parse_document_date` reads the dates feeds and sitemaps write; it gives None
for dates that cannot be a document's date (see `plausible_date`), so a
placeholder such as 0001-01-01 or 9999-12-31 never decides the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from crawler.discovery.datetimes import has_unknown_zone, rfc822_date, w3c_partial_date

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$", re.IGNORECASE)  # anchored: linear under search() too
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


# Entry dates outside [EARLIEST_DATE, now + FUTURE_MARGIN] are placeholders or misparses.
EARLIEST_DATE = datetime(1800, 1, 1, tzinfo=timezone.utc)
FUTURE_MARGIN = timedelta(days=366)


def plausible_date(value: datetime) -> datetime | None:
    """`value` in UTC if it can be a document's date, else None.

    None for values that overflow when converted to UTC (0001-01-01T00:00:00+14:00),
    before EARLIEST_DATE, or more than FUTURE_MARGIN in the future (year 9999).
    """
    try:
        value = as_utc(value)
    except (OverflowError, ValueError):
        return None
    if value < EARLIEST_DATE or value > datetime.now(timezone.utc) + FUTURE_MARGIN:
        return None
    return value


def parse_document_date(text: str | None) -> datetime | None:
    """A date as sitemaps and feeds write it (W3C/ISO 8601 or RFC 822), in UTC; None if unusable."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return plausible_date(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    if _DATE_ONLY.match(text):
        # 2025-10-28T10:00 plus something fromisoformat rejects: keep the day at least.
        try:
            return plausible_date(datetime.combine(date.fromisoformat(text[:10]), time.min, tzinfo=timezone.utc))
        except ValueError:
            return None
    partial = w3c_partial_date(text)  # YYYY, YYYY-MM
    if partial is not None:
        return plausible_date(partial)
    value = rfc822_date(text)  # named zones (PT, MET) the email parser reads as UTC
    if value is None and has_unknown_zone(text):
        return None  # a zone nobody knows: no instant rather than a wrong one
    if value is None:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    written = [token for token in text.replace(",", " ").split() if token.isdigit() and len(token) >= 3]
    if written and int(written[0]) != value.year:
        # The email parser reads "0001" as the two-digit year 01, i.e. 2001: not what was written.
        return None
    return plausible_date(value)
