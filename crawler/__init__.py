"""The crawler: Scrapy alone. Settings (`settings.py`, every default once), the Article item, the
sources registry, spiders, discovery parsers, archives, middlewares, extensions, network guards
and the distributed (Redis) scheduler; `runner` builds the settings and runs one spider.

May import: `storage`, `dedup`, `pipelines.extraction` (pure). Never `pipelines` (Scrapy loads the
item pipelines by name from ITEM_PIPELINES) nor `newspipe` (the application, which drives it).
Reads no environment: the application hands every value down as a setting.
tests/test_import_layers.py checks these rules.
"""
