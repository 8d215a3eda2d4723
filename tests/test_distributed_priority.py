"""Fan-out for distributed workers, against the real Redis (keys under a unique prefix per test):
the shared queue hands out requests in the spiders' priority order, and each enqueue cycle has
its own per-source request budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis
from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.discovery import DiscoveredURL
from crawler.distributed.dupefilter import CYCLE_META
from crawler.distributed.keys import JobKeys
from crawler.distributed.queue import ReliableQueue
from crawler.spiders.base import DISCOVERY_META

SOURCES = """
[[source]]
name = "herald"
domains = ["herald.test"]
feeds = ["https://herald.test/feed/"]
robots_sitemaps = false
"""


def spider_for(spider_cls: type, tmp_path: Path, **settings: Any) -> Any:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    crawler = get_crawler(spider_cls, {"NEWSPIPE_SOURCES_FILE": str(path), "NEWSPIPE_INCREMENTAL": False, **settings})
    crawler.spider = spider_cls.from_crawler(crawler)
    return crawler.spider


def test_queue_hands_out_documents_then_listed_articles_then_section_links(server: redis.Redis, keys: JobKeys, tmp_path: Path) -> None:
    from crawler.spiders.news import NewsSpider

    spider = spider_for(NewsSpider, tmp_path)
    herald = spider.sources_by_name["herald"]
    # Members of one score come out in the order of their stored bytes (length first, for
    # pickle; the URL, for JSON): the kinds are interleaved in both, so only priority sorts them.
    kinds: dict[str, list[Request]] = {"feed": [], "section": [], "listed": [], "link": []}
    for n in range(8):
        pad = "x" * n
        kinds["link"].append(spider.article_request(DiscoveredURL(f"https://herald.test/{n}a/{pad}/2025/10/01/section-link/"), herald, "section"))
        kinds["section"].append(spider._discovery_request(f"https://herald.test/{n}b/{pad}/news/", "section", herald))
        kinds["listed"].append(spider.article_request(DiscoveredURL(f"https://herald.test/{n}c/{pad}/2025/10/01/in-the-feed/"), herald, "feed"))
        kinds["feed"].append(spider._discovery_request(f"https://herald.test/{n}d/{pad}/feed/", "feed", herald))
    queue = ReliableQueue(server, spider, keys.requests, keys=keys, worker="w1")
    for n in range(8):
        for kind in ("link", "section", "listed", "feed"):
            queue.push(kinds[kind][n])
    kind_of = {r.url: kind for kind, requests in kinds.items() for r in requests}
    popped = [queue.pop() for _ in range(32)]
    order = [kind_of[r.url] for r in popped if r is not None]
    assert order == ["feed"] * 8 + ["section"] * 8 + ["listed"] * 8 + ["link"] * 8


def sitemap_response(urls: list[str], cycle: str) -> XmlResponse:
    body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()
    meta = {DISCOVERY_META: {"kind": "sitemap", "source": "herald", "depth": 0}, CYCLE_META: cycle}
    request = Request("https://herald.test/sitemap.xml", meta=meta)
    return XmlResponse(request.url, body=xml, request=request)


def test_each_cycle_has_its_own_per_source_budget(redis_url: str, keys: JobKeys, tmp_path: Path) -> None:
    from crawler.spiders.worker import WorkerSpider

    worker = spider_for(
        WorkerSpider, tmp_path, NEWSPIPE_MAX_REQUESTS_PER_SOURCE=3, NEWSPIPE_REDIS_URL=redis_url,
        NEWSPIPE_REDIS_PREFIX=keys.prefix, NEWSPIPE_REDIS_JOB=keys.job,
    )
    first = [f"https://herald.test/2025/10/01/first-batch-story-{n}/" for n in range(5)]
    more = [f"https://herald.test/2025/10/01/second-batch-story-{n}/" for n in range(5)]
    assert [r.url for r in worker.parse_sitemap(sitemap_response(first, "c1"))] == first[:3]
    assert worker.parse_sitemap(sitemap_response(more, "c1")) == []  # c1 has used its 3
    assert [r.url for r in worker.parse_sitemap(sitemap_response(more, "c2"))] == more[:3]
    assert worker.crawler.stats.get_value("newspipe/discovery/capped/source_requests") == 2 + 5 + 2
