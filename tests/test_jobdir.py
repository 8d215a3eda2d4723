"""The JOBDIR (`newspipe crawl --job-dir`) holds JSON, never pickle: the project's disk queues and
spider state refuse a planted pickle (counted, logged, skipped) and a paused crawl resumes from the
JSON queue with every article stored once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from picklebomb import pickle_bomb
from queuelib.queue import FifoDiskQueue, LifoDiskQueue
from scrapy.http import Request
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from newspipe.demo import DemoSite
from crawler.requestjson import UnserializableRequest
from storage.engine import Database
from storage.models import Article
from storage.repository import ArticleRepository


class Spider(scrapy.Spider):
    name = "s"

    def parse(self, response: Any) -> None:
        return None


def project_settings(**extra: Any) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(extra, priority="cmdline")
    return settings


def jobdir_settings(**extra: Any) -> dict[str, Any]:
    """The project's settings for the job directory (a test crawler takes no reactor settings)."""
    settings = project_settings(**extra)
    return {name: settings[name] for name in ("SCHEDULER_DISK_QUEUE", "SCHEDULER_START_DISK_QUEUE", "EXTENSIONS", "JOBDIR")}


def good_entry(url: str) -> bytes:
    return json.dumps({"url": url, "callback": "parse", "meta": {"n": 1}}).encode()


@pytest.mark.parametrize(("setting", "raw_queue"), [("SCHEDULER_DISK_QUEUE", LifoDiskQueue), ("SCHEDULER_START_DISK_QUEUE", FifoDiskQueue)])
def test_the_project_disk_queues_refuse_a_planted_pickle(tmp_path: Path, setting: str, raw_queue: Any) -> None:
    marker = tmp_path / "pwned"
    path = str(tmp_path / "queue")
    planted = raw_queue(path)
    bomb = pickle_bomb(marker)
    for entry in [bomb, good_entry("https://example.test/first"), b"garbage", good_entry("https://example.test/last"), bomb]:
        planted.push(entry)  # a bomb at both ends: first out of a LIFO and of a FIFO queue
    planted.close()
    crawler = get_crawler(Spider, jobdir_settings())
    crawler.spider = Spider.from_crawler(crawler)
    queue = load_object(crawler.settings[setting]).from_crawler(crawler, path)
    peeked = queue.peek()
    assert peeked is not None and peeked.url.startswith("https://example.test/")
    urls = []
    while (request := queue.pop()) is not None:
        urls.append(request.url)
    queue.close()
    assert not marker.exists(), "a pickle from the job directory was loaded"
    assert sorted(urls) == ["https://example.test/first", "https://example.test/last"]
    assert crawler.stats.get_value("newspipe/jobdir/refused_request") == 3


def test_the_project_disk_queue_keeps_requests_and_refuses_meta_that_is_not_json(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, jobdir_settings())
    crawler.spider = spider = Spider.from_crawler(crawler)
    queue = load_object(crawler.settings["SCHEDULER_DISK_QUEUE"]).from_crawler(crawler, str(tmp_path / "q" / "0"))
    one = Request("https://example.test/a", callback=spider.parse, body=b"\xff\x00", headers={"X": b"\xe9"}, meta={"a": [1, {"b": None}]})
    queue.push(one)
    with pytest.raises(UnserializableRequest):  # a ValueError: Scrapy's scheduler keeps it in memory for the run
        queue.push(Request("https://example.test/b", meta={"at": time}))
    assert len(queue) == 1
    again = queue.peek()
    assert again is not None and (again.url, again.body, again.headers, again.meta) == (one.url, one.body, one.headers, one.meta)
    assert queue.pop().callback == spider.parse
    queue.close()


def test_spider_state_is_json_and_a_planted_pickle_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "spider.state").write_bytes(pickle_bomb(marker))
    settings = project_settings(JOBDIR=str(tmp_path))
    assert settings.getwithbase("EXTENSIONS")["scrapy.extensions.spiderstate.SpiderState"] is None
    cls = load_object(next(k for k, v in settings.getwithbase("EXTENSIONS").items() if k.endswith("JsonSpiderState") and v is not None))
    crawler = get_crawler(Spider, jobdir_settings(JOBDIR=str(tmp_path)))
    spider = Spider.from_crawler(crawler)
    state = cls.from_crawler(crawler)
    state.spider_opened(spider)
    assert not marker.exists(), "spider.state was unpickled"
    assert spider.state == {}
    assert crawler.stats.get_value("newspipe/jobdir/refused_state") == 1
    spider.state["pages"] = [1, 2]
    state.spider_closed(spider)
    state.spider_opened(resumed := Spider.from_crawler(crawler))
    assert resumed.state == {"pages": [1, 2]}


# -- end to end: pause, plant, resume -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


def newspipe_cmd(*args: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "COLUMNS": "200", "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
    env.pop("NEWSPIPE_DATABASE_URL", None)
    return [sys.executable, "-m", "newspipe.cli", *args], env


def stored_count(db_url: str) -> int:
    with Database(db_url) as database, database.sessions() as session:
        return session.scalar(select(func.count(Article.id))) or 0


def plant(jobdir: Path, bomb: bytes) -> int:
    """A pickle pushed onto every disk queue of the paused job, and as its spider.state; how many queues."""
    planted = 0
    for path in sorted((jobdir / "requests.queue").rglob("*")):
        if path.is_file() and path.name.lstrip("-").isdigit():
            queue: Any = LifoDiskQueue(str(path))
        elif path.is_dir() and (path / "info.json").exists():
            queue = FifoDiskQueue(str(path))
        else:
            continue
        queue.push(bomb)
        queue.close()
        planted += 1
    (jobdir / "spider.state").write_bytes(bomb)
    return planted


@pytest.mark.e2e
def test_a_paused_crawl_resumes_from_json_and_runs_no_planted_pickle(demo: DemoSite, sqlite_url: str, tmp_path: Path) -> None:
    sources = demo.write_sources(tmp_path / "demo-sources.toml")
    sources.write_text(sources.read_text(encoding="utf-8").replace("delay = 0", "delay = 0.2"), encoding="utf-8")
    jobdir = tmp_path / "job"
    args = ("crawl", str(sources), "--db", sqlite_url, "--job-dir", str(jobdir), "--no-progress", "--log-level", "INFO")
    cmd, env = newspipe_cmd(*args)
    articles = {(a["publisher"], a["path"]) for a in demo.expected()["articles"]}
    demo.request_log.clear()
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None and len(articles & set(demo.request_log)) < len(articles) // 3:
            time.sleep(0.02)
        assert first.poll() is None, "the crawl ended before it could be paused"
        first.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops gracefully and writes the queue to the job directory
        _, log = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    queue_files = [p for p in (jobdir / "requests.queue").rglob("*") if p.is_file() and p.name != "active.json"]
    assert queue_files, f"nothing left in the job directory's queue:\n{log[-3000:]}"
    assert any(b'"url":"http' in p.read_bytes() for p in queue_files)
    assert stored_count(sqlite_url) < len(articles)

    marker = tmp_path / "pwned"
    planted = plant(jobdir, pickle_bomb(marker))
    assert planted
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    # (Not its exit code: a resumed run's seeds are filtered by the JOBDIR's requests.seen, so it
    # fetches none and is recorded as failed; that is run bookkeeping, not the queue.)
    assert "Spider closed (finished)" in resumed.stderr, resumed.stderr[-4000:]
    assert not marker.exists(), "a pickle planted in the job directory was loaded"
    assert "Resuming crawl" in resumed.stderr
    assert f"'newspipe/jobdir/refused_request': {planted}," in resumed.stderr
    assert "'newspipe/jobdir/refused_state': 1," in resumed.stderr
    with Database(sqlite_url) as database, database.sessions() as session:
        urls = [r["canonical_url"] for r in ArticleRepository(session).iter_export()]
    assert sorted(urls) == sorted(a["url"] for a in demo.expected()["articles"])
