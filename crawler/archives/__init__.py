"""Web archives: reading WARC/ARC files (including CC-NEWS) into pages, and writing crawls to WARC."""
