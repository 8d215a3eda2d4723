"""Scrapy spiders (SPIDER_MODULES): `news` (feeds, sitemaps, section pages), `urls`, `backfill`,
`warc`, `cdx` and the distributed `worker`, on the shared base in `base.py`. Part of `crawler`:
they may import `crawler`, `storage`, `dedup` and `pipelines.extraction`, never `pipelines` or `newspipe`."""
