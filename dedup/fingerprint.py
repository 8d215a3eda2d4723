"""Content fingerprints for exact-duplicate detection: a hash of the normalised body text.

Normalising (Unicode NFKC, case-folded, words only) makes the hash ignore what
re-templating changes (quotes, dashes, spacing, line breaks) and keep what a
copy keeps: the words in order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_WORDS = re.compile(r"\w+")


def normalised_words(text: str) -> list[str]:
    return list(_normalised_words(text))


@lru_cache(maxsize=8)
def _normalised_words(text: str) -> tuple[str, ...]:
    # Cached: the dedup pipeline's content hash and the store's MinHash signature normalise the
    # same body one after the other.
    return tuple(_WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(_normalised_words(text)).encode("utf-8")).hexdigest()
