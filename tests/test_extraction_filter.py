"""The article filter keeps short or link-heavy pages that show article evidence, flagged."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.extraction import ArticleRecord, ExtractionOptions, NotAnArticle, extract_article
from pipelines.extraction.classify import SHORT_CONFIDENCE

FETCHED = datetime(2026, 1, 10, tzinfo=UTC)
SHORT_OK = ExtractionOptions(min_words=20)  # the link-list check alone, not the length check
SHORT_TEXT = ("Route 9 is closed in both directions after a crash near the river bridge. "
              "Police ask drivers to avoid the area until the evening.")


def _page(head: str = "", body: str = "") -> str:
    return (f'<html><head><title>Road closed after crash</title><meta property="og:type" content="article">{head}'
            f"</head><body><article><h1>Road closed after crash</h1>{body}</article></body></html>")


def test_short_news_item_with_a_publication_date_is_kept_flagged() -> None:
    html = _page('<meta property="article:published_time" content="2026-01-09T08:00:00+01:00">', f"<p>{SHORT_TEXT}</p>")
    result = extract_article(html, "https://courier.example/news/road-closed", fetched_at=FETCHED)
    assert isinstance(result, ArticleRecord)
    assert 0 < result.is_article_confidence < 1
    assert result.to_dict()["is_article_confidence"] == result.is_article_confidence


def test_short_post_on_a_dated_url_is_kept_but_not_on_a_date_archive() -> None:
    html = _page(body=f"<p>{SHORT_TEXT}</p>")
    kept = extract_article(html, "https://blog.example/2019/12/17/road-closed-after-crash/", fetched_at=FETCHED)
    assert isinstance(kept, ArticleRecord) and kept.is_article_confidence < 1
    archive = extract_article(html, "https://blog.example/2019/12/", fetched_at=FETCHED)
    assert isinstance(archive, NotAnArticle) and archive.reason == "too_short"


def test_short_page_without_a_date_is_still_too_short() -> None:
    # og:type=article alone is set by many CMSs on every page: no evidence of a dated article.
    result = extract_article(_page(body=f"<p>{SHORT_TEXT}</p>"), "https://courier.example/news/road-closed",
                             fetched_at=FETCHED)
    assert isinstance(result, NotAnArticle) and result.reason == "too_short"


def test_short_undated_post_on_an_article_slug_is_kept_flagged() -> None:
    # No date anywhere, but the URL names the story in several words: kept, with low confidence.
    html = _page(body=f"<p>{SHORT_TEXT}</p>")
    kept = extract_article(html, "https://courier.example/route-nine-closed-after-crash", fetched_at=FETCHED)
    assert isinstance(kept, ArticleRecord) and kept.is_article_confidence < SHORT_CONFIDENCE
    # The same text on a section or service URL (one or two words) is still too short.
    for url in ("https://courier.example/traffic", "https://courier.example/services/road-works"):
        result = extract_article(html, url, fetched_at=FETCHED)
        assert isinstance(result, NotAnArticle) and result.reason == "too_short", url


def test_a_stub_on_an_article_slug_is_not_kept() -> None:
    html = _page(body="<p>Route 9 is closed after a crash near the river bridge tonight.</p>")
    result = extract_article(html, "https://courier.example/route-nine-closed-after-crash", fetched_at=FETCHED)
    assert isinstance(result, NotAnArticle) and result.reason == "too_short"


def test_a_few_words_are_not_kept_whatever_the_evidence() -> None:
    html = _page('<meta property="article:published_time" content="2026-01-09T08:00:00+01:00">', "<p>Road closed.</p>")
    result = extract_article(html, "https://courier.example/2026/01/09/road-closed-after-crash", fetched_at=FETCHED)
    assert isinstance(result, NotAnArticle) and result.reason == "too_short"


CAPTION = ("Spring in the valley, taken at dawn from the old bridge by Ann Lee in April with a long lens and "
           "a tripod while the river fog lifted slowly over the wet fields.")


def _link_list() -> str:
    items = "".join(f'<li><a href="/news/story-{i}">Story number {i} of the day</a></li>' for i in range(40))
    return (f"<html><head><title>Spring in the valley by Ann Lee</title></head><body><h1>Spring in the valley by Ann Lee</h1>"
            f"<p>{CAPTION}</p><ul>{items}</ul></body></html>")


def test_link_heavy_page_on_an_article_slug_is_kept_flagged() -> None:
    result = extract_article(_link_list(), "https://photos.example/photo/2603/spring-in-the-valley-by-ann-lee",
                             fetched_at=FETCHED, options=SHORT_OK)
    assert isinstance(result, ArticleRecord)
    assert result.is_article_confidence < 0.5


def test_link_heavy_page_on_a_section_url_is_still_an_index_page() -> None:
    result = extract_article(_link_list(), "https://photos.example/news/", fetched_at=FETCHED, options=SHORT_OK)
    assert isinstance(result, NotAnArticle) and result.reason == "index_page"
    result = extract_article(_link_list(), "https://photos.example/tag/spring-photos/", fetched_at=FETCHED,
                             options=SHORT_OK)
    assert isinstance(result, NotAnArticle) and result.reason == "index_page"


def test_a_page_passing_every_check_is_fully_confident() -> None:
    html = _page(body="<p>" + " ".join([SHORT_TEXT] * 4) + "</p>")
    result = extract_article(html, "https://courier.example/news/road-closed", fetched_at=FETCHED)
    assert isinstance(result, ArticleRecord) and result.is_article_confidence == 1.0


def test_extract_pipeline_counts_pages_kept_in_doubt() -> None:
    from scrapy.utils.test import get_crawler

    from crawler.items import Article
    from pipelines.extract import ExtractPipeline

    crawler = get_crawler()
    pipeline = ExtractPipeline(ExtractionOptions(), crawler.stats)
    html = _page('<meta property="article:published_time" content="2026-01-09T08:00:00+01:00">', f"<p>{SHORT_TEXT}</p>")
    url = "https://courier.example/news/road-closed"
    page = Article(url=url, response_url=url, source="courier", status=200, content_type="text/html", html=html,
                   fetched_at=FETCHED, discovered_via="feed")
    kept = pipeline.process_item(page)
    assert kept.record.is_article_confidence < 1
    assert crawler.stats.get_value("newspipe/extract/kept_in_doubt") == 1
    assert crawler.stats.get_value("newspipe/extract/articles") == 1


def test_a_page_kept_in_doubt_is_stored_and_exported_with_its_confidence(tmp_path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.items import Article
    from pipelines.extract import ExtractPipeline
    from dedup.fingerprint import content_hash
    from dedup.stories import Stories
    from pipelines.store import to_new_article
    from storage.engine import Database
    from storage.repository import ArticleRepository

    crawler = get_crawler()
    html = _page('<meta property="article:published_time" content="2026-01-09T08:00:00+01:00">', f"<p>{SHORT_TEXT}</p>")
    url = "https://courier.example/news/road-closed"
    page = Article(url=url, response_url=url, source="courier", status=200, content_type="text/html", html=html,
                   fetched_at=FETCHED, discovered_via="feed")
    kept = ExtractPipeline(ExtractionOptions(), crawler.stats).process_item(page)
    kept.content_hash = content_hash(kept.record.body)
    confidence = kept.record.is_article_confidence
    assert 0 < confidence < 1
    with Database(f"sqlite:///{tmp_path / 'n.db'}") as database:
        with database.sessions.begin() as session:
            Stories(session).save(to_new_article(kept))
        with database.sessions() as session:
            exported = list(ArticleRepository(session).iter_export())
    assert [record["is_article_confidence"] for record in exported] == [confidence]


SCRIPT_RENDERED = ('<div id="app"></div><script>window.render("app")</script>')


def _declared(node: str, og_type: str = "article") -> str:
    return (f'<html><head><title>Road closed after crash</title><meta property="og:type" content="{og_type}">'
            f'<script type="application/ld+json">{node}</script></head>'
            f"<body><h1>Road closed after crash</h1>{SCRIPT_RENDERED}</body></html>")


def test_an_empty_page_that_declares_a_dated_article_is_kept_flagged() -> None:
    from pipelines.extraction.classify import EMPTY_DECLARED_CONFIDENCE

    node = '{"@type": "NewsArticle", "headline": "Road closed after crash", "datePublished": "2026-01-09T08:00:00+01:00"}'
    kept = extract_article(_declared(node), "https://courier.example/news/road-closed", fetched_at=FETCHED)
    assert isinstance(kept, ArticleRecord) and kept.is_article_confidence == EMPTY_DECLARED_CONFIDENCE
    assert kept.word_count == 0 and kept.published_at is not None
    # Left out: the same page without a dated article node, or not declared an article by og:type.
    undated = '{"@type": "NewsArticle", "headline": "Road closed after crash"}'
    for html in (_declared(undated), _declared(node, og_type="website")):
        result = extract_article(html, "https://courier.example/news/road-closed", fetched_at=FETCHED)
        assert isinstance(result, NotAnArticle) and result.reason == "too_short"


def test_an_empty_page_kept_in_doubt_is_stored(tmp_path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.items import Article
    from dedup.fingerprint import content_hash
    from dedup.stories import Stories
    from pipelines.extract import ExtractPipeline
    from pipelines.store import to_new_article
    from storage.engine import Database
    from storage.repository import ArticleRepository

    node = '{"@type": "NewsArticle", "headline": "Road closed after crash", "datePublished": "2026-01-09T08:00:00+01:00"}'
    url = "https://courier.example/news/road-closed"
    page = Article(url=url, response_url=url, source="courier", status=200, content_type="text/html",
                   html=_declared(node), fetched_at=FETCHED, discovered_via="feed")
    kept = ExtractPipeline(ExtractionOptions(), get_crawler().stats).process_item(page)
    kept.content_hash = content_hash(kept.record.body)
    assert kept.record.body == ""
    with Database(f"sqlite:///{tmp_path / 'n.db'}") as database:
        with database.sessions.begin() as session:
            Stories(session).save(to_new_article(kept))
        with database.sessions() as session:
            exported = list(ArticleRepository(session).iter_export())
    assert [record["headline"] for record in exported] == ["Road closed after crash"]
