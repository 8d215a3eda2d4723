"""`pipelines.neardup` computes datasketch's MinHash signatures and LSH bands itself (importing
datasketch costs a second of start-up): the values must stay those datasketch gives, or
signatures stored by earlier versions would stop matching new ones."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipelines.neardup import NUM_PERM, SEED, BandIndex, optimal_bands, shingles, signature_bytes

datasketch = pytest.importorskip("datasketch")
from datasketch.lsh import _optimal_param  # noqa: E402

WORDS = "council budget road school library resident market river bridge election court mayor storm harbour".split()


def datasketch_signature(text: str) -> bytes | None:
    grams = shingles(text)
    if not grams:
        return None
    minhash = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype("<u4").tobytes()


def texts() -> list[str]:
    rng = random.Random(7)
    samples = ["", "One.", "Short text of four", "東京都で新しい図書館が開館し、多くの市民が訪れた。" * 3]
    for size in (6, 40, 300, 5000):  # 5000 words: more shingles than one hashing chunk
        samples.append(" ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(size)))
    return samples


@pytest.mark.parametrize("text", texts(), ids=lambda t: f"{len(t)} chars")
def test_signatures_are_datasketchs(text: str) -> None:
    assert signature_bytes(text) == datasketch_signature(text)


@pytest.mark.parametrize("threshold", [round(0.3 + 0.05 * i, 2) for i in range(15)])
def test_bands_are_those_minhashlsh_picks(threshold: float) -> None:
    assert optimal_bands(threshold) == _optimal_param(threshold, NUM_PERM, 0.5, 0.5)


def test_band_index_finds_what_minhashlsh_finds() -> None:
    rng = random.Random(3)
    base = [" ".join(rng.choice(WORDS) + str(rng.randrange(30)) for _ in range(200)) for _ in range(30)]
    # Copies with a share of their words changed: some near, some far.
    bodies = base + [" ".join(w if rng.random() > share else "edited" for w in body.split()) for body in base for share in (0.02, 0.1, 0.3)]
    signatures = [signature_bytes(body) for body in bodies]
    ours = BandIndex(0.6)
    theirs = datasketch.MinHashLSH(threshold=0.6, num_perm=NUM_PERM)
    for key, signature in enumerate(signatures):
        ours.insert(key, signature)
        values = np.frombuffer(signature, dtype="<u4")
        theirs.insert(key, datasketch.LeanMinHash(seed=SEED, hashvalues=values, scheme="affine32"))
    for key in range(0, len(signatures), 7):  # removals are followed too
        ours.remove(key)
        theirs.remove(key)
    assert len(ours) == len(theirs.keys)
    hits = 0
    for signature in signatures:
        values = np.frombuffer(signature, dtype="<u4")
        expected = set(theirs.query(datasketch.LeanMinHash(seed=SEED, hashvalues=values, scheme="affine32")))
        assert ours.query(signature) == expected
        hits += len(expected) > 1
    assert hits  # the near copies were found, so the comparison meant something
