"""Item pipeline: turn each fetched page into an article record with `extract_article`.

Reads NEWSPIPE_MIN_WORDS, NEWSPIPE_EXTRACT_TIME_BUDGET (CPU seconds per page) and
NEWSPIPE_EXTRACTION_OVERRIDES (a TOML file of per-site rules, see
`pipelines.extraction.overrides`; a bad file stops the crawl before it starts). Pages that
are not articles are dropped with their reason and counted under
`newspipe/extract/skipped/<reason>`; a page over its CPU budget is also counted as
`newspipe/extract/timeout`. A page the extractor failed on (a bug it caught and logged) is
dropped and counted as `newspipe/extract/error`, not as a skip. A page kept although it
failed the length or link-list check (its record's `is_article_confidence` is below 1) is
counted as `newspipe/extract/kept_in_doubt`.
Discovery hints fill gaps only:
the item's `language_hint` (news sitemap or source language) when the page declares no language,
its `hint_tags` (news sitemap keywords) when the page has no tags.
The extractor (trafilatura, htmldate, the parsers) is imported with the first item, not when the
crawl starts: its import is about a tenth of a CPU second the crawl's first request need not wait for.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler import settings as defaults
from pipelines.extraction.options import ExtractionOptions
from pipelines.extraction.errors import ERROR, TIMEOUT
from pipelines.extraction.overrides import SiteOverrides

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import Article

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, options: ExtractionOptions, stats: StatsCollector) -> None:
        self.options = options
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        overrides_file = crawler.settings.get("NEWSPIPE_EXTRACTION_OVERRIDES")
        budget = crawler.settings.getfloat("NEWSPIPE_EXTRACT_TIME_BUDGET")
        options = ExtractionOptions(
            min_words=crawler.settings.getint("NEWSPIPE_MIN_WORDS", defaults.NEWSPIPE_MIN_WORDS),
            overrides=SiteOverrides.from_toml(overrides_file) if overrides_file else None,
            time_budget=budget if budget > 0 else None,
        )
        return cls(options, crawler.stats)

    def process_item(self, item: Article) -> Article:
        if item.html is None:
            self._skip(item, "not_html", f"content type {item.content_type or 'unknown'}")
        options = replace(self.options, language_hint=item.language_hint) if item.language_hint else self.options
        from pipelines.extraction.core import extract_article  # on the first item: see the module docstring

        result = extract_article(item.html or "", item.response_url, fetched_at=item.fetched_at, options=options)
        if not result:
            if result.reason == ERROR:  # logged by the extractor, with its traceback
                self.stats.inc_value("newspipe/extract/error")
                raise DropItem(f"extraction failed ({result.detail})", log_level="WARNING")
            if result.reason == TIMEOUT:
                self.stats.inc_value("newspipe/extract/timeout")
            self._skip(item, result.reason, result.detail)
        if not result.tags and item.hint_tags:
            result.tags = list(item.hint_tags)  # the news sitemap's keywords, for a page that names none
        item.record = result
        self.stats.inc_value("newspipe/extract/articles")
        if result.is_article_confidence < 1:  # failed the length or link-list check, kept for its evidence
            self.stats.inc_value("newspipe/extract/kept_in_doubt")
        return item

    def _skip(self, item: Article, reason: str, detail: str) -> None:
        self.stats.inc_value(f"newspipe/extract/skipped/{reason}")
        self.stats.inc_value("newspipe/extract/skipped")
        raise DropItem(f"not an article ({reason}{': ' + detail if detail else ''})", log_level="INFO")
