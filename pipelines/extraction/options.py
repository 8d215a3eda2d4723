"""`ExtractionOptions`: the few knobs of `extract_article`, in one immutable object.

Callers (the Scrapy extraction pipeline) build it once from their settings and
pass it to every call; the library itself reads no settings or environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .overrides import SiteOverrides


@dataclass(slots=True, frozen=True)
class ExtractionOptions:
    """Options for `extract_article`.

    min_words: bodies with fewer words are rejected as ``too_short``.
    language_hint: language to assume (ISO 639-1) when the page declares none;
        also used to read dates written out in words.
    use_trafilatura_fallback: let trafilatura run its backup extractors
        (readability, jusText) when its main pass finds little; slower, more recall.
    include_tables: keep the text of tables found inside the article body.
    max_future_days: dates later than ``fetched_at`` plus this many days are impossible.
    detect_index_pages: reject link-list pages (home, section, tag pages) as ``index_page``.
    overrides: per-site rules (`SiteOverrides`) tried before the generic extractor for
        the sites they name; None: generic extraction everywhere.
    time_budget: CPU seconds one page may use; a page still unfinished then is rejected as
        ``timeout`` (see `budget`). None: no limit.
    """

    min_words: int = 50
    language_hint: str | None = None
    use_trafilatura_fallback: bool = True
    include_tables: bool = True
    max_future_days: float = 2.0
    detect_index_pages: bool = True
    overrides: SiteOverrides | None = None
    time_budget: float | None = 10.0
