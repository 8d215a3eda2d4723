"""MinHash signatures computed in numpy are byte-identical to datasketch's `MinHash.update_batch`
(the stored signatures stay valid), on corpus bodies and on the shingle paths' edge cases."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from datasketch import MinHash

from benchmarks.corpora import CORPORA, default_corpora_root
from benchmarks.signatures import corpus_bodies, reference_shingles, reference_signature_bytes
from dedup.signatures import NUM_PERM, PERMUTATIONS, SCHEME, SEED, from_bytes, minhash_of, shingles, signature_bytes

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
EDGE_CASES = [
    "",
    "   ",
    "one",
    "exactly five words right here",
    "six words are one more here",
    "Repeated words repeated words repeated words repeated words repeated words.",
    "Zürich’s ﬁnance café: naïve résumé façade — Straße, ΑΘΗΝΑ, Москва, İstanbul 2024.",
    "東京都は新しい防災計画を発表した。市民の安全を守るための取り組みが始まる。",
    "서울시는 오늘 새로운 교통 정책을 발표했다 시민들의 반응은 엇갈렸다",
    "🙂 emoji 🙂 and symbols ≠ words … and more words to make several shingles here",
]


def fixture_texts() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.rglob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        texts.append(re.sub(r"<[^>]+>", " ", html))  # the page's words, tags out: enough shingles to compare
    return texts


def corpus_texts() -> list[str]:
    root = Path(os.environ.get("NEWSPIPE_CORPORA") or default_corpora_root())
    if not root.exists() and Path("/work/shared/corpora").exists():
        root = Path("/work/shared/corpora")
    if not all((root / name).exists() for name in CORPORA):
        return []
    return corpus_bodies(root)


def test_signatures_are_byte_identical_to_datasketch() -> None:
    texts = EDGE_CASES + fixture_texts() + corpus_texts()
    assert len(texts) > len(EDGE_CASES)
    for text in texts:
        assert shingles(text) == reference_shingles(text)
        new, old = signature_bytes(text), reference_signature_bytes(text)
        assert new == old, text[:80]
        assert new is None or len(new) == 4 * NUM_PERM


def test_signatures_do_not_hash_shingle_by_shingle_in_datasketch(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: MinHash, values: object) -> None:
        raise AssertionError("per-shingle hashing in MinHash.update_batch")

    monkeypatch.setattr(MinHash, "update_batch", refuse)
    assert signature_bytes(EDGE_CASES[5]) is not None


def test_permutations_are_datasketchs() -> None:
    # Drawn without datasketch (importing it imports scipy): the same multipliers and offsets,
    # so the stored signatures stay comparable with new ones.
    expected = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    assert PERMUTATIONS.dtype == expected.dtype and PERMUTATIONS.tobytes() == expected.tobytes()


def test_datasketch_objects_still_built_on_request() -> None:
    text = "six words are one more here and then a few more words"
    built = minhash_of(text)
    assert built is not None and built.hashvalues.astype("<u4").tobytes() == signature_bytes(text)
    assert from_bytes(signature_bytes(text) or b"").jaccard(built) == 1.0


def test_signatures_import_neither_datasketch_nor_scipy() -> None:
    code = "import sys, dedup.signatures, pipelines.store; print(sorted({m.split('.')[0] for m in sys.modules} & {'datasketch', 'scipy'}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]", done.stdout
