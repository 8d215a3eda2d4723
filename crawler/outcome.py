"""How a crawl went, from its stats: the one place that says whether a run failed.

`verdict(reason, stats)` gives the run's status ("finished", "failed" or "interrupted") and the
errors that failed it, each with its count. The run record (`crawler.extensions.runs`), the
summary and the CLI's exit code (`newspipe.cli`: 0 finished, 1 otherwise) all take it from here.

Errors (exit 1): a store batch not stored (spooled or failed), an item pipeline or a spider
callback that raised, a feed or sitemap that could not be parsed, a section page that could
not be read, the extractor failing on a page (`newspipe/extract/error`: a bug we want to see),
work dropped (`newspipe/dropped/<reason>`, a worker's unreadable seed or unknown source, a URL
given on the command line that is not http(s), new requests a worker could not queue because
Redis was away when it stopped), the run not recorded, no seed document
fetched at all, a stop for another reason than "finished" ("shutdown": interrupted).
Everything else counted is an expected skip on the open web (exit 0): HTTP errors and network
failures of single pages, not an article, duplicates, robots.txt, refused private or off-site
addresses, capped fan-out, bad feed or sitemap entries skipped one at a time, extraction timeouts,
well-known sitemap paths probed and not found (`newspipe/discovery/probe/<outcome>`).
The README's exit-code table lists the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INTERRUPTED_REASONS = frozenset({"shutdown"})  # Scrapy's reason on SIGINT/SIGTERM (and a JOBDIR pause)

# Stats that fail a run, with the words the summary and the CLI use for them.
ERROR_STATS: tuple[tuple[str, str], ...] = (
    ("newspipe/store/spooled", "articles spooled: the database refused them"),
    ("newspipe/store/failed", "articles that could not be stored"),
    ("newspipe/item/error", "item pipeline errors"),
    ("spider_exceptions/count", "spider callback errors"),
    ("newspipe/discovery/skipped/malformed_feed", "feeds that could not be parsed"),
    ("newspipe/discovery/skipped/malformed_sitemap", "sitemaps that could not be parsed"),
    ("newspipe/discovery/skipped/section_not_text", "section pages that could not be read"),
    ("newspipe/extract/error", "pages the extractor failed on"),
    ("newspipe/distributed/bad_seed", "unreadable seeds dropped"),
    ("newspipe/distributed/unknown_source", "seeds of unknown sources dropped"),
    ("newspipe/discovery/skipped/invalid_url", "given URLs that are not http(s)"),
    ("newspipe/run/not_recorded", "run records the database did not take"),
    # A worker stopped while Redis was away: requests its callbacks found were never queued.
    ("newspipe/distributed/lost", "new requests lost: Redis unreachable at close"),
)
DROPPED_PREFIX = "newspipe/dropped/"  # any work dropped, by reason


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # finished, failed or interrupted
    errors: dict[str, int] = field(default_factory=dict)  # what failed the run -> how many

    @property
    def ok(self) -> bool:
        return self.status == "finished"

    def describe(self) -> str:
        """The errors in one line: "2 feeds that could not be parsed, 1 item pipeline errors"."""
        return ", ".join(f"{count:,} {label}" for label, count in self.errors.items())


def verdict(reason: str, stats: Mapping[str, Any]) -> Verdict:
    errors: dict[str, int] = {}
    for key, label in ERROR_STATS:
        count = int(stats.get(key) or 0)
        if count:
            errors[label] = count
    for key, value in stats.items():
        if key.startswith(DROPPED_PREFIX) and value:
            errors[f"dropped: {key.removeprefix(DROPPED_PREFIX)}"] = int(value)
    seeds = int(stats.get("newspipe/discovery/seeds") or 0)
    if seeds and not stats.get("newspipe/discovery/seeds_fetched"):
        errors["feeds, sitemaps and sections named, none fetched"] = seeds
    if reason in INTERRUPTED_REASONS:
        return Verdict("interrupted", errors)
    if reason != "finished":
        errors[f"stopped early ({reason})"] = 1
    return Verdict("failed" if errors else "finished", errors)
