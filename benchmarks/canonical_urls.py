"""Canonical-URL speed: time per URL of `canonicalize_url` over real links from the gold corpora.

    python -m benchmarks.canonical_urls [--corpora ../shared/corpora] [--urls 10000] [--seed 1] [--repeat 5]

The URLs are the corpora's page URLs and the absolute http(s) links in their HTML (what
discovery meets), a seeded sample. Each repeat starts with the per-URL cache cleared (when the
function has one), so the figure is for URLs seen for the first time; the public-suffix list is
loaded before the clock starts. Reported: the best repeat's microseconds per URL, the same
for URLs seen before, and the number of distinct inputs and keys. Run it with another
checkout first on PYTHONPATH to compare two versions. Reads no settings.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

from benchmarks.corpora import CORPORA, default_corpora_root, read_corpus
from pipelines.extraction import urls as urls_module
from pipelines.extraction.urls import canonicalize_url

_HREF = re.compile(r"""href=["']([^"'#][^"']{3,500})["']""", re.IGNORECASE)


def corpus_urls(root: Path, count: int, seed: int) -> list[str]:
    """`count` URLs met in the corpora (page URLs and absolute links), a seeded sample."""
    found: list[str] = []
    for corpus in CORPORA:
        for page in read_corpus(root, corpus):
            found.append(page.url)
            found.extend(u for u in (urljoin(page.url, m.group(1).strip()) for m in _HREF.finditer(page.html)) if u.startswith("http"))
    random.Random(seed).shuffle(found)
    return found[:count]


def _clear_cache() -> None:
    cached = getattr(urls_module, "_canonical", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def time_per_url(urls: list[str], repeat: int, *, fresh: bool) -> float:
    """Best of `repeat` runs over `urls`, in microseconds per URL."""
    best = float("inf")
    for _ in range(repeat):
        if fresh:
            _clear_cache()
        started = time.perf_counter()
        for url in urls:
            canonicalize_url(url)
        best = min(best, time.perf_counter() - started)
    return best / len(urls) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=default_corpora_root())
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    urls = corpus_urls(args.corpora, args.urls, args.seed)
    keys = {canonicalize_url(u) for u in urls}  # also loads the public-suffix list
    first = time_per_url(urls, args.repeat, fresh=True)
    again = time_per_url(urls, args.repeat, fresh=False)
    sys.stdout.write(
        f"{len(urls):,} URLs ({len(set(urls)):,} distinct, {len(keys):,} keys)\n"
        f"first sight: {first:.2f} us per URL (best of {args.repeat})\nseen before: {again:.2f} us per URL\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
