"""The internal discard signal (trafilatura style).

Stages raise `Discard(reason, detail)` as soon as they know the page is not an
article; `extract_article` catches it once and returns `NotAnArticle`.
"""

from __future__ import annotations

# Stable reason keys, usable as stats keys (`newspipe/extract/not_article/<reason>`).
EMPTY = "empty"
NOT_HTML = "not_html"
TOO_SHORT = "too_short"
INDEX_PAGE = "index_page"
ERROR_PAGE = "error_page"
NO_HEADLINE = "no_headline"
TIMEOUT = "timeout"  # the page used up its CPU budget (`ExtractionOptions.time_budget`)
ERROR = "error"  # a bug met on this page: the exception is logged, the page skipped
REASONS = frozenset({EMPTY, NOT_HTML, TOO_SHORT, INDEX_PAGE, ERROR_PAGE, NO_HEADLINE, TIMEOUT, ERROR})


class Discard(Exception):
    """Raised inside the library when a page is not an article."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail
