"""Section-page discovery on fixture files, without Scrapy's crawler."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discovery import looks_like_article, parse_section
from crawler.discovery.links import is_pagination, page_number
from crawler.sources import parse_sources

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
BASE = "https://news.example.com"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"__BASE__", BASE.encode())


def source(extra: str = ""):
    [src] = parse_sources(f'[[source]]\nname = "example"\ndomains = ["news.example.com"]\n{extra}')
    return src


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/2025/10/28/council-approves-new-budget/",
        f"{BASE}/2025/10/council-approves-new-budget",
        f"{BASE}/2025-10-28/council-budget",
        f"{BASE}/world/europe/prime-minister-visits-brussels-today",
        f"{BASE}/politics/budget_vote_passes_easily.html",
        f"{BASE}/story/1234567",
        f"{BASE}/news/world-europe-67251234",
        f"{BASE}/article.php?id=98765",
        f"{BASE}/?p=1234",
    ],
)
def test_article_shaped_urls(url: str) -> None:
    assert looks_like_article(url)


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/",
        f"{BASE}/news/",
        f"{BASE}/world/europe/",
        f"{BASE}/2025/10/28/",
        f"{BASE}/tag/budget-vote-news/",
        f"{BASE}/category/local-politics-and-more/",
        f"{BASE}/author/jane-doe-smith/",
        f"{BASE}/news/page/2/",
        f"{BASE}/search?q=budget-vote-today",
        f"{BASE}/about",
        f"{BASE}/contact-us",
        f"{BASE}/privacy-policy",
        f"{BASE}/login",
        f"{BASE}/feed/",
        f"{BASE}/media/photo-of-the-day.jpg",
        f"{BASE}/reports/annual-budget-report-2025.pdf",
        f"{BASE}/2025/10/28/council-approves-new-budget/feed/",
    ],
)
def test_non_article_urls(url: str) -> None:
    assert not looks_like_article(url)


def test_section_page_articles_and_pagination() -> None:
    links = parse_section(load("section_news.html"), f"{BASE}/news/", source())
    assert [a.url for a in links.articles] == [
        f"{BASE}/2025/10/28/council-approves-new-budget/",
        f"{BASE}/world/europe/prime-minister-visits-brussels-today",
        f"{BASE}/story/1234567",
        # Tracking parameters are the spider's business (dedup), not the parser's.
        f"{BASE}/2025/10/28/council-approves-new-budget/?utm_source=section&fbclid=abc123",
    ]
    assert links.articles[0].title == "Council approves new budget"
    # rel=next and the numbered link point at the same page: listed once.
    assert links.pages == [f"{BASE}/news/page/2/"]


def test_section_page_without_source_keeps_other_hosts() -> None:
    links = parse_section(load("section_news.html"), f"{BASE}/news/")
    assert "http://other.example.org/2025/10/28/external-story-on-another-site/" in [a.url for a in links.articles]


def test_patterns_replace_the_heuristic() -> None:
    src = source("allow = ['/reports/', '/story/']\ndeny = ['/story/1234567']")
    links = parse_section(load("section_news.html"), f"{BASE}/news/", src)
    assert [a.url for a in links.articles] == [f"{BASE}/reports/annual-budget-report-2025.pdf"]


def test_deny_only_patterns_fall_back_to_heuristic_for_the_rest() -> None:
    src = source("deny = ['/world/']")
    urls = [a.url for a in parse_section(load("section_news.html"), f"{BASE}/news/", src).articles]
    assert f"{BASE}/world/europe/prime-minister-visits-brussels-today" not in urls
    assert f"{BASE}/story/1234567" in urls


def test_next_page_on_later_pages() -> None:
    links = parse_section(load("section_news_page3.html"), f"{BASE}/news/page/3/", source())
    assert [a.url for a in links.articles] == [
        f"{BASE}/2025/10/26/page-three-story-here/",
        f"{BASE}/2025/10/28/council-approves-new-budget/",
    ]
    assert links.pages == [f"{BASE}/news/page/4/"]


def test_base_href_is_honoured() -> None:
    html = b'<html><head><base href="https://news.example.com/sub/"></head><body><a href="a-long-story-slug-here">x</a></body></html>'
    links = parse_section(html, f"{BASE}/news/", source())
    assert [a.url for a in links.articles] == [f"{BASE}/sub/a-long-story-slug-here"]


@pytest.mark.parametrize(
    "html",
    [b"", b"   ", b"\x00\x01\x02\xff", "<?xml version='1.0' encoding='utf-8'?><html><body><a href='/2025/01/02/x-y'>x</a></body></html>"],
    ids=["empty", "blank", "binary", "str-with-xml-declaration"],
)
def test_odd_input_never_crashes(html: bytes | str) -> None:
    links = parse_section(html, f"{BASE}/news/", source())
    assert links.pages == []
    if isinstance(html, str):
        assert [a.url for a in links.articles] == [f"{BASE}/2025/01/02/x-y"]


def test_pagination_helpers() -> None:
    assert page_number(f"{BASE}/news/page/3/") == 3
    assert page_number(f"{BASE}/news/?page=4") == 4
    assert page_number(f"{BASE}/news/") is None
    assert is_pagination(f"{BASE}/news/page/2/", f"{BASE}/news/")
    assert is_pagination(f"{BASE}/news/page/3/", f"{BASE}/news/page/2/")
    assert not is_pagination(f"{BASE}/sport/page/2/", f"{BASE}/news/")


def many_links(count: int, extra: str = "") -> str:
    links = "".join(f'<a href="/2025/10/01/story-number-{n}-here/">Story {n}</a>' for n in range(count))
    return f"<html><body>{links}{extra}</body></html>"


def test_link_cap_keeps_the_first_links_counts_the_rest_and_reads_on_for_pagination() -> None:
    html = many_links(2000, '<a href="/2025/10/01/story-number-3-here/">again</a><a href="/news/page/2/">next</a>')
    links = parse_section(html, f"{BASE}/news/", source(), max_links=50)
    assert [a.url for a in links.articles] == [f"{BASE}/2025/10/01/story-number-{n}-here/" for n in range(50)]
    assert links.cut == 1950  # a repeat of a kept link is not a cut one
    assert links.pages == [f"{BASE}/news/page/2/"]
    assert len(parse_section(html, f"{BASE}/news/", source(), max_links=0).articles) == 2000  # 0: no cap


def test_links_off_the_domains_are_counted_unless_the_source_follows_them() -> None:
    html = (
        '<a href="/2025/10/01/own-story-on-the-site/">own</a>'
        '<a href="https://other.example.org/2025/10/01/their-story-elsewhere/">theirs</a>'
        '<a href="https://other.example.org/about">not an article</a>'
        '<a href="https://other.example.org/news/page/2/" rel="next">their next page</a>'
    )
    own = parse_section(html, f"{BASE}/news/", source())
    assert [a.url for a in own.articles] == [f"{BASE}/2025/10/01/own-story-on-the-site/"]
    assert own.offsite == 1  # only the article-looking link counts
    aggregator = parse_section(html, f"{BASE}/news/", source("follow_offsite = true"))
    assert [a.url for a in aggregator.articles] == [
        f"{BASE}/2025/10/01/own-story-on-the-site/",
        "https://other.example.org/2025/10/01/their-story-elsewhere/",
    ]
    assert aggregator.offsite == 0
    assert aggregator.pages == []  # pagination stays on the source's domains


# -- section-page heuristics in the major news languages (issue 12) --------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/tag/climate-change-policy-debate",
        "/tags/climate-change-policy-debate",
        "/thema/klimawandel-und-politik-heute",
        "/themen/klimawandel-und-politik-heute",
        "/rubrique/politique-et-societe-francaise",
        "/etiqueta/cambio-climatico-en-espana",
        "/argomento/cambiamento-climatico-in-italia",
        "/tema/cambio-climatico-en-espana",
        "/autor/maria-garcia-lopez-perez",
        "/author/jane-doe-smith-jones",
        "/category/world-news-from-europe",
        "/kategorie/welt-nachrichten-aus-europa",
        "/search?q=climate-change-policy",
        "/suche/klimawandel-und-politik-heute",
        "/schlagwort/klimawandel-und-politik-heute",
    ],
)
def test_listing_pages_in_many_languages_are_navigation(path: str) -> None:
    assert not looks_like_article(BASE + path)


@pytest.mark.parametrize(
    "path",
    ["/2025/10/28/1859/", "/2025/10/28/1859", "/2025/10/28/price-tag/", "/news/2025/10/28/council-approves-new-budget/"],
)
def test_date_plus_id_and_date_plus_slug_paths_are_articles(path: str) -> None:
    assert looks_like_article(BASE + path)


def test_date_archive_itself_is_not_an_article() -> None:
    assert not looks_like_article(f"{BASE}/2025/10/28/")


def test_nofollow_sponsored_ugc_and_other_language_links_are_not_followed() -> None:
    html = f"""<html lang="de"><body>
      <a href="/2025/10/28/eigene-meldung-aus-der-stadt/">ok</a>
      <a rel="nofollow" href="/2025/10/28/nofollow-meldung-aus-der-stadt/">x</a>
      <a rel="sponsored noopener" href="/2025/10/28/anzeige-eines-partners-heute/">x</a>
      <a rel="UGC" href="/2025/10/28/leserbeitrag-aus-dem-forum/">x</a>
      <a hreflang="fr" href="/fr/2025/10/28/nouvelle-de-la-ville/">x</a>
      <a hreflang="de-AT" href="/at/2025/10/28/meldung-aus-wien-heute/">ok</a>
      <a hreflang="x-default" href="/2025/10/28/standard-fassung-der-meldung/">ok</a>
    </body></html>"""
    links = parse_section(html, f"{BASE}/politik/")
    assert [a.url for a in links.articles] == [
        f"{BASE}/2025/10/28/eigene-meldung-aus-der-stadt/",
        f"{BASE}/at/2025/10/28/meldung-aus-wien-heute/",
        f"{BASE}/2025/10/28/standard-fassung-der-meldung/",
    ]


def test_hreflang_falls_back_to_the_source_language() -> None:
    html = '<html><body><a hreflang="en" href="/en/2025/10/28/story-in-english-here/">x</a></body></html>'
    assert parse_section(html, f"{BASE}/", source('language = "de"')).articles == []
    assert len(parse_section(html, f"{BASE}/").articles) == 1  # no page or source language: followed


def test_markup_quotes_and_whitespace_left_in_an_href_are_cleaned() -> None:
    html = """<html><body>
      <a href="/2025/10/28/bridge-repairs-begin/<span>">a</a>
      <a href='"/2025/10/29/library-opens-new-wing/"'>b</a>
      <a href="  /2025/10/30/mayor-announces
         -transit-plan/ ">c</a>
    </body></html>"""
    links = parse_section(html, f"{BASE}/news/")
    assert [a.url for a in links.articles] == [
        f"{BASE}/2025/10/28/bridge-repairs-begin/",
        f"{BASE}/2025/10/29/library-opens-new-wing/",
        f"{BASE}/2025/10/30/mayor-announces-transit-plan/",
    ]
