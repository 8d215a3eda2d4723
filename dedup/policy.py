"""The story rules, as pure functions: which copy leads a story, which articles of a batch are near-identical.

No database, no Scrapy. `dedup.stories` applies them when storing. Reads no settings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

_PAIR_BLOCK = 64  # signatures compared with the whole batch at once by `near_pairs`


class Dated(Protocol):
    """What `should_lead` reads of a stored or a new article."""

    @property
    def syndicated_from(self) -> str | None: ...

    @property
    def published_at(self) -> datetime | None: ...


def should_lead(candidate: Dated, original: Dated, candidate_urls: Sequence[str]) -> bool:
    """Whether a newly seen copy is the story's real original: the old one says it copied it,
    or (with no such evidence either way) it was published earlier."""
    if original.syndicated_from and original.syndicated_from in candidate_urls:
        return True
    if candidate.syndicated_from:
        return False
    if candidate.published_at and original.published_at:
        return candidate.published_at < original.published_at
    return False


def near_pairs(signatures: Sequence[bytes | None], threshold: float) -> Iterator[tuple[int, int]]:
    """Pairs of positions (i < j) whose signatures are at least `threshold` alike (estimated Jaccard)."""
    indexed = [(i, s) for i, s in enumerate(signatures) if s is not None]
    if len(indexed) < 2:
        return
    if len({len(s) for _, s in indexed}) != 1:  # signatures of another size never match (`similarity` gives 0)
        return
    import numpy as np  # here: a crawl loads numpy with its first items, not at start-up

    matrix = np.frombuffer(b"".join(s for _, s in indexed), dtype="<u4").reshape(len(indexed), -1)
    # Every row against every row, a block of rows at a time (bounded memory for big batches).
    for start in range(0, len(indexed) - 1, _PAIR_BLOCK):
        block = matrix[start : start + _PAIR_BLOCK]
        alike = np.count_nonzero(block[:, None, :] == matrix[None, :, :], axis=2) / matrix.shape[1]
        for row, other in zip(*np.nonzero(alike >= threshold)):
            if other > start + row:
                yield indexed[start + int(row)][0], indexed[int(other)][0]
