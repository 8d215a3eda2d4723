"""Near-duplicate detection: MinHash signatures of article bodies and an LSH index over them.

Scrapy-free. A body becomes the set of its word 5-shingles (words as in
`pipelines.fingerprint.normalised_words`, so re-templating does not matter), and the
set a 128-value MinHash signature, stored with the article as bytes (`signature_bytes`).
`NearDupIndex` keeps an LSH index (bands of the signature) of stored signatures in
memory: built from the database the first time it is asked (only articles stored within
`horizon_days`, so the cost stays bounded), caught up with rows other processes added
(`sync`), and undone when a batch is rolled back. LSH finds candidates at a lower
threshold than the one asked for; the repository confirms them with the Jaccard
similarity estimated from the two signatures.

The signatures are datasketch's (`MinHash(num_perm=128, seed=1, scheme="affine32")`,
SHA-1 of each shingle), and the bands those `MinHashLSH` picks for the threshold; both
are computed here with numpy, value for value (tests/test_neardup_compat.py checks it),
because importing datasketch pulls in SciPy: over a second of every run's start-up.

Settings (read by `pipelines.store`): NEWSPIPE_NEAR_DUP_THRESHOLD,
NEWSPIPE_NEAR_DUP_HORIZON_DAYS.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from pipelines.fingerprint import normalised_words

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SIGNATURE_BYTES = NUM_PERM * 4  # uint32 values ("affine32": 32-bit values, collision-free permutations)
# Candidates are fetched below the threshold and confirmed on the estimate: the LSH
# S-curve is not a step, so asking LSH at exactly the threshold loses pairs near it.
CANDIDATE_MARGIN = 0.2
# Shingles hashed through the permutations at a time: bounds the (shingles x 128) matrix.
_HASH_CHUNK = 4096
# Gauss-Legendre nodes for the band-choice integrals: exact for the polynomials (degree <= 128) met there.
_QUAD_POINTS = 80


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of word `size`-grams of the normalised text (the whole text when shorter)."""
    words = normalised_words(text)
    if not words:
        return set()
    if sum(map(len, words)) > 12 * len(words):
        # Scripts written without spaces (Chinese, Japanese): a "word" is a whole clause,
        # so shingle characters instead.
        chars = "".join(words)
        return {chars[i : i + size].encode("utf-8") for i in range(max(1, len(chars) - size + 1))}
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@cache
def _permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a*h + b (mod 2**32, a odd) for this seed."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (datasketch pre-mixes each input hash with it)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash_values(grams: Iterable[bytes]) -> np.ndarray | None:
    """The NUM_PERM uint32 MinHash values of a set of shingles; None for an empty set."""
    # The first 4 bytes of each shingle's SHA-1, little-endian (datasketch's sha1_hash32).
    sha1 = hashlib.sha1
    digests = b"".join([sha1(gram).digest()[:4] for gram in grams])
    if not digests:
        return None
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    a, b = _permutations()
    values = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(hashed), _HASH_CHUNK):
        chunk = hashed[start : start + _HASH_CHUNK, None]
        np.minimum(values, (chunk * a + b).min(axis=0), out=values)  # uint32 arithmetic wraps: mod 2**32
    return values


def signature_bytes(text: str) -> bytes | None:
    """The stored form of a body's signature: NUM_PERM little-endian uint32 values."""
    values = minhash_values(shingles(text))
    return None if values is None else values.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if len(left) != len(right) or not len(left):
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)


@cache
def optimal_bands(threshold: float, num_perm: int = NUM_PERM, false_positive_weight: float = 0.5, false_negative_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false positive and negative probabilities, as
    datasketch's MinHashLSH chooses them (its integrals, computed by Gauss-Legendre quadrature)."""
    nodes, weights = np.polynomial.legendre.leggauss(_QUAD_POINTS)

    def integral(bands: int, rows: int, low: float, high: float, positive: bool) -> float:
        s = (high - low) / 2 * nodes + (high + low) / 2
        candidate = 1 - (1 - s ** float(rows)) ** float(bands)
        return (high - low) / 2 * float(np.dot(weights, candidate if positive else 1 - candidate))

    best, chosen = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = integral(bands, rows, 0.0, threshold, True)
            false_negative = integral(bands, rows, threshold, 1.0, False)
            error = false_positive * false_positive_weight + false_negative * false_negative_weight
            if error < best:
                best, chosen = error, (bands, rows)
    return chosen


class BandIndex:
    """MinHash LSH: a signature cut into bands of rows; signatures sharing a band are candidates."""

    def __init__(self, threshold: float, num_perm: int = NUM_PERM) -> None:
        self.bands, self.rows = optimal_bands(threshold, num_perm)
        self._width = self.rows * 4  # bytes per band
        self._tables: list[dict[bytes, set[int]]] = [{} for _ in range(self.bands)]
        self._keys: dict[int, list[bytes]] = {}

    def _band_keys(self, signature: bytes) -> list[bytes]:
        if len(signature) != SIGNATURE_BYTES:
            raise ValueError(f"a signature has {SIGNATURE_BYTES} bytes, got {len(signature)}")
        width = self._width
        return [signature[i * width : (i + 1) * width] for i in range(self.bands)]

    def __contains__(self, key: int) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def insert(self, key: int, signature: bytes) -> None:
        if key in self._keys:
            self.remove(key)
        bands = self._band_keys(signature)
        self._keys[key] = bands
        for table, band in zip(self._tables, bands):
            table.setdefault(band, set()).add(key)

    def remove(self, key: int) -> None:
        for table, band in zip(self._tables, self._keys.pop(key)):
            bucket = table[band]
            bucket.discard(key)
            if not bucket:
                del table[band]

    def query(self, signature: bytes) -> set[int]:
        found: set[int] = set()
        for table, band in zip(self._tables, self._band_keys(signature)):
            found.update(table.get(band, ()))
        return found


class NearDupIndex:
    """An in-memory LSH index of article signatures, kept in step with the database."""

    def __init__(self, threshold: float = 0.8, *, horizon_days: float = 30.0) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.horizon_days = horizon_days
        self._lsh = BandIndex(max(0.3, threshold - CANDIDATE_MARGIN))
        self._loaded = False
        self._high_water = 0  # highest article id seen in the database
        self._undo: list[tuple[int, bytes | None]] = []  # (key, previous signature) since commit()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def __len__(self) -> int:
        return len(self._lsh) if self._loaded else 0

    # -- keeping in step with the database -------------------------------------------------

    def sync(self, session: Session) -> None:
        """Build the index on first use, later add what others stored since (ids above the mark)."""
        from sqlalchemy import select

        from storage.models import Article

        stmt = select(Article.id, Article.minhash, Article.body).order_by(Article.id)
        if self._loaded:
            stmt = stmt.where(Article.id > self._high_water)
        elif self.horizon_days:
            since = datetime.now(timezone.utc) - timedelta(days=self.horizon_days)
            stmt = stmt.where(Article.created_at >= since)
        missing: list[tuple[int, bytes]] = []
        count = 0
        for article_id, stored, body in session.execute(stmt.execution_options(yield_per=1000)):
            self._high_water = max(self._high_water, article_id)
            signature = stored
            if signature is None and body:
                # Rows from before signatures were kept: computed once, written back.
                signature = signature_bytes(body)
                if signature is not None:
                    missing.append((article_id, signature))
            if signature is not None and article_id not in self._lsh:
                self._lsh.insert(article_id, signature)
                count += 1
        if missing:
            from sqlalchemy import update

            for article_id, signature in missing:
                session.execute(update(Article).where(Article.id == article_id).values(minhash=signature))
        if not self._loaded:
            logger.info("near-duplicate index built from %d stored signatures", count)
        self._loaded = True
        self._undo.clear()

    def add(self, article_id: int, signature: bytes | None, *, previous: bytes | None = None) -> None:
        """Index an article (again, after a revision: `previous` is its old signature)."""
        if not self._loaded:
            return  # built from the database when first needed, which includes this row
        if article_id in self._lsh:
            self._lsh.remove(article_id)
        else:
            previous = None
        self._undo.append((article_id, previous))
        self._high_water = max(self._high_water, article_id)
        if signature is not None:
            self._lsh.insert(article_id, signature)

    def candidates(self, signature: bytes) -> list[int]:
        return sorted(self._lsh.query(signature)) if self._loaded else []

    def commit(self) -> None:
        self._undo.clear()

    def rollback(self) -> None:
        """Forget what was added since the last commit: those rows were never stored."""
        for article_id, previous in reversed(self._undo):
            if article_id in self._lsh:
                self._lsh.remove(article_id)
            if previous is not None:
                self._lsh.insert(article_id, previous)
        self._undo.clear()


def best_match(signature: bytes, stored: Iterable[tuple[int, bytes | None]], threshold: float) -> tuple[int, float] | None:
    """The stored article most similar to `signature` at or above `threshold`, with its score."""
    best: tuple[int, float] | None = None
    for article_id, other in stored:
        if other is None:
            continue
        score = similarity(signature, other)
        if score >= threshold and (best is None or score > best[1]):
            best = (article_id, score)
    return best
