"""The near-duplicate index every writer shares: LSH band keys in the database, not in memory.

A signature (`dedup.signatures`) is cut into BANDS bands of ROWS values; each band is hashed,
with its number, to a 64-bit band key. Two texts whose signatures agree on a whole band are
candidates; `best_match` confirms them on the signatures (estimated Jaccard >= threshold). The
keys live in `near_dup_bands` (`storage.band_keys`), written in the transaction that stores the
article, one row per key naming the article that claimed it first. A look-up is two indexed
queries for a whole batch (the keys' holders, then the holders' signatures), so a process keeps
nothing that grows with the number of stored articles, and every process sees what every other
has committed.

Exactly once across concurrent writers: an article that starts a new story must claim the keys
that nobody held when it looked. If a concurrent writer claimed one in between (it stored a text
sharing a band), the primary key refuses ours (`storage.band_keys.KeyTaken`, after waiting for
the other transaction on PostgreSQL) and the batch is retried: the retry sees the other article.
SQLite has one writer at a time, and a transaction that read before another's commit cannot write.

The horizon: keys claimed more than `horizon_days` ago are ignored by look-ups (a date filter on
the indexed `created_at`, so the window is exact whenever old rows are deleted) and taken over by
the next article that has them; `prune` deletes them (the store's writer does so about once an hour),
which keeps the table at about BANDS rows per story of the horizon.

The band layout is a stored format: BANDS x ROWS = (18, 7) is datasketch's optimum for the
candidate threshold 0.6 (0.8 less a margin of 0.2: the LSH S-curve is not a step, so candidates
are fetched below the threshold and confirmed on the estimate). A threshold well below 0.8
loses recall with this layout (changing it means re-banding the stored signatures).
Reads no settings (the store pipeline passes NEWSPIPE_NEAR_DUP_THRESHOLD and
NEWSPIPE_NEAR_DUP_HORIZON_DAYS).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from hashlib import blake2b
from typing import TYPE_CHECKING

from storage import band_keys

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

BANDS = 18
ROWS = 7


def band_keys_of(signature: bytes) -> list[int]:
    """The BANDS band keys of a stored signature: signed 64-bit hashes of (band number, band values)."""
    # The values' bytes as they are (little-endian uint32): no numpy, which a crawl then loads
    # only with its first item (`dedup.signatures`).
    if len(signature) % 4:
        raise ValueError(f"a signature is 4-byte values, got {len(signature)} bytes")
    step = ROWS * 4
    if len(signature) < BANDS * step:
        return []
    data = signature[: BANDS * step]
    return [
        int.from_bytes(blake2b(bytes((band,)) + data[band * step : (band + 1) * step], digest_size=8).digest(), "little", signed=True)
        for band in range(BANDS)
    ]


class NearDupIndex:
    """How near is near (`threshold`) and how far back the index reaches (`horizon_days`, 0: no
    limit). Holds no articles: `begin` gives the view of one transaction."""

    def __init__(self, threshold: float = 0.8, *, horizon_days: float = 30.0) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.horizon_days = horizon_days

    def since(self, now: datetime) -> datetime | None:
        """The oldest claim a look-up at `now` takes into account (None: every claim)."""
        return now - timedelta(days=self.horizon_days) if self.horizon_days else None

    def begin(self, connection: Connection) -> IndexTransaction:
        return IndexTransaction(self, connection)

    def prune(self, connection: Connection, now: datetime | None = None, *, limit: int | None = None) -> int:
        """Delete keys past the horizon (look-ups ignore them already), at most `limit`; the number deleted."""
        since = self.since(now or datetime.now(timezone.utc))
        return band_keys.prune(connection, since, limit=limit) if since is not None else 0


class IndexTransaction:
    """The index as one transaction sees it. Remembers, for this transaction only, which keys its
    look-ups found held and which it claimed: a batch's worth at most."""

    def __init__(self, index: NearDupIndex, connection: Connection) -> None:
        self.index = index
        self.threshold = index.threshold
        self.connection = connection
        self._now = datetime.now(timezone.utc)
        self._since = index.since(self._now)
        self._held: set[int] = set()  # keys a look-up found held: not ours to claim
        self._claimed: dict[int, int] = {}  # key -> article, claimed in this transaction
        self._keys: dict[bytes, list[int]] = {}  # band keys by signature: looked up, then claimed

    def _keys_of(self, signature: bytes) -> list[int]:
        keys = self._keys.get(signature)
        if keys is None:
            keys = self._keys[signature] = band_keys_of(signature)
        return keys

    def candidates(self, signatures: Sequence[bytes]) -> list[list[tuple[int, bytes]]]:
        """For each signature, the stored articles sharing a band with it and their signatures
        (unconfirmed). Two queries for them all."""
        keys = [self._keys_of(signature) for signature in signatures]
        holders = band_keys.holders(self.connection, (k for ks in keys for k in ks), since=self._since)
        self._held.update(holders)
        stored = band_keys.signatures(self.connection, set(holders.values()))
        out: list[list[tuple[int, bytes]]] = []
        for item_keys in keys:
            ids = sorted({holders[k] for k in item_keys if k in holders})
            out.append([(i, stored[i]) for i in ids if i in stored])
        return out

    def matches(self, signatures: Sequence[bytes]) -> list[tuple[int, float] | None]:
        """For each signature, the most similar stored article at or above the threshold, and its score."""
        from dedup.signatures import best_match  # numpy: with the first look-up, not at start-up

        return [best_match(s, found, self.threshold) for s, found in zip(signatures, self.candidates(signatures))]

    def add(self, rows: Sequence[tuple[int, bytes | None, bool]]) -> None:
        """Index stored articles, `rows` being (article id, signature, starts a story): each claims
        the keys nobody holds. One that starts a story (it was looked up and found no match) must
        get every key that was free when it looked; `KeyTaken` when a concurrent writer got one."""
        wanted: list[tuple[int, int]] = []
        required: set[int] = set()
        for article_id, signature, starts_story in rows:
            if signature is None:
                continue
            for key in self._keys_of(signature):
                if key in self._held or key in self._claimed:
                    continue
                self._claimed[key] = article_id  # the batch's first article with a key gets it
                wanted.append((key, article_id))
                if starts_story:
                    required.add(key)
        if wanted:
            band_keys.claim(self.connection, wanted, now=self._now, expired_before=self._since, required=required)

    def replace(self, article_id: int, signature: bytes | None) -> None:
        """A stored article's text changed: its keys are given up and those of the new text claimed."""
        band_keys.release(self.connection, article_id)
        for key in [k for k, a in self._claimed.items() if a == article_id]:
            del self._claimed[key]
        self.add([(article_id, signature, False)])
