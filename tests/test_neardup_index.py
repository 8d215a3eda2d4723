"""The near-duplicate index's banding: the same candidates as datasketch's MinHashLSH, and undo."""

from __future__ import annotations

import random

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from pipelines.neardup import CANDIDATE_MARGIN, NUM_PERM, SCHEME, SEED, NearDupIndex, signature_bytes


def _bodies(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    base = [" ".join(rng.choices(words, k=120)) for _ in range(n)]
    # Every third body is a copy of another with a few words changed: near duplicates at various levels.
    for i in range(0, n, 3):
        tokens = base[(i + 1) % n].split()
        for _ in range(rng.randint(1, 30)):
            tokens[rng.randrange(len(tokens))] = rng.choice(words)
        base[i] = " ".join(tokens)
    return base


def test_candidates_are_datasketchs() -> None:
    signatures = [signature_bytes(b) for b in _bodies(120)]
    index = NearDupIndex(0.8)
    index._loaded = True  # built by hand here, not from a database
    lsh = MinHashLSH(threshold=max(0.3, 0.8 - CANDIDATE_MARGIN), num_perm=NUM_PERM)
    for key, signature in enumerate(signatures[:80]):
        assert signature is not None
        index.add(key, signature)
        lsh.insert(key, LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature, dtype="<u4"), scheme=SCHEME))
    pairs = 0
    for signature in signatures:
        assert signature is not None
        expected = sorted(lsh.query(LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature, dtype="<u4"), scheme=SCHEME)))
        assert index.candidates(signature) == expected
        pairs += len(expected) > 1
    assert pairs > 5  # near copies among the stored find each other, not only themselves


def test_rollback_takes_out_what_a_failed_batch_added() -> None:
    bodies = _bodies(6)
    a, b = signature_bytes(bodies[1]), signature_bytes(bodies[2])  # unrelated texts
    assert a is not None and b is not None
    index = NearDupIndex(0.8)
    index._loaded = True
    index.add(1, a)
    index.commit()
    index.add(2, a)  # shares every band with 1
    index.add(1, b, previous=a)  # a revision of 1
    index.rollback()
    assert index.candidates(a) == [1] and index.candidates(b) == [] and len(index) == 1
