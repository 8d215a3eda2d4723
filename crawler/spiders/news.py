"""The discovery spiders: `news` (what `newspipe crawl` runs) and one per discovery kind.

- `news`: feeds, sitemaps (declared and from robots.txt) and section pages;
- `feeds`, `sitemaps`, `sections`: only that kind.

All take the spider arguments `sources`, `source`, `since`, `until`,
`section_depth`, `max_pagination` (see `crawler.spiders.options`).
"""

from __future__ import annotations

from crawler.spiders.base import BaseNewsSpider


class NewsSpider(BaseNewsSpider):
    name = "news"
    kinds = ("feed", "sitemap", "section")


class FeedsSpider(BaseNewsSpider):
    name = "feeds"
    kinds = ("feed",)


class SitemapsSpider(BaseNewsSpider):
    name = "sitemaps"
    kinds = ("sitemap",)


class SectionsSpider(BaseNewsSpider):
    name = "sections"
    kinds = ("section",)
