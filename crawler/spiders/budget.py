"""The per-source request budget of a run: how many discovered requests each source may still queue.

A spider keeps one `RequestBudget` per run (a worker, one per enqueue cycle) and passes every
batch of discovered requests for a source through `admit` with the source's cap
(NEWSPIPE_MAX_REQUESTS_PER_SOURCE or the source's `max_requests`; 0: no cap). Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Admitted(Generic[T]):
    """What `admit` let through, how many it cut, and whether this is the source's first cut."""

    kept: list[T]
    cut: int = 0
    first_cut: bool = False


@dataclass(slots=True)
class RequestBudget:
    used: dict[str, int] = field(default_factory=dict)  # source name -> requests admitted
    capped: set[str] = field(default_factory=set)  # sources that reached their cap

    def admit(self, source: str, limit: int, requests: list[T]) -> Admitted[T]:
        """The first requests of `requests` that fit in `source`'s remaining budget (`limit` 0: all)."""
        if limit <= 0:
            return Admitted(requests)
        used = self.used.get(source, 0)
        kept = requests[: max(0, limit - used)]
        self.used[source] = used + len(kept)
        cut = len(requests) - len(kept)
        first = bool(cut) and source not in self.capped
        if cut:
            self.capped.add(source)
        return Admitted(kept, cut, first)
