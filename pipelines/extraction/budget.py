"""The per-page CPU budget of `extract_article`: no page may stall a crawl.

A `Budget` is started when a page comes in and checked between the extraction
stages (decode, parse, structured data, headline, body, dates, authors, ...);
a page found over its budget at a check is given up as ``timeout``. A check reads
the thread's CPU clock (`time.thread_time`, one ``clock_gettime`` call, well under a
microsecond), so it is cheap enough to make often, works in any thread, and does
not count the time other processes take from the machine: a loaded host slows
the crawl but does not turn pages into timeouts.

Checks between stages only bound the whole when every stage is bounded, so the
input of each stage is capped where it comes in: the document size
(`document.MAX_DOCUMENT_CHARS`), JSON-LD blocks, attribute values and the fields
cleaned with regular expressions (authors, titles, descriptions, dates), and every
pattern applied to page data runs in linear time.

Why not a CPU-time signal (``signal.setitimer(ITIMER_PROF)`` raising in a handler)?
Measured here: a handler set to fire after 0.05 s of CPU time could interrupt a
catastrophic regular expression (``re`` checks for signals), but reached a 40 MB
lxml parse only when libxml2 returned, after 2.2 s: Python runs handlers between
bytecodes, so a long C call (parsing, XPath, trafilatura's tree walks) runs to its
end anyway. A signal timer also works only in the main thread, replaces any
profiler's SIGPROF handler, and its exception can land anywhere, including inside
a dependency's ``except Exception`` that would swallow it. Cooperative checks plus
bounded stages give the same guarantee without those costs. Reads no settings:
the caller passes ``ExtractionOptions.time_budget``.
"""

from __future__ import annotations

import time

from .errors import TIMEOUT, Discard

__all__ = ["Budget"]


class Budget:
    """CPU seconds left for one page; `check` raises `Discard("timeout")` once they are spent."""

    __slots__ = ("_deadline", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._deadline = time.thread_time() + seconds if seconds is not None else None

    def check(self, stage: str) -> None:
        if self._deadline is not None and time.thread_time() > self._deadline:
            raise Discard(TIMEOUT, f"over the {self.seconds:g} s CPU budget before {stage}")
