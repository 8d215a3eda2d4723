"""The seeds of a distributed crawl: what `newspipe enqueue` pushes and workers turn into requests.

A seed is one discovery document of a source (feed, sitemap, robots.txt with Sitemap:
lines, section page), as the `news` spider's `discovery_requests` would request it, plus
the cycle it belongs to. Seeds are JSON on the job's start key (a Redis list), so they can
be pushed by hand or from another language too:
`{"url": ..., "kind": "feed", "source": "example-news", "seed": true, "root": null, "cycle": "..."}`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from crawler.spiders.base import robots_urls

if TYPE_CHECKING:
    from collections.abc import Iterable

    from redis import Redis

    from crawler.distributed.keys import JobKeys
    from crawler.sources import Source

KINDS = ("feed", "sitemap", "robots", "section")


class BadSeed(ValueError):
    """A start-key entry that is not a usable seed."""


@dataclass(frozen=True, slots=True)
class Seed:
    url: str
    kind: str
    source: str
    seed: bool = True  # counted as a seed of the run (robots.txt lookups are not)
    root: str | None = None  # section pages: the section the pagination belongs to
    cycle: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, data: bytes | str) -> Seed:
        try:
            raw: Any = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadSeed(f"not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise BadSeed("not a JSON object")
        url, kind, source = raw.get("url"), raw.get("kind"), raw.get("source")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise BadSeed(f"no http(s) url: {url!r}")
        if kind not in KINDS:
            raise BadSeed(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        if not isinstance(source, str) or not source:
            raise BadSeed("no source name")
        root = raw.get("root")
        return cls(
            url=url,
            kind=kind,
            source=source,
            seed=bool(raw.get("seed", True)),
            root=root if isinstance(root, str) else None,
            cycle=str(raw.get("cycle") or ""),
        )


def new_cycle(now: datetime | None = None) -> str:
    """A cycle id: UTC time (sortable, readable) and a random suffix (two enqueues in one second differ)."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def seeds_for(sources: Iterable[Source], cycle: str, kinds: tuple[str, ...] = ("feed", "sitemap", "section")) -> list[Seed]:
    """The seeds of these sources, in the order of `BaseNewsSpider.discovery_requests`."""
    seeds: list[Seed] = []
    for source in sources:
        if "feed" in kinds:
            seeds.extend(Seed(url, "feed", source.name, cycle=cycle) for url in source.feeds)
        if "sitemap" in kinds:
            if source.robots_sitemaps:
                seeds.extend(Seed(url, "robots", source.name, seed=False, cycle=cycle) for url in robots_urls(source))
            seeds.extend(Seed(url, "sitemap", source.name, cycle=cycle) for url in source.sitemaps)
        if "section" in kinds:
            seeds.extend(Seed(url, "section", source.name, root=url, cycle=cycle) for url in source.sections)
    return seeds


def push_seeds(server: Redis, keys: JobKeys, seeds: list[Seed]) -> int:
    """Append the seeds to the job's start key; the list's length afterwards."""
    if not seeds:
        return int(server.llen(keys.start))
    return int(server.rpush(keys.start, *(seed.to_json() for seed in seeds)))
