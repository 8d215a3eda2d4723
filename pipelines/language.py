"""Item pipeline: keep only articles in the wanted languages.

Reads NEWSPIPE_LANGUAGES (ISO 639-1 codes; empty switches the pipeline off with
`NotConfigured`). Articles whose language is unknown are kept: an unknown language
is not a wrong one. Drops are counted under `newspipe/language/dropped/<code>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import Article


def primary_language(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-", 1)[0]


class LanguageFilterPipeline:
    def __init__(self, languages: set[str], stats: StatsCollector) -> None:
        self.languages = {primary_language(code) for code in languages}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguageFilterPipeline:
        languages = set(crawler.settings.getlist("NEWSPIPE_LANGUAGES"))
        if not languages:
            # Off by default; no message, or Scrapy warns on every run (NEWSPIPE_LANGUAGES is empty: every language is kept).
            raise NotConfigured
        return cls(languages, crawler.stats)

    def process_item(self, item: Article) -> Article:
        language = item.record.language if item.record else None
        if language and primary_language(language) not in self.languages:
            code = primary_language(language)
            self.stats.inc_value(f"newspipe/language/dropped/{code}")
            raise DropItem(f"language {code} is not one of {', '.join(sorted(self.languages))}", log_level="DEBUG")
        return item
