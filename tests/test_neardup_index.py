"""The near-duplicate index: a failed batch's additions are undone."""

from __future__ import annotations

import random

from pipelines.neardup import NearDupIndex, signature_bytes


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


def test_ids_skipped_over_are_looked_for_until_they_expire(monkeypatch) -> None:
    from pipelines import neardup

    bodies = _bodies(6)
    a, b = signature_bytes(bodies[1]), signature_bytes(bodies[2])
    index = NearDupIndex(0.8)
    index._loaded = True
    index.add(1, a)
    index.commit()
    index.add(5, b)  # 2 to 4 went to another writer, whose batch may still be open
    assert sorted(index._gaps) == [2, 3, 4]
    index.rollback()  # not stored after all: nothing was skipped over
    assert index._gaps == {}
    index.add(5, b)
    index.add(3, a)  # one of them was ours
    index.commit()
    assert sorted(index._gaps) == [2, 4]
    later = neardup.time.monotonic() + neardup.GAP_SECONDS + 1
    monkeypatch.setattr(neardup.time, "monotonic", lambda: later)
    index._expire_gaps(later)
    assert index._gaps == {}
