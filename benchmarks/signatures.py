"""CPU time per MinHash signature: `dedup.signatures.signature_bytes` against the implementation it
replaced (shingles sliced per position, then datasketch's `MinHash.update_batch`, which hashes
each shingle with a Python call), in the same run, over the gold corpora's article bodies.

    NEWSPIPE_CORPORA=/work/shared/corpora python -m benchmarks.signatures --repeats 3

Each repeat times both over every body (old first, then new), with `time.process_time`; the
signatures are checked byte for byte on the way. `reference_signature_bytes` is the old code,
kept here as the reference `tests/test_signatures.py` compares with.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from pathlib import Path

from datasketch import MinHash

from benchmarks.corpora import CORPORA, default_corpora_root, read_corpus
from dedup.fingerprint import normalised_words
from dedup.signatures import NUM_PERM, SCHEME, SEED, SHINGLE_WORDS, shingles, signature_bytes

logger = logging.getLogger(__name__)

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def reference_shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """`dedup.signatures.shingles` as it was before the numpy signatures: word n-grams sliced and
    encoded one by one (the character-shingle and short-text branches did not change)."""
    words = normalised_words(text)
    if len(words) <= size or sum(map(len, words)) > 12 * len(words):
        return shingles(text, size)
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def reference_signature_bytes(text: str) -> bytes | None:
    """The signature as datasketch's `MinHash.update_batch` computed it before."""
    grams = reference_shingles(text)
    if not grams:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype("<u4").tobytes()


def corpus_bodies(root: Path) -> list[str]:
    return [page.body for name in CORPORA for page in read_corpus(root, name) if page.body]


def cpu_per_call(function: Callable[[str], bytes | None], texts: list[str]) -> float:
    """CPU seconds per call of `function`, over all `texts` once."""
    start = time.process_time()
    for text in texts:
        function(text)
    return (time.process_time() - start) / len(texts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--corpora", type=Path, default=None, help="corpora root (default: $NEWSPIPE_CORPORA)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    texts = corpus_bodies(args.corpora or default_corpora_root())
    different = sum(signature_bytes(t) != reference_signature_bytes(t) for t in texts)
    logger.info("%d bodies, %d signatures differ from the reference", len(texts), different)
    for repeat in range(1, args.repeats + 1):
        old = cpu_per_call(reference_signature_bytes, texts)
        new = cpu_per_call(signature_bytes, texts)
        logger.info("repeat %d: old %.3f ms, new %.3f ms per signature, new / old %.2f", repeat, old * 1e3, new * 1e3, new / old)


if __name__ == "__main__":
    main()
