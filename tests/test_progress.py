"""The live progress display: counts and rates from the crawl's stats."""

from __future__ import annotations

import io
import time

from rich.console import Console
from scrapy.utils.test import get_crawler

from crawler.extensions.progress import ProgressDisplay


def test_progress_shows_counts_and_rates() -> None:
    stats = get_crawler().stats
    stats.set_value("newspipe/warc/records", 500)
    stats.set_value("newspipe/store/new", 120)
    display = ProgressDisplay(stats, console=Console(file=io.StringIO(), width=100))
    display.started = time.monotonic() - 10
    out = io.StringIO()
    Console(file=out, width=100).print(display.render())
    text = out.getvalue()
    assert "archive records read" in text and "500" in text and "50.0/s" in text
    assert "new" in text and "120" in text
    assert "spooled" not in text  # rows that do not apply are left out
