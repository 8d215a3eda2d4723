"""Near-duplicate detection: MinHash signatures of article bodies and an LSH index over them.

Scrapy-free. A body becomes the set of its word 5-shingles (words as in
`pipelines.fingerprint.normalised_words`, so re-templating does not matter), and the
set a 128-value MinHash signature (datasketch's affine32 scheme, computed in numpy: byte-identical
to `MinHash.update_batch`, a test checks it), stored with the article as bytes (`signature_bytes`). `NearDupIndex` keeps a MinHashLSH index of stored signatures in
memory: built from the database the first time it is asked (only articles stored within
`horizon_days`, so the cost stays bounded), caught up with rows other processes added
(`sync`, which asks the database for the highest article id first and reads rows only
when others stored some), and undone when a batch is rolled back. Ids below the highest seen
that have not shown up are looked for again at each sync for `GAP_SECONDS`: on PostgreSQL a
concurrent writer may commit lower ids after higher ones were read (ids come from a sequence
as rows are written, not when they are committed). An article's signature
is turned into datasketch's `LeanMinHash` once per batch: the one built to query the index
is the one inserted. LSH finds candidates at a lower
threshold than the one asked for; the repository confirms them with the Jaccard
similarity estimated from the two signatures.

Settings (read by `pipelines.store`): NEWSPIPE_NEAR_DUP_THRESHOLD,
NEWSPIPE_NEAR_DUP_HORIZON_DAYS.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable
from hashlib import sha1
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipelines.fingerprint import normalised_words

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"  # datasketch >= 2: 32-bit values, collision-free permutations
# Candidates are fetched below the threshold and confirmed on the estimate: the LSH
# S-curve is not a step, so asking LSH at exactly the threshold loses pairs near it.
CANDIDATE_MARGIN = 0.2
# How long an id below the highest seen is looked for: a concurrent writer's batch commits within
# seconds (retries included); a rolled-back one never does, and is given up after this.
GAP_SECONDS = 600.0
MAX_GAPS = 2_000  # ids looked for at most (the highest kept; 40 batches of 50 in flight elsewhere): one small query
# The initial build also reads the newest ids whatever their age, so that ids missing among
# them are known to be missing (in flight elsewhere, or rolled back) and looked for later.
INITIAL_TAIL_IDS = 1_000

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
_SHA1_WORDS = 5  # a SHA-1 digest is 20 bytes: five 4-byte words
# The template's permutations as columns (NUM_PERM x 1), for `signature_values`.
_MULTIPLIERS, _OFFSETS = (np.ascontiguousarray(column[:, np.newaxis]) for column in _TEMPLATE.permutations)


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
    # Encoded once (words hold no spaces), then shifted copies zipped: no slice or encode per n-gram.
    encoded = " ".join(words).encode("utf-8").split(b" ")
    return set(map(b" ".join, zip(*(encoded[i:] for i in range(size)))))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme applies it to each input hash."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signature_values(grams: set[bytes]) -> np.ndarray | None:
    """The NUM_PERM uint32 MinHash values of a non-empty shingle set, exactly as datasketch's
    `MinHash.update_batch` computes them (affine32, SHA-1), without its per-shingle Python work:
    one digest per shingle, their first 4 bytes read as one array (datasketch's `sha1_hash32`),
    then the mix, permutations and minimum in numpy."""
    if not grams:
        return None
    digests = b"".join([sha1(gram).digest() for gram in grams])
    hashed = np.frombuffer(digests, dtype="<u4")[::_SHA1_WORDS].astype(np.uint32)
    # One row per permutation (each row's minimum is a contiguous reduction), computed in place;
    # uint32 arithmetic wraps around: that is the scheme's modulo 2**32.
    permuted = np.multiply(_MULTIPLIERS, _fmix32(hashed)[np.newaxis, :])
    permuted += _OFFSETS
    return permuted.min(axis=1)


def minhash_of(text: str) -> MinHash | None:
    """The MinHash of the body's shingles; None for an empty body."""
    values = signature_values(shingles(text))
    if values is None:
        return None
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, permutations=_TEMPLATE.permutations, scheme=SCHEME)


def signature_bytes(text: str) -> bytes | None:
    """The stored form of a body's signature: NUM_PERM little-endian uint32 values."""
    values = signature_values(shingles(text))
    if values is None:
        return None
    # The affine32 scheme keeps hash values in 32 bits.
    return values.astype("<u4").tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype="<u4").copy()
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, permutations=_TEMPLATE.permutations, scheme=SCHEME)


def _lean(data: bytes) -> LeanMinHash:
    """A stored signature as the LSH index takes it: no permutations to copy, so several times cheaper than `from_bytes`."""
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype="<u4"), scheme=SCHEME)


@functools.cache
def _sync_statements() -> tuple[Any, Any]:
    """`sync`'s two queries, built once (SQLAlchemy then compiles each once, not per batch)."""
    from sqlalchemy import func, select

    from storage.models import Article

    return select(func.max(Article.id)), select(Article.id, Article.minhash, Article.body).order_by(Article.id)


def _missing_ids(low: int, high: int, seen: set[int]) -> list[int]:
    """Ids in (low, high] not in `seen`, at most MAX_GAPS of them (the highest)."""
    low = max(low, high - MAX_GAPS)
    return [i for i in range(low + 1, high + 1) if i not in seen]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if len(left) != len(right) or not len(left):
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)


class NearDupIndex:
    """An in-memory LSH index of article signatures, kept in step with the database."""

    def __init__(self, threshold: float = 0.8, *, horizon_days: float = 30.0) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.horizon_days = horizon_days
        self._lsh = MinHashLSH(threshold=max(0.3, threshold - CANDIDATE_MARGIN), num_perm=NUM_PERM)
        self._loaded = False
        self._high_water = 0  # highest article id seen in the database
        self._committed_high_water = 0  # as it was at the last commit or sync
        self._gaps: dict[int, float] = {}  # ids below the high-water mark not seen yet -> when first missed
        self._committed_gaps: dict[int, float] = {}
        self._undo: list[tuple[int, bytes | None]] = []  # (key, previous signature) since commit()
        # Signatures queried in this batch, as the index takes them: `add` inserts the same object.
        self._prepared: dict[bytes, LeanMinHash] = {}

    @property
    def loaded(self) -> bool:
        return self._loaded

    def __len__(self) -> int:
        return len(self._lsh.keys) if self._loaded else 0

    # -- keeping in step with the database -------------------------------------------------

    def sync(self, session: Session) -> None:
        """Build the index on first use; later add what others stored since (ids above the mark,
        and ids below it that were missing last time)."""
        from sqlalchemy import or_, update

        from storage.models import Article

        top_id, signatures = _sync_statements()
        # Most batches find nothing new: an index look-up says so without reading any row.
        top = session.connection().scalar(top_id)
        statements = []
        if self._loaded:
            self._expire_gaps(time.monotonic())
            if top is not None and top > self._high_water:
                statements.append(signatures.where(Article.id > self._high_water, Article.id <= top))
            if self._gaps:
                statements.append(signatures.where(Article.id.in_(sorted(self._gaps))))
            if not statements:
                self.commit()  # what the database holds is the new starting point
                return
            scanned_from = self._high_water
        else:
            scanned_from = max(0, (top or 0) - INITIAL_TAIL_IDS)
            if self.horizon_days:
                since = datetime.now(timezone.utc) - timedelta(days=self.horizon_days)
                statements.append(signatures.where(or_(Article.created_at >= since, Article.id > scanned_from)))
            else:
                statements.append(signatures)
        missing: list[tuple[int, bytes]] = []
        seen: set[int] = set()
        count = 0
        for stmt in statements:
            for article_id, stored, body in session.execute(stmt.execution_options(yield_per=1000)):
                seen.add(article_id)
                self._gaps.pop(article_id, None)
                signature = stored
                if signature is None and body:
                    # Rows from before signatures were kept: computed once, written back.
                    signature = signature_bytes(body)
                    if signature is not None:
                        missing.append((article_id, signature))
                if signature is not None and article_id not in self._lsh.keys:
                    self._lsh.insert(article_id, _lean(signature), check_duplication=False)
                    count += 1
        if top is not None and top > scanned_from:
            # Ids up to `top` that are not there yet: a concurrent writer's uncommitted rows, or rolled back.
            self._raise_mark(scanned_from, top, seen)
        for article_id, signature in missing:
            session.execute(update(Article).where(Article.id == article_id).values(minhash=signature))
        if not self._loaded:
            logger.info("near-duplicate index built from %d stored signatures", count)
        self._loaded = True
        self.commit()  # what the database holds is the new starting point

    def _expire_gaps(self, now: float) -> None:
        if self._gaps:
            for article_id in [i for i, since in self._gaps.items() if now - since > GAP_SECONDS]:
                del self._gaps[article_id]

    def _raise_mark(self, low: int, top: int, seen: set[int]) -> None:
        """Raise the high-water mark to `top`; ids in (low, top] not in `seen` are looked for at later syncs."""
        now = time.monotonic()
        for article_id in _missing_ids(low, top, seen):
            self._gaps.setdefault(article_id, now)
        self._high_water = max(self._high_water, top)
        if len(self._gaps) > MAX_GAPS:
            self._gaps = {i: self._gaps[i] for i in sorted(self._gaps)[-MAX_GAPS:]}

    def add(self, article_id: int, signature: bytes | None, *, previous: bytes | None = None) -> None:
        """Index an article (again, after a revision: `previous` is its old signature)."""
        if not self._loaded:
            return  # built from the database when first needed, which includes this row
        if article_id in self._lsh.keys:
            self._lsh.remove(article_id)
        else:
            previous = None
        self._undo.append((article_id, previous))
        if article_id > self._high_water:
            # Ids skipped over were given to another writer whose batch may not be committed yet.
            self._raise_mark(self._high_water, article_id, {article_id})
        else:
            self._gaps.pop(article_id, None)
        if signature is not None:
            lean = self._prepared.pop(signature, None)
            self._lsh.insert(article_id, lean if lean is not None else _lean(signature), check_duplication=False)

    def candidates(self, signature: bytes) -> list[int]:
        """Stored articles whose signatures share a band with this one (unconfirmed)."""
        if not self._loaded:
            return []
        lean = self._prepared.get(signature)
        if lean is None:
            lean = self._prepared[signature] = _lean(signature)
        return sorted(self._lsh.query(lean))

    def commit(self) -> None:
        """The batch is stored (or the index caught up): nothing since is to be undone."""
        self._committed_high_water = self._high_water
        if self._gaps or self._committed_gaps:
            self._committed_gaps = dict(self._gaps)
        self._undo.clear()
        self._prepared.clear()

    def rollback(self) -> None:
        """Forget what was added since the last commit: those rows were never stored."""
        for article_id, previous in reversed(self._undo):
            if article_id in self._lsh.keys:
                self._lsh.remove(article_id)
            if previous is not None:
                self._lsh.insert(article_id, _lean(previous), check_duplication=False)
        self._undo.clear()
        self._prepared.clear()
        # Ids of rows never stored may be given again (SQLite takes max + 1): `sync` must not skip them.
        self._high_water = self._committed_high_water
        self._gaps = dict(self._committed_gaps)


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
