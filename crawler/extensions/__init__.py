"""Scrapy extensions: the crawl-run record in the database, the live progress display, WARC output."""

from crawler.extensions.progress import ProgressDisplay
from crawler.extensions.runs import CrawlRunRecorder, run_counts
from crawler.extensions.warc import WarcRecorder

__all__ = ["CrawlRunRecorder", "ProgressDisplay", "WarcRecorder", "run_counts"]
