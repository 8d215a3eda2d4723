"""The bundled demo site (examples/demo-site) and its server, newspipe.demo.DemoSite."""

from __future__ import annotations

import gzip
import html
import http.client
import importlib.util
import json
import re
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest

from newspipe.demo import DEMO_ROOT, DemoSite, DemoSiteError
from crawler.sources import parse_sources

EXPECTED: dict[str, Any] = json.loads((DEMO_ROOT / "expected.json").read_text(encoding="utf-8"))
ARTICLES = EXPECTED["articles"]
NOT_STORED = EXPECTED["not_stored"]
DISCOVERY = EXPECTED["discovery"]
FEED_KINDS = {"rss2": "rss20", "atom": "atom10", "rss1": "rss10"}
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def _id(entry: dict[str, Any]) -> str:
    return f"{entry['publisher']}{entry['path']}"


def file_for(publisher: str, path: str) -> Path:
    """Where the server finds `path`, by the rules of newspipe.demo (independently written)."""
    target = DEMO_ROOT / publisher / path.split("?")[0].lstrip("/")
    if path.split("?")[0].endswith("/"):
        html_index, xml_index = target / "index.html", target / "index.xml"
        return html_index if html_index.exists() or not xml_index.exists() else xml_index
    return target


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


@pytest.fixture
def fresh_site() -> Iterator[DemoSite]:
    """A site of its own for tests that change pages."""
    with DemoSite() as demo:
        yield demo


def fetch(site: DemoSite, url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, Any, bytes]:
    """GET (or `method`) `url` through the site's proxy, as a crawl does."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with site.opener().open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def text_of(site: DemoSite, publisher: str, path: str) -> str:
    status, _, body = fetch(site, site.url(publisher, path))
    assert status == 200, (publisher, path, status)
    return body.decode("utf-8")


# ---------------------------------------------------------------- the tree and expected.json


def test_generated_tree_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("demo_site_build", DEMO_ROOT / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, build)  # dataclasses look their module up there
    spec.loader.exec_module(build)
    assert build.stale_files(DEMO_ROOT) == [], "run: python examples/demo-site/build.py"


def test_expected_is_consistent() -> None:
    assert len(ARTICLES) >= 20
    keys = [_id(e) for e in ARTICLES + NOT_STORED]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    assert {e["why"] for e in NOT_STORED} == {"not_article", "broken", "missing", "robots", "pdf"}
    assert {a["template"] for a in ARTICLES} == {"wordpress", "json-ld", "minimal"}
    articles = {_id(a) for a in ARTICLES}
    duplicates = [a for a in ARTICLES if a["duplicate_of"]]
    assert duplicates, "the syndicated copy is missing"
    for a in duplicates:
        original = a["duplicate_of"]
        assert _id(original) in articles and original["publisher"] != a["publisher"]
    for a in ARTICLES:
        assert file_for(a["publisher"], a["path"]).is_file(), _id(a)
        published = datetime.fromisoformat(a["published_at"])
        assert published.tzinfo is not None
        assert datetime(2025, 10, 1).date() <= published.date() <= datetime(2025, 11, 30).date()
        assert 150 <= a["word_count"] <= 600, _id(a)
        assert not re.search(r"[|–·] *(Harbour Herald|Valley Times|Metro Wire)", a["headline"]), a["headline"]
        assert a["reached_via"], f"{_id(a)} is not reachable by any discovery path"
    assert any(len(a["reached_via"]) >= 2 for a in ARTICLES)
    offsets = {datetime.fromisoformat(a["published_at"]).utcoffset() for a in ARTICLES}
    assert len(offsets) >= 3  # +00:00, +01:00, +02:00
    for e in NOT_STORED:
        assert file_for(e["publisher"], e["path"]).is_file() == (e["why"] != "missing"), _id(e)


def test_every_page_in_the_tree_is_accounted_for() -> None:
    listed = {_id(e) for e in ARTICLES + NOT_STORED + DISCOVERY}
    for publisher in EXPECTED["publishers"]:
        for file in (DEMO_ROOT / publisher).rglob("*"):
            if not file.is_file():
                continue
            rel = "/" + file.relative_to(DEMO_ROOT / publisher).as_posix()
            path = re.sub(r"/index\.(html|xml)$", "/", rel)
            assert f"{publisher}{path}" in listed, f"{publisher}{rel} is in neither articles, not_stored nor discovery"


def test_discovery_links_are_known_pages() -> None:
    known = {_id(e) for e in ARTICLES + NOT_STORED + DISCOVERY}
    aliases = {f"{a['publisher']}{p}" for a in ARTICLES for p in a["alias_paths"]}
    for entry in DISCOVERY:
        assert entry["entries"] == len(entry["links"])
        for link in entry["links"]:
            assert f"{entry['publisher']}{link}" in known | aliases, (entry["path"], link)


# ---------------------------------------------------------------- serving


def test_sources_toml_is_rendered_and_valid(site: DemoSite, tmp_path: Path) -> None:
    text = site.sources_toml()
    assert "{{" not in text
    sources = {s.name: s for s in parse_sources(text)}
    assert sorted(sources) == sorted(site.publishers) == sorted(EXPECTED["publishers"])
    for name, source in sources.items():
        assert source.domains == (f"{name}.example",)
        assert source.proxy == site.proxy_url == f"http://127.0.0.1:{site.port}"
        assert source.delay == 0
        assert all(url.startswith(site.base_url(name) + "/") for url in source.feeds + source.sitemaps + source.sections)
        assert source.owns(site.url(name, "/x/")) and not any(source.owns(site.url(o, "/x/")) for o in sources if o != name)
    written = site.write_sources(tmp_path / "sources.toml")
    assert written.read_text(encoding="utf-8") == text


def test_publishers_have_fixed_hosts_behind_one_proxy(site: DemoSite) -> None:
    assert [site.base_url(p) for p in site.publishers] == ["http://harbour-herald.example", "http://metro-wire.example", "http://valley-times.example"]
    assert site.render("{{base:valley-times}}/a {{host:metro-wire}} {{proxy}}") == f"http://valley-times.example/a metro-wire.example {site.proxy_url}"
    with pytest.raises(KeyError):
        site.render("{{base:no-such-paper}}")
    with DemoSite() as other:  # another server, another port: the same URLs
        assert other.port != site.port and other.expected() == site.expected()


def test_the_proxy_serves_only_the_demo_hosts(site: DemoSite) -> None:
    # Origin-form with a Host header (a server behind a proxy gets these) is served too.
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    connection.request("GET", "/robots.txt", headers={"Host": "metro-wire.example"})
    response = connection.getresponse()
    assert response.status == 200 and b"Sitemap: http://metro-wire.example/sitemap.xml" in response.read()
    for host in ("example.com", "127.0.0.1", "metro-wire.example.com", "no-such-paper.example"):
        connection.request("GET", "/robots.txt", headers={"Host": host})
        response = connection.getresponse()
        assert response.status == 404 and b"not a demo site host" in response.read(), host
    connection.close()
    assert fetch(site, "http://example.com/robots.txt")[0] == 404  # absolute-form: never forwarded


@pytest.mark.parametrize("entry", ARTICLES + NOT_STORED + DISCOVERY, ids=_id)
def test_every_expected_path_is_served(site: DemoSite, entry: dict[str, Any]) -> None:
    status, headers, body = fetch(site, site.url(entry["publisher"], entry["path"]))
    if entry.get("why") == "missing":
        assert status == 404
        return
    assert status == 200
    ctype = headers["Content-Type"]
    if entry.get("why") == "pdf":
        assert ctype == "application/pdf" and body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    elif entry["path"].endswith(".gz"):
        assert ctype == "application/gzip"
    elif entry["path"].endswith(".txt"):
        assert ctype.startswith("text/plain")
    elif entry.get("kind") in FEED_KINDS or entry.get("kind", "").endswith("sitemap") or entry.get("kind") == "sitemap-index":
        assert "xml" in ctype
    else:
        assert ctype == "text/html; charset=utf-8"
    if ctype.startswith(("text/", "application/xml", "application/rss", "application/atom", "application/rdf")) and entry.get("why") != "broken":
        text = body.decode("utf-8")
        assert "{{" not in text, "placeholder left unsubstituted"
        assert "127.0.0.1" not in text
        for base_url in re.findall(r"http://[\w.-]+\.example\b", text):
            assert base_url in {site.base_url(p) for p in site.publishers}


@pytest.mark.parametrize("article", ARTICLES, ids=_id)
def test_article_pages_say_what_expected_says(site: DemoSite, article: dict[str, Any]) -> None:
    page = text_of(site, article["publisher"], article["path"])
    published = datetime.fromisoformat(article["published_at"])
    assert f">{html.escape(article['headline'])}</h1>" in page
    for line in article["forbidden_lines"]:  # page furniture the stored body must not keep: really on the page
        assert f">{line}</" in html.unescape(page), line
    if article["template"] == "wordpress":
        assert f'<time class="entry-date published" datetime="{article["published_at"]}">' in page
        assert EXPECTED["header_date"] in page and published.date() != datetime(2025, 11, 6).date()
        for marker in ("newsletter for free", "RELATED ARTICLES", "LEAVE A REPLY", "Please enter your comment!", "Please enter your name here", "Most Popular", "Recent Comments"):
            assert marker in page
        assert f'<link rel="canonical" href="{site.url(article["publisher"], article["path"])}">' in page
    elif article["template"] == "json-ld":
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        data = json.loads(blocks[0])
        node = next(n for n in data.get("@graph", [data]) if n["@type"] == "NewsArticle")
        assert node["headline"] == article["headline"]
        assert node["datePublished"] == article["published_at"] and published.utcoffset().total_seconds() > 0
        assert [a["name"] for a in node["author"]] == article["authors"]
        assert f"<title>{html.escape(article['headline'])} | Valley Times</title>" in page
    else:
        assert f"Published {published.day} {published:%B %Y, %H:%M}" in page
        assert "<meta name" not in page and "<meta property" not in page and "ld+json" not in page and "<time" not in page


def test_syndicated_copy_points_to_its_original(site: DemoSite) -> None:
    (copy,) = [a for a in ARTICLES if a["duplicate_of"]]
    original = copy["duplicate_of"]
    page = text_of(site, copy["publisher"], copy["path"])
    assert f'<a href="{site.url(original["publisher"], original["path"])}" target="_blank" rel="noopener">Source link</a>' in page
    paragraphs = lambda text: re.findall(r"<p>([^<]{80,})</p>", text)  # noqa: E731
    assert paragraphs(page) == paragraphs(text_of(site, original["publisher"], original["path"]))


def test_tracking_parameters_alias_the_same_page(site: DemoSite) -> None:
    (article,) = [a for a in ARTICLES if a["alias_paths"]]
    (alias,) = article["alias_paths"]
    assert "utm_source=rss" in alias and "utm_medium=feed" in alias
    feed = next(d for d in DISCOVERY if d["publisher"] == article["publisher"] and d["kind"] in FEED_KINDS)
    assert alias in feed["links"] and article["path"] not in feed["links"]
    assert any(article["path"] in d["links"] for d in DISCOVERY if d["publisher"] == article["publisher"] and d["kind"] in ("section", "sitemap"))
    assert fetch(site, site.url(article["publisher"], alias))[2] == fetch(site, site.url(article["publisher"], article["path"]))[2]


@pytest.mark.parametrize("feed", [d for d in DISCOVERY if d["kind"] in FEED_KINDS], ids=_id)
def test_feeds_parse(site: DemoSite, feed: dict[str, Any]) -> None:
    status, _, body = fetch(site, site.url(feed["publisher"], feed["path"]))
    parsed = feedparser.parse(body)
    assert status == 200 and not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == FEED_KINDS[feed["kind"]]
    assert len(parsed.entries) == feed["entries"]
    by_path = {a["path"]: a for a in ARTICLES if a["publisher"] == feed["publisher"]}
    for entry, link in zip(parsed.entries, feed["links"]):
        parts = urlsplit(entry.link)
        assert f"{parts.scheme}://{parts.netloc}" == site.base_url(feed["publisher"])
        assert parts.path + (f"?{parts.query}" if parts.query else "") == link
        assert entry.title == by_path[parts.path]["headline"]
        assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_robots_txt(site: DemoSite) -> None:
    for publisher in site.publishers:
        status, headers, body = fetch(site, site.url(publisher, "/robots.txt"))
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert "Disallow: /private/" in body.decode()
    for publisher, sitemap in (("valley-times", "/sitemap_index.xml"), ("metro-wire", "/sitemap.xml")):
        lines = [line for line in text_of(site, publisher, "/robots.txt").splitlines() if line.startswith("Sitemap:")]
        assert lines == [f"Sitemap: {site.url(publisher, sitemap)}"]
        assert fetch(site, site.url(publisher, sitemap))[0] == 200


def test_private_article_is_linked_but_disallowed(site: DemoSite) -> None:
    (private,) = [e for e in NOT_STORED if e["why"] == "robots"]
    sections = [d for d in DISCOVERY if d["kind"] == "section" and private["path"] in d["links"]]
    assert sections
    assert f'href="{private["path"]}"' in text_of(site, private["publisher"], sections[0]["path"])
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text_of(site, private["publisher"], "/robots.txt").splitlines())
    assert not robots.can_fetch("newspipe", site.url(private["publisher"], private["path"]))
    for a in ARTICLES:
        if a["publisher"] == private["publisher"]:
            assert robots.can_fetch("newspipe", site.url(a["publisher"], a["path"]))


def test_section_pagination(site: DemoSite) -> None:
    first = text_of(site, "harbour-herald", "/category/news/")
    second_url = site.url("harbour-herald", "/category/news/page/2/")
    assert f'<link rel="next" href="{second_url}">' in first and f'rel="next" href="{second_url}"' in first
    second = text_of(site, "harbour-herald", "/category/news/page/2/")
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_sitemap_index_and_gzipped_news_sitemap(site: DemoSite) -> None:
    base = site.base_url("valley-times")
    index = ElementTree.fromstring(fetch(site, site.url("valley-times", "/sitemap_index.xml"))[2])
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs == [f"{base}/sitemap-posts.xml", f"{base}/sitemap-news.xml.gz"]
    status, headers, body = fetch(site, locs[1])
    assert status == 200 and headers["Content-Type"] == "application/gzip" and body[:2] == b"\x1f\x8b"
    news = ElementTree.fromstring(gzip.decompress(body))
    urls = list(news.iter(f"{SM}url"))
    expected = next(d for d in DISCOVERY if d["path"] == "/sitemap-news.xml.gz")
    assert [u.find(f"{SM}loc").text for u in urls] == [base + p for p in expected["links"]]  # type: ignore[union-attr]
    by_path = {a["path"]: a for a in ARTICLES if a["publisher"] == "valley-times"}
    for u, path in zip(urls, expected["links"]):
        assert u.find(f"{NEWS}news/{NEWS}title").text == by_path[path]["headline"]  # type: ignore[union-attr]
        assert u.find(f"{NEWS}news/{NEWS}publication_date").text == by_path[path]["published_at"]  # type: ignore[union-attr]
    posts = ElementTree.fromstring(fetch(site, locs[0])[2])
    assert {e.text for e in posts.iter(f"{SM}loc")} >= {base + p for p in by_path}


def test_garbage_page_is_served_raw(site: DemoSite) -> None:
    (garbled,) = [e for e in NOT_STORED if e["why"] == "broken" and e["publisher"] == "metro-wire"]
    status, headers, body = fetch(site, site.url(garbled["publisher"], garbled["path"]))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body == file_for(garbled["publisher"], garbled["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_directory_without_slash_redirects_and_traversal_is_refused(site: DemoSite) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    connection.request("GET", "http://harbour-herald.example/category/news")
    response = connection.getresponse()
    response.read()
    assert response.status == 301 and response.headers["Location"] == site.url("harbour-herald", "/category/news/")
    connection.request("GET", "http://harbour-herald.example/../metro-wire/robots.txt")
    response = connection.getresponse()
    response.read()
    assert response.status == 404
    connection.close()


def test_head_and_conditional_requests(site: DemoSite) -> None:
    url = site.url("valley-times", "/atom.xml")
    status, headers, body = fetch(site, url)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag and parsedate_to_datetime(last_modified)
    head_status, head_headers, head_body = fetch(site, url, method="HEAD")
    assert head_status == 200 and head_body == b"" and head_headers["Content-Length"] == str(len(body)) and head_headers["ETag"] == etag
    assert fetch(site, url, {"If-None-Match": etag})[0] == 304
    assert fetch(site, url, {"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(site, url, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(site, url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    # If-None-Match decides when both are sent.
    assert fetch(site, url, {"If-None-Match": '"something-else"', "If-Modified-Since": last_modified})[0] == 200
    gz = site.url("valley-times", "/sitemap-news.xml.gz")
    assert fetch(site, gz, {"If-None-Match": fetch(site, gz)[1]["ETag"]})[0] == 304


def test_set_page_overrides_and_conditional_get_sees_the_change(fresh_site: DemoSite) -> None:
    site = fresh_site
    article = next(a for a in ARTICLES if a["publisher"] == "metro-wire")
    url = site.url("metro-wire", article["path"])
    _, before_headers, before = fetch(site, url)
    site.set_page("metro-wire", article["path"] + "?ignored=1", "<html><body><h1>Corrected</h1><a href='{{base:valley-times}}/'>x</a></body></html>")
    status, headers, body = fetch(site, url)
    assert status == 200 and body != before
    assert body.decode() == f"<html><body><h1>Corrected</h1><a href='{site.base_url('valley-times')}/'>x</a></body></html>"
    assert headers["ETag"] != before_headers["ETag"]
    assert parsedate_to_datetime(headers["Last-Modified"]) > parsedate_to_datetime(before_headers["Last-Modified"])
    assert fetch(site, url, {"If-None-Match": before_headers["ETag"]})[0] == 200
    assert fetch(site, url, {"If-Modified-Since": before_headers["Last-Modified"]})[0] == 200
    assert fetch(site, url, {"If-None-Match": headers["ETag"]})[0] == 304
    site.set_page("metro-wire", "/new/feed.xml", b"<rss version='2.0'><channel></channel></rss>", "application/rss+xml")
    status, headers, _ = fetch(site, site.url("metro-wire", "/new/feed.xml"))
    assert status == 200 and headers["Content-Type"] == "application/rss+xml"
    site.remove_page("metro-wire", article["path"])
    assert fetch(site, url)[0] == 404
    site.reset_pages()
    assert fetch(site, url)[2] == before
    with pytest.raises(KeyError):
        site.set_page("no-such-paper", "/", "x")


def test_request_log(fresh_site: DemoSite) -> None:
    site = fresh_site
    assert site.request_log == []
    fetch(site, site.url("harbour-herald", "/feed/"))
    fetch(site, site.url("harbour-herald", "/feed/"))
    fetch(site, site.url("valley-times", "/missing-page/"))
    fetch(site, site.url("harbour-herald", "/feed/?utm_source=x"), method="HEAD")
    assert site.request_log == [
        ("harbour-herald", "/feed/"),
        ("harbour-herald", "/feed/"),
        ("valley-times", "/missing-page/"),
        ("harbour-herald", "/feed/?utm_source=x"),
    ]
    assert site.requests_for("harbour-herald", "/feed/") == 2


def test_expected_adds_absolute_urls(site: DemoSite) -> None:
    expected = site.expected()
    for entry in expected["articles"] + expected["not_stored"]:
        assert entry["url"] == site.base_url(entry["publisher"]) + entry["path"]
    (copy,) = [a for a in expected["articles"] if a["duplicate_of"]]
    assert copy["duplicate_of"]["url"] == site.base_url(copy["duplicate_of"]["publisher"]) + copy["duplicate_of"]["path"]
    (aliased,) = [a for a in expected["articles"] if a["alias_paths"]]
    assert aliased["alias_urls"] == [aliased["url"] + aliased["alias_paths"][0][len(aliased["path"]) :]]


def test_unusable_site(tmp_path: Path) -> None:
    with pytest.raises(DemoSiteError, match="not found"):
        DemoSite(tmp_path / "nowhere")
    with pytest.raises(DemoSiteError, match="no publishers"):
        DemoSite(tmp_path)
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "robots.txt").write_text("User-agent: *\n")
    site = DemoSite(tmp_path)
    assert site.base_url("paper") == "http://paper.example"  # fixed: known before the server starts
    with pytest.raises(DemoSiteError, match="not started"):
        site.proxy_url
    with site:
        assert fetch(site, site.url("paper", "/robots.txt"))[0] == 200
    site.stop()  # stopping twice is harmless
