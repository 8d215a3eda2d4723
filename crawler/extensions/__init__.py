"""Scrapy extensions: the crawl-run record in the database, the live progress display, WARC output,
the count of item pipeline errors."""

from crawler.extensions.errors import ItemErrorCounter
from crawler.extensions.progress import ProgressDisplay
from crawler.extensions.runs import CrawlRunRecorder, run_counts
from crawler.extensions.warc import WarcRecorder

__all__ = ["CrawlRunRecorder", "ItemErrorCounter", "ProgressDisplay", "WarcRecorder", "run_counts"]
