"""Scrapy extensions: the crawl-run record in the database, and the live progress display."""

from crawler.extensions.progress import ProgressDisplay
from crawler.extensions.runs import CrawlRunRecorder, run_counts

__all__ = ["CrawlRunRecorder", "ProgressDisplay", "run_counts"]
