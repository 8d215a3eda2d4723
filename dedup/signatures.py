"""MinHash signatures of article bodies: how near-identical two texts are, without the texts.

Scrapy-free. A body becomes the set of its word 5-shingles (words as in
`dedup.fingerprint.normalised_words`, so re-templating does not matter), and the
set a 128-value MinHash signature (datasketch's affine32 scheme, computed in numpy: byte-identical
to `MinHash.update_batch`, a test checks it), stored with the article as bytes (`signature_bytes`).
The permutations are drawn here as datasketch draws them (a test compares them): importing
datasketch runs its package `__init__`, which imports its LSH classes and with them scipy, about a
third of a CPU second of every crawl's start-up (BENCHMARKS.md, "Crawl start-up"). datasketch is
imported only by `minhash_of` and `from_bytes`, which build its `MinHash` objects.
Two signatures estimate the Jaccard similarity of the two shingle sets (`similarity`);
`best_match` confirms the candidates the shared index (`dedup.index`) finds. Reads no settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import sha1
from typing import TYPE_CHECKING

import numpy as np

from dedup.fingerprint import normalised_words

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"  # datasketch >= 2: 32-bit values, collision-free permutations
_SHA1_WORDS = 5  # a SHA-1 digest is 20 bytes: five 4-byte words


def _affine32_permutations(num_perm: int, seed: int) -> np.ndarray:
    """The (2, num_perm) uint32 multipliers and offsets `MinHash(num_perm, seed, scheme="affine32")`
    draws: odd multipliers (a bijection modulo 2**32), from NumPy's legacy `RandomState`, whose
    stream NumPy keeps stable across releases."""
    generator = np.random.RandomState(seed)
    multipliers = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([multipliers, offsets])


PERMUTATIONS = _affine32_permutations(NUM_PERM, SEED)
# The permutations as columns (NUM_PERM x 1), for `signature_values`.
_MULTIPLIERS, _OFFSETS = (np.ascontiguousarray(column[:, np.newaxis]) for column in PERMUTATIONS)


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


def _minhash(values: np.ndarray) -> MinHash:
    from datasketch import MinHash  # here, not at the top: see the module docstring

    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, permutations=PERMUTATIONS, scheme=SCHEME)


def minhash_of(text: str) -> MinHash | None:
    """The datasketch MinHash of the body's shingles; None for an empty body."""
    values = signature_values(shingles(text))
    if values is None:
        return None
    return _minhash(values)


def signature_bytes(text: str) -> bytes | None:
    """The stored form of a body's signature: NUM_PERM little-endian uint32 values."""
    values = signature_values(shingles(text))
    if values is None:
        return None
    # The affine32 scheme keeps hash values in 32 bits.
    return values.astype("<u4").tobytes()


def from_bytes(data: bytes) -> MinHash:
    return _minhash(np.frombuffer(data, dtype="<u4").copy())


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if len(left) != len(right) or not len(left):
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)


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
