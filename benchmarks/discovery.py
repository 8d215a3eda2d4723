"""Discovery parsing speed: entries found and CPU time per entry over a generated news site.

    python -m benchmarks.discovery [--sitemap-entries 10000] [--feed-entries 1000] [--per-sitemap 1000] [--repeat 3]

The site, generated in memory (no network): a robots.txt naming a sitemap index; the index's
children split the sitemap entries between the forms publishers use, in turn: a Google News
urlset (keywords, publication, image captions), the same gzipped, a plain-text sitemap and an RSS
feed listed as a sitemap; and one RSS 2.0 feed of `--feed-entries` items. Every document goes
through the parsers the spider calls (`sitemaps_from_robots`, `parse_sitemap`, `parse_feed`).
Reported per kind: entries found against entries generated, and CPU microseconds per entry
(`time.process_time`, best of `--repeat`). Reads no settings.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from crawler.discovery import parse_feed, parse_sitemap, sitemaps_from_robots

BASE = "https://bench.example.com"
FORMS = ("news", "news_gz", "text", "rss")


def _article(n: int) -> str:
    return f"{BASE}/2025/10/{n % 28 + 1:02d}/story-number-{n}-about-the-city-council/"


def _news_urlset(numbers: range) -> bytes:
    urls = "".join(
        f"<url><loc>{_article(n)}</loc><lastmod>2025-10-{n % 28 + 1:02d}T10:00:00+02:00</lastmod>"
        f"<news:news><news:publication><news:name>Bench</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>2025-10-{n % 28 + 1:02d}</news:publication_date><news:title>Story {n}</news:title>"
        f"<news:keywords>city, council, story {n}</news:keywords></news:news>"
        f"<image:image><image:loc>{BASE}/img/{n}.jpg</image:loc><image:caption>Picture {n}</image:caption></image:image></url>"
        for n in numbers
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        f'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">{urls}</urlset>'
    ).encode()


def _rss(numbers: range) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{_article(n)}</link>"
        f"<pubDate>Tue, {n % 28 + 1:02d} Oct 2025 10:00:00 EST</pubDate><description>About story {n}.</description></item>"
        for n in numbers
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()


@dataclass(slots=True)
class Site:
    robots: bytes
    index: bytes
    sitemaps: dict[str, tuple[str, bytes, int]]  # url -> (form, body, entries generated)
    feed: bytes
    feed_entries: int


def generate(sitemap_entries: int, feed_entries: int, per_sitemap: int) -> Site:
    sitemaps: dict[str, tuple[str, bytes, int]] = {}
    for i, start in enumerate(range(0, sitemap_entries, per_sitemap)):
        numbers = range(start, min(start + per_sitemap, sitemap_entries))
        form = FORMS[i % len(FORMS)]
        body = {
            "news": lambda: _news_urlset(numbers),
            "news_gz": lambda: gzip.compress(_news_urlset(numbers)),
            "text": lambda: "".join(f"{_article(n)}\n" for n in numbers).encode(),
            "rss": lambda: _rss(numbers),
        }[form]()
        sitemaps[f"{BASE}/sitemaps/{i}.{form}"] = (form, body, len(numbers))
    locs = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in sitemaps)
    index = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'.encode()
    robots = f"User-agent: *\nDisallow: /private/\nSite-map: {BASE}/sitemap_index.xml # all\n".encode()
    feed_numbers = range(sitemap_entries, sitemap_entries + feed_entries)
    return Site(robots, index, sitemaps, _rss(feed_numbers), feed_entries)


def _best(run: Callable[[], int], repeat: int) -> tuple[int, float]:
    """(entries found, best CPU seconds) over `repeat` runs."""
    best, found = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        found = run()
        best = min(best, time.process_time() - started)
    return found, best


def measure(site: Site, repeat: int) -> list[tuple[str, int, int, float]]:
    """Rows (kind, entries generated, entries found, CPU us per entry)."""
    rows = []
    found, cpu = _best(lambda: len(sitemaps_from_robots(site.robots, f"{BASE}/robots.txt").entries), repeat)
    rows.append(("robots.txt", 1, found, cpu * 1e6 / max(found, 1)))
    found, cpu = _best(lambda: len(parse_sitemap(site.index, f"{BASE}/sitemap_index.xml").entries), repeat)
    rows.append(("sitemap index", len(site.sitemaps), found, cpu * 1e6 / max(found, 1)))
    for form in FORMS:
        docs = [(url, body, n) for url, (f, body, n) in site.sitemaps.items() if f == form]
        expected = sum(n for _, _, n in docs)
        found, cpu = _best(lambda docs=docs: sum(len(parse_sitemap(body, url).entries) for url, body, _ in docs), repeat)
        rows.append((f"sitemap ({form})", expected, found, cpu * 1e6 / max(found, 1)))
    found, cpu = _best(lambda: len(parse_feed(site.feed, f"{BASE}/feed.xml").entries), repeat)
    rows.append(("feed (RSS 2.0)", site.feed_entries, found, cpu * 1e6 / max(found, 1)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sitemap-entries", type=int, default=10_000)
    parser.add_argument("--feed-entries", type=int, default=1_000)
    parser.add_argument("--per-sitemap", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    site = generate(args.sitemap_entries, args.feed_entries, args.per_sitemap)
    rows = measure(site, args.repeat)
    out = ["| document | entries generated | entries found | CPU us / entry |", "|---|---:|---:|---:|"]
    out += [f"| {kind} | {expected:,} | {found:,} | {us:.1f} |" for kind, expected, found, us in rows]
    articles = [r for r in rows if r[0].startswith(("sitemap (", "feed"))]
    total_expected = sum(r[1] for r in articles)
    total_found = sum(r[2] for r in articles)
    total_us = sum(r[2] * r[3] for r in articles) / max(total_found, 1)
    out.append(f"| all article entries | {total_expected:,} | {total_found:,} | {total_us:.1f} |")
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if total_found == total_expected else 1


if __name__ == "__main__":
    sys.exit(main())
