"""feedparser's date parsers, wrapped in one place: W3C datetimes and RFC 822 dates with named zones.

feedparser has no public API for parsing one date of a known form: `feedparser.datetimes`
exposes only private names (`_parse_date`, `_parse_date_w3dtf`, `_parse_date_rfc822`) and the
zone table `feedparser.datetimes.rfc822.timezone_names`. Only this module touches them, so
a feedparser upgrade that renames them breaks one import here. Reads no settings.

`w3c_partial_date("2025")` / `("2025-10")`: the reduced-precision W3C forms, as UTC.
`rfc822_date(text)`: an RFC 822 date whose zone is a numeric offset or a name feedparser
knows (`EST`, `PT`, `MET`, `Z`, military letters); None for a zone it does not know, so an
unknown zone is never read as UTC.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import datetime, timezone

from feedparser.datetimes.rfc822 import _parse_date_rfc822, timezone_names
from feedparser.datetimes.w3dtf import _parse_date_w3dtf

__all__ = ["has_unknown_zone", "rfc822_date", "w3c_partial_date"]

_YEAR_OR_MONTH = re.compile(r"\d{4}(-\d{2})?")
_ZONE = re.compile(r"\d:\d\d(?::\d\d)?\s*(?:[+-]\d{4}|[A-Za-z]+)\s*$")
_ZONE_NAME = re.compile(r"\d:\d\d(?::\d\d)?\s*([A-Za-z]+)\s*$")


def _utc(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def w3c_partial_date(text: str) -> datetime | None:
    """`YYYY` (1 January) or `YYYY-MM` (the 1st) as midnight UTC; None for anything else."""
    text = text.strip()
    return _utc(_parse_date_w3dtf(text)) if _YEAR_OR_MONTH.fullmatch(text) else None


def has_unknown_zone(text: str) -> bool:
    """Whether `text` ends in a time of day and a zone name feedparser does not know."""
    zone = _ZONE_NAME.search(text)
    return zone is not None and zone.group(1).lower() not in timezone_names


def rfc822_date(text: str) -> datetime | None:
    """An RFC 822 date with a numeric or known named zone, in UTC; None otherwise."""
    if not _ZONE.search(text) or has_unknown_zone(text):
        return None  # feedparser would read a missing or unknown zone as UTC
    return _utc(_parse_date_rfc822(text))
