"""The crawl window and discovered-URL hygiene."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.discovery import Window, WindowError, dedup_key, strip_tracking
from crawler.discovery.window import parse_document_date

UTC = timezone.utc


@pytest.mark.parametrize(
    ("since", "until", "expected_since", "expected_until"),
    [
        ("2025-10-01", "2025-10-31", datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 10, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2025-10-01T12:00:00+02:00", None, datetime(2025, 10, 1, 10, tzinfo=UTC), None),
        ("2025-10-01T12:00:00Z", None, datetime(2025, 10, 1, 12, tzinfo=UTC), None),
        (datetime(2025, 10, 1, 6), None, datetime(2025, 10, 1, 6, tzinfo=UTC), None),  # naive = UTC
        (None, date(2025, 10, 31), None, datetime(2025, 10, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("", "  ", None, None),
    ],
)
def test_window_parsing(since, until, expected_since, expected_until) -> None:
    window = Window.parse(since, until)
    assert (window.since, window.until) == (expected_since, expected_until)


def test_date_only_until_covers_the_whole_day() -> None:
    window = Window.parse("2025-10-01", "2025-10-31")
    assert window.contains(datetime(2025, 10, 31, 23, 30, tzinfo=UTC))
    assert not window.contains(datetime(2025, 11, 1, 0, 0, 1, tzinfo=UTC))
    assert not window.contains(datetime(2025, 9, 30, 23, 59, tzinfo=UTC))
    assert window.contains(None)  # undated entries are kept
    # An aware datetime in another zone is compared as an instant.
    assert window.contains(datetime(2025, 11, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))))


@pytest.mark.parametrize(
    ("since", "until"),
    [("the day before", None), ("2025-02-30", None), (None, "2025-13-01"), (12345, None), ("2025-10-31", "2025-10-01")],
)
def test_bad_windows_raise(since, until) -> None:
    with pytest.raises(WindowError):
        Window.parse(since, until)


def test_may_contain_after_uses_since_only() -> None:
    window = Window.parse("2025-10-01", "2025-10-31")
    assert not window.may_contain_after(datetime(2025, 9, 1, tzinfo=UTC))
    assert window.may_contain_after(datetime(2025, 12, 1, tzinfo=UTC))
    assert window.may_contain_after(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-28", datetime(2025, 10, 28, tzinfo=UTC)),
        ("2025-10-28T10:00:00+02:00", datetime(2025, 10, 28, 8, tzinfo=UTC)),
        ("2025-10-28T10:00Z", datetime(2025, 10, 28, 10, tzinfo=UTC)),
        ("2025-10-28T10:00:00.123456Z", datetime(2025, 10, 28, 10, 0, 0, 123456, tzinfo=UTC)),
        ("Tue, 28 Oct 2025 10:00:00 GMT", datetime(2025, 10, 28, 10, tzinfo=UTC)),
        ("2025-13-45", None),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_document_dates(text, expected) -> None:
    assert parse_document_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.com/a-b-c/?utm_source=x&utm_medium=y", "https://ex.com/a-b-c/"),
        ("https://ex.com/a?id=3&fbclid=zz&gclid=1#frag", "https://ex.com/a?id=3"),
        ("https://ex.com/a?b=2&a=1", "https://ex.com/a?b=2&a=1"),  # order and spelling kept
        ("https://ex.com/a?q=x%20y&UTM_Campaign=z", "https://ex.com/a?q=x%20y"),
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected


def test_dedup_key_equates_tracking_variants() -> None:
    assert dedup_key("https://Ex.com/a-b-c/?utm_source=rss#comments") == dedup_key("https://ex.com/a-b-c/")
    assert dedup_key("https://ex.com/a-b-c/") != dedup_key("https://ex.com/a-b-d/")
