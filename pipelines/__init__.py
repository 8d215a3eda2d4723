"""Item pipelines and the Scrapy-free extraction library.

`pipelines.extraction` turns one HTML page into an article record and needs no
Scrapy. The other modules are Scrapy item pipelines, one concern each, run in
this order: extract -> normalise dates -> dedup -> store. The store pipeline is a Scrapy
adapter over `dedup.stories` (duplicates and stories) and `storage`.
"""
