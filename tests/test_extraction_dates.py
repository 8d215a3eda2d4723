"""Publication dates on the long tail: the page-wide fallback, the publisher's own calendar day,
the date's precision, and the URL day completed by a visible time. Each rule has a page it must
change and one it must leave alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pipelines.extraction import ArticleRecord, extract_article
from pipelines.extraction.dates import _month_name_date, _numeric_date, date_precision, parse_date

FETCHED = datetime(2025, 11, 6, 9, 0, tzinfo=UTC)
TEXT = " ".join(["The council met on a rainy evening to argue about the harbour bridge and its costs."] * 12)


def _page(head: str = "", before: str = "", after: str = "", jsonld: str = "", lead: str = "") -> str:
    script = f'<script type="application/ld+json">{jsonld}</script>' if jsonld else ""
    return (f"<html lang=\"en\"><head><title>Harbour bridge vote delayed</title>{head}{script}</head><body>"
            f"{before}<article><h1>Harbour bridge vote delayed</h1>{lead}<p>{TEXT}</p><p>{TEXT}</p>{after}</article>"
            "</body></html>")


def _extract(html: str, url: str = "https://herald.example/news/bridge-vote") -> ArticleRecord:
    result = extract_article(html, url, fetched_at=FETCHED)
    assert isinstance(result, ArticleRecord), result
    return result


# --- page-wide fallback (htmldate) ---------------------------------------------------------------

# Before the headline and more than three elements above it: no dateline reads it.
BLOG_DATE = '<div class="entry-date">06.01.2020</div>' + '<div><a href="/s">Section</a></div>' * 3


def test_page_wide_fallback_dates_a_page_no_other_source_dates() -> None:
    record = _extract(_page(before=BLOG_DATE))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2020-01-06"
    assert (record.date_source, record.published_precision) == ("page", "day")


def test_page_wide_fallback_leaves_a_structured_date_alone() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2020-02-03T10:15:00+01:00"}'
    record = _extract(_page(before=BLOG_DATE, jsonld=jsonld))
    assert record.published_at == datetime(2020, 2, 3, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    assert (record.date_source, record.published_precision) == ("json-ld", "second")


def test_page_wide_fallback_refuses_the_fetch_day_of_a_header_widget() -> None:
    widget = '<div class="header-date">Thursday, November 6, 2025</div>'
    assert _extract(_page(before=widget)).published_at is None
    older = '<div class="header-date">Thursday, October 30, 2025</div>'
    assert _extract(_page(before=older)).published_at is not None


def test_page_wide_fallback_tells_a_year_month_url_as_month_precision() -> None:
    url = "https://diary.example/2019/03/spring-walk.html"
    archive = '<a href="https://diary.example/2019/03/">March 2019</a>'  # a blog's archive link
    record = _extract(_page(after=archive), url=url)
    assert record.published_at is not None and record.published_at.date().isoformat() == "2019-03-01"
    assert (record.date_source, record.published_precision) == ("page", "month")
    assert _extract(_page(before=BLOG_DATE), url=url).published_precision == "day"


# --- the publisher's own calendar day ------------------------------------------------------------

UTC_JSONLD = '{"@type": "NewsArticle", "datePublished": "2023-11-09T01:49:09Z"}'


def test_utc_date_takes_the_offset_of_a_local_wall_time_on_the_page() -> None:
    local = '<p class="time">PUBLISHED: <time datetime="2023-11-08 17:49:09">November 8, 2023 at 5:49 p.m.</time></p>'
    record = _extract(_page(after=local, jsonld=UTC_JSONLD))
    assert record.published_at is not None and record.published_at.utcoffset() == timedelta(hours=-8)
    assert record.published_at.isoformat() == "2023-11-08T17:49:09-08:00"
    assert record.published_at == datetime(2023, 11, 9, 1, 49, 9, tzinfo=UTC)  # the same instant


def test_utc_date_without_a_local_time_stays_utc() -> None:
    record = _extract(_page(jsonld=UTC_JSONLD))
    assert record.published_at is not None and record.published_at.utcoffset() == timedelta(0)
    other_time = '<time datetime="2023-11-08 17:00:00">earlier</time>'  # not a whole-quarter-hour offset away
    record = _extract(_page(after=other_time, jsonld=UTC_JSONLD))
    assert record.published_at is not None and record.published_at.utcoffset() == timedelta(0)


def test_utc_time_on_the_day_after_the_url_day_is_told_on_the_url_day() -> None:
    record = _extract(_page(jsonld=UTC_JSONLD), url="https://herald.example/2023/11/08/bridge-vote/")
    assert record.published_at is not None and record.published_at.date().isoformat() == "2023-11-08"
    assert record.published_at == datetime(2023, 11, 9, 1, 49, 9, tzinfo=UTC)
    same_day = _extract(_page(jsonld=UTC_JSONLD), url="https://herald.example/2023/11/09/bridge-vote/")
    assert same_day.published_at is not None and same_day.published_at.utcoffset() == timedelta(0)


def test_date_only_value_keeps_its_day() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2020-05-01"}'
    record = _extract(_page(jsonld=jsonld), url="https://herald.example/2020/05/02/bridge-vote/")
    assert record.published_at is not None and record.published_at.date().isoformat() == "2020-05-01"
    assert record.published_precision == "day"
    assert record.to_dict()["published_precision"] == "day"


# --- precision, offsets written without a colon ---------------------------------------------------

def test_precision_of_written_dates() -> None:
    assert date_precision("2020-05-01") == "day"
    assert date_precision("06.01.2020") == "day"
    assert date_precision("2020-05-01T10:15+02:00") == "minute"
    assert date_precision("6 janvier 2020 à 10h15") == "minute"
    assert date_precision("2020-05-01T10:15:07+0200") == "second"
    assert date_precision("1588320000") == "second"


def test_offset_without_colon() -> None:
    expected = datetime(2024, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date("2024-03-05T10:00:00+0200") == expected
    assert parse_date("2024-03-05 10:00:00 +0200") == expected
    meta = '<meta property="article:published_time" content="2024-03-05T10:00:00+0200">'
    record = _extract(_page(head=meta))
    assert record.published_at == expected and record.published_at.utcoffset() == timedelta(hours=2)


# --- URL day completed by the visible time -------------------------------------------------------

def test_url_day_takes_the_time_the_page_shows_that_day() -> None:
    dateline = '<p class="byline">By Ann Lee, 14.03.2024 18:30</p>'
    record = _extract(_page(lead=dateline), url="https://herald.example/2024/03/14/bridge-vote/")
    assert record.published_at == datetime(2024, 3, 14, 18, 30, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("text", "minute")


def test_url_day_keeps_its_day_when_the_page_shows_another_day() -> None:
    dateline = '<p class="byline">By Ann Lee, 15.03.2024 18:30</p>'
    record = _extract(_page(lead=dateline), url="https://herald.example/2024/03/14/bridge-vote/")
    assert record.published_at == datetime(2024, 3, 14, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("url", "day")


def test_utc_date_takes_the_offset_of_the_same_instant_told_elsewhere() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"}'
    rfc = '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">'
    record = _extract(_page(head=rfc, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.isoformat() == "2019-10-19T00:04:00+02:00"
    # A UTC copy of the same value in another tag, read first, must not hide the offset.
    utc_copy = '<meta property="article:published_time" content="2019-10-18T22:04:00+00:00">'
    record = _extract(_page(head=utc_copy + rfc, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.isoformat() == "2019-10-19T00:04:00+02:00"
    other_instant = '<meta name="date" content="Sat, 19 Oct 2019 01:30:00 +0200">'
    record = _extract(_page(head=other_instant, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.isoformat() == "2019-10-18T22:04:00+00:00"


def test_utc_time_is_told_on_the_day_a_date_only_value_gives() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2020-12-05T23:15:00Z"}'
    day_only = '<p itemprop="datePublished">2020-12-06</p>'
    record = _extract(_page(after=day_only, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2020-12-06"
    assert record.published_at == datetime(2020, 12, 5, 23, 15, tzinfo=UTC)
    far_day = '<p itemprop="datePublished">2020-12-09</p>'  # not the adjacent day: no re-telling
    record = _extract(_page(after=far_day, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.utcoffset() == timedelta(0)


def test_british_page_writes_the_day_first() -> None:
    dateline = '<p class="byline">By Ann Lee, 02/10/2020</p>'
    british = _page(lead=dateline).replace('lang="en"', 'lang="en-GB"')
    assert _extract(british).published_at == datetime(2020, 10, 2, tzinfo=UTC)
    american = _page(lead=dateline).replace('lang="en"', 'lang="en-US"')
    assert _extract(american).published_at == datetime(2020, 2, 10, tzinfo=UTC)


def test_ambiguous_twelve_hour_time_gives_no_offset() -> None:
    utc = '{"@type": "NewsArticle", "datePublished": "2023-11-09T01:49:00Z"}'
    ambiguous = '<p class="byline">By Ann Lee, 11/08/2023 5:49</p>'  # 5:49 a.m. or p.m.?
    record = _extract(_page(lead=ambiguous, jsonld=utc))
    assert record.published_at is not None and record.published_at.isoformat() == "2023-11-09T01:49:00+00:00"
    told = '<p class="byline">By Ann Lee, 11/08/2023 5:49 p.m.</p>'
    record = _extract(_page(lead=told, jsonld=utc))
    assert record.published_at is not None and record.published_at.isoformat() == "2023-11-08T17:49:00-08:00"


def test_dateline_wall_time_is_not_moved_to_another_day() -> None:
    """A dateline without offset is a wall time: no date-only value may re-tell it on another day."""
    meta = '<meta name="date" content="2020-04-30">'
    dateline = '<p class="byline">Von Ann Lee, 29.04.2020, 12:01 Uhr</p>'
    page = _page(head=meta, lead=dateline).replace('lang="en"', 'lang="de"')
    record = _extract(page)
    assert record.published_at is not None and record.published_at.isoformat() == "2020-04-29T12:01:00+00:00"
    assert (record.date_source, record.published_precision) == ("text", "minute")
    assert _extract(_page(head=meta).replace('lang="en"', 'lang="de"')).published_at == datetime(2020, 4, 30, tzinfo=UTC)


def test_page_wide_lone_year_is_no_date() -> None:
    footer = '<div class="copyright">Copyright 2019 Harbour Herald</div>'
    record = _extract(_page(after=footer))
    assert record.published_at is None and record.published_precision is None
    new_year = '<div class="entry-date">01.01.2019</div>'
    record = _extract(_page(before=new_year))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2019-01-01"
    assert record.published_precision == "day"


# --- the date the page shows arbitrates between structured dates ---------------------------------

JSONLD_FEB_3 = '{"@type": "NewsArticle", "datePublished": "2020-02-03T10:15:00+01:00"}'


def test_structured_dates_that_disagree_yield_to_the_one_the_page_shows() -> None:
    meta = '<meta property="article:published_time" content="2020-02-10T09:00:00+01:00">'
    shown = '<p class="byline">By Ann Lee, 10 February 2020</p>'
    record = _extract(_page(head=meta, jsonld=JSONLD_FEB_3, lead=shown))
    assert record.published_at == datetime(2020, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (record.date_source, record.published_precision) == ("meta", "second")
    # Without a shown date on that day, JSON-LD keeps its priority.
    record = _extract(_page(head=meta, jsonld=JSONLD_FEB_3))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2020-02-03"
    # A shown date no structured source gives, without a label, does not override either.
    record = _extract(_page(jsonld=JSONLD_FEB_3, lead=shown))
    assert record.date_source == "json-ld" and record.published_at is not None
    assert record.published_at.date().isoformat() == "2020-02-03"


def test_a_date_labelled_as_published_wins_over_a_structured_date_on_another_day() -> None:
    labelled = '<p class="meta">Published on 10 February 2020</p>'
    record = _extract(_page(jsonld=JSONLD_FEB_3, lead=labelled))
    assert record.published_at == datetime(2020, 2, 10, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("text", "day")
    updated = '<p class="meta">Updated 10 February 2020</p>'
    assert _extract(_page(jsonld=JSONLD_FEB_3, lead=updated)).date_source == "json-ld"
    # A UTC time a day apart may be that very day in the publisher's offset: the offset rules decide.
    utc = '{"@type": "NewsArticle", "datePublished": "2020-02-03T23:15:00Z"}'
    next_day = '<p class="meta">Published on 4 February 2020</p>'
    assert _extract(_page(jsonld=utc, lead=next_day)).date_source == "json-ld"


def test_time_element_text_showing_another_day_wins_over_its_attribute() -> None:
    saved = '<div class="time"><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time></div>'
    page = _page(lead=saved).replace('lang="en"', 'lang="fr"')
    record = _extract(page)
    assert record.published_at == datetime(2019, 6, 29, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("time-element", "day")
    same_day = '<div class="time"><time datetime="2019-06-29T10:18:46+02:00">Publié le 29 juin 2019</time></div>'
    record = _extract(_page(lead=same_day).replace('lang="en"', 'lang="fr"'))
    assert record.published_at == datetime(2019, 6, 29, 10, 18, 46, tzinfo=timezone(timedelta(hours=2)))
    assert record.published_precision == "second"


def test_dateline_opening_the_lead_paragraph() -> None:
    lead = "<p><strong>Karlsruhe, (12.11.2021). " + TEXT + "</strong></p>"
    record = _extract(_page(lead=lead).replace('lang="en"', 'lang="de"'))
    assert record.published_at == datetime(2021, 11, 12, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("text", "day")
    sentence = "<p><strong>Am 12.11.2021 hat der Rat getagt. " + TEXT + "</strong></p>"  # an event in a sentence
    assert _extract(_page(lead=sentence).replace('lang="en"', 'lang="de"')).date_source != "text"


def test_script_state_wall_time_gives_the_publisher_offset() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2020-12-05T23:15:00Z"}'
    state = "<script>var pageInfo = {article: {}}; pageInfo.article.publication_date = '2020-12-06 00:15';</script>"
    record = _extract(_page(head=state, jsonld=jsonld))
    assert record.published_at is not None and record.published_at.isoformat() == "2020-12-06T00:15:00+01:00"
    record = _extract(_page(jsonld=jsonld))
    assert record.published_at is not None and record.published_at.isoformat() == "2020-12-05T23:15:00+00:00"


def test_structured_dates_in_their_own_offset_a_day_apart_yield_to_the_shown_day() -> None:
    meta = '<meta property="article:published_time" content="2020-09-30T02:00:07-07:00">'
    shown = '<p class="byline">By Ann Lee, Sep 30, 2020</p>'
    local = '{"@type": "NewsArticle", "datePublished": "2020-09-29T22:40:00-07:00"}'
    record = _extract(_page(head=meta, jsonld=local, lead=shown))
    assert record.published_at == datetime(2020, 9, 30, 2, 0, 7, tzinfo=timezone(timedelta(hours=-7)))
    assert record.date_source == "meta"
    # A UTC value a day apart may be the same local day: the offset rules decide, not the shown day.
    utc = '{"@type": "NewsArticle", "datePublished": "2020-09-29T22:40:00Z"}'
    assert _extract(_page(head=meta, jsonld=utc, lead=shown)).date_source == "json-ld"


def test_iso_date_with_one_digit_month_keeps_its_offset() -> None:
    assert parse_date("2022-1-26T14:32:06+02:00") == datetime(2022, 1, 26, 14, 32, 6, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date("2022-1-26T14:32:06+02:00").utcoffset() == timedelta(hours=2)  # type: ignore[union-attr]
    assert parse_date("2022-01-26T14:32:06+02:00") == datetime(2022, 1, 26, 14, 32, 6, tzinfo=timezone(timedelta(hours=2)))


def _header_page(between: str) -> str:
    return ('<html lang="de"><head><title>Der historische Purzelbaum</title></head><body><div class="page"><div class="wrap">'
            '<div class="artikelheader"><span><time datetime="2021-11-25 16:11">25. November 2021 16:11 Uhr</time></span></div>'
            f'{between}<div class="titles"><div><h1>Der historische Purzelbaum</h1></div></div>'
            f'<div class="text"><p>{TEXT}</p><p>{TEXT}</p></div>'
            '<div class="next"><span><time datetime="2021-12-01 15:12">1. Dezember 2021 15:12 Uhr</time></span></div>'
            '</div></div></body></html>')


def test_time_in_the_header_just_above_the_headline_is_the_article_date() -> None:
    record = _extract(_header_page(""))
    assert record.published_at == datetime(2021, 11, 25, 16, 11, tzinfo=UTC)
    assert record.date_source == "time-element"
    # Far above the headline (a whole menu between), a <time> is not the article's.
    menu = '<div class="menu">' + "".join(f'<span><b><i>Rubrik {n}</i></b></span>' for n in range(8)) + "</div>"
    record = _extract(_header_page(menu))
    assert record.published_at == datetime(2021, 12, 1, 15, 12, tzinfo=UTC)


def test_byline_just_above_the_headline_dates_the_page() -> None:
    byline = '<p class="byline">By Ann Lee | 30 September 2018</p>'
    record = _extract(_page(before=byline))
    assert record.published_at == datetime(2018, 9, 30, tzinfo=UTC)
    assert (record.date_source, record.published_precision) == ("text", "day")
    # A dateline below the headline goes first.
    below = '<p class="byline">By Ann Lee, 2 October 2018</p>'
    assert _extract(_page(before=byline, lead=below)).published_at == datetime(2018, 10, 2, tzinfo=UTC)
    # Above the headline, the fetch day is a header's "today" widget as likely as the article's date.
    today = '<p class="byline">Thursday, November 6, 2025</p>'
    assert _extract(_page(before=today)).date_source != "text"


def test_byline_above_the_headline_gives_no_offset() -> None:
    """Above the headline an update time often stands first: only a dateline below it re-tells a UTC time."""
    utc = '{"@type": "NewsArticle", "datePublished": "2025-02-11T23:55:00Z"}'
    above = '<p class="byline">12.2.2025 7:25</p>'
    record = _extract(_page(before=above, jsonld=utc).replace('lang="en"', 'lang="de"'))
    assert record.published_at is not None and record.published_at.isoformat() == "2025-02-11T23:55:00+00:00"
    record = _extract(_page(lead=above, jsonld=utc).replace('lang="en"', 'lang="de"'))
    assert record.published_at is not None and record.published_at.isoformat() == "2025-02-12T07:25:00+07:30"


def test_nordic_update_label_is_no_shown_publication_date() -> None:
    jsonld = '{"@type": "NewsArticle", "datePublished": "2025-02-03T10:00:00+01:00"}'
    meta = '<meta property="article:published_time" content="2025-02-12T09:00:00+01:00">'
    updated = '<p class="byline">Oppdatert 12.02.2025</p>'
    record = _extract(_page(head=meta, jsonld=jsonld, lead=updated).replace('lang="en"', 'lang="no"'))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2025-02-03"
    shown = '<p class="byline">Publisert 12.02.2025</p>'
    record = _extract(_page(head=meta, jsonld=jsonld, lead=shown).replace('lang="en"', 'lang="no"'))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2025-02-12"


def test_url_day_takes_no_time_from_a_byline_above_the_headline() -> None:
    url = "https://herald.example/2024/03/14/bridge-vote/"
    above = '<p class="byline">Updated by Ann Lee 14.03.2024 18:30</p>'
    record = _extract(_page(before=above), url=url)
    assert (record.published_at, record.date_source) == (datetime(2024, 3, 14, tzinfo=UTC), "url")
    below = '<p class="byline">By Ann Lee, 14.03.2024 18:30</p>'
    assert _extract(_page(lead=below), url=url).published_at == datetime(2024, 3, 14, 18, 30, tzinfo=UTC)


def test_month_name_dates_are_read_without_dateparser() -> None:
    assert _month_name_date("6. November 2023, 15:25 Uhr") == datetime(2023, 11, 6, 15, 25, tzinfo=UTC)
    assert _month_name_date("1er mai 2020 à 10h15") == datetime(2020, 5, 1, 10, 15, tzinfo=UTC)
    assert _month_name_date("Sep 30, 2020 5:49 p.m.") == datetime(2020, 9, 30, 17, 49, tzinfo=UTC)
    assert _month_name_date("3 de marzo de 2021") == datetime(2021, 3, 3, tzinfo=UTC)
    # Left to dateparser: a weekday first, a month name not in the table, an impossible day.
    assert _month_name_date("Monday, 6 January 2020") is None
    assert _month_name_date("6 stycznia 2020") is None
    assert _month_name_date("31 Feb 2020") is None


def test_dotted_date_with_spaces_is_read_day_first() -> None:
    german = '<p class="byline">Von Deutscher Tennisbund</p><p>4. 2. 2022.</p>'
    record = _extract(_page(lead=german).replace('lang="en"', 'lang="de"'))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2022-02-04"
    assert (record.date_source, record.published_precision) == ("text", "day")
    assert _numeric_date("4. 2. 2022", "de") == datetime(2022, 2, 4, tzinfo=UTC)
    # Left alone: numbered items without a year, and the unspaced form keeps its reading.
    assert _extract(_page(lead="<p>Teil 4. 2. Folge</p>").replace('lang="en"', 'lang="de"')).published_at is None
    assert _numeric_date("04.02.2022", "de") == datetime(2022, 2, 4, tzinfo=UTC)


def test_a_post_meta_list_classed_as_navigation_still_shows_the_date() -> None:
    meta_list = '<ul class="nav meta"><li><a href="/time/2020-10-13">13 Oct 2020 18:29</a></li><li>1479</li></ul>'
    record = _extract(_page(lead=meta_list))
    assert record.published_at == datetime(2020, 10, 13, 18, 29, tzinfo=UTC) and record.date_source == "text"
    # Left alone: the same list inside a sidebar, and a plain navigation list.
    sidebar = f'<div class="sidebar">{meta_list}</div>'
    assert _extract(_page(lead=sidebar)).date_source != "text"
    plain_nav = meta_list.replace("nav meta", "nav")
    assert _extract(_page(lead=plain_nav)).date_source != "text"


def test_an_aside_classed_as_the_posts_metadata_shows_the_date() -> None:
    generic = '<meta name="date" content="2022-01-26T14:32:06+02:00">'  # the day the page was last saved
    meta_box = '<aside class="meta" role="complementary"><p><time datetime="2022-01-21">21.01.2022 - 13:30</time></p></aside>'
    record = _extract(_page(head=generic, lead=meta_box).replace('lang="en"', 'lang="de"'))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2022-01-21"
    # Left alone: a sidebar aside with another story's date.
    sidebar = meta_box.replace('class="meta"', 'class="sidebar"')
    record = _extract(_page(head=generic, lead=sidebar).replace('lang="en"', 'lang="de"'))
    assert record.published_at is not None and record.published_at.date().isoformat() == "2022-01-26"
