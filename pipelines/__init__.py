"""Scrapy item pipelines, one concern each (extract -> language -> dates -> dedup -> store), and the
Scrapy-free extraction library `pipelines.extraction`.

The item pipelines are thin adapters between the crawler's item and storage: they may import
`crawler` (the Article item, the crawl's database), `dedup`, `storage` and `pipelines.extraction`;
never `newspipe`. `pipelines.extraction` turns one HTML page into an article record and imports
nothing of the project outside itself (no Scrapy, no storage, no settings, no environment).
The store pipeline is a Scrapy adapter over `dedup.stories` (duplicates and stories) and `storage`.
tests/test_import_layers.py checks these rules.
"""
