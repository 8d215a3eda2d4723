"""Unit tests for the headline vote: site-name and section affixes, the `headline` <meta>."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from pipelines.extraction.headline import _is_affixed, find_headline, site_name
from pipelines.extraction.structured import read_structured

URL = "https://www.courier.example/news/article/A2026"
STORY = "Council votes to close the coal port by 2031"


def _headline(head: str, body: str = "") -> str:
    tree = document_fromstring(f"<html><head>{head}</head><body>{body}<p>Text.</p></body></html>")
    data = read_structured(tree)
    found = find_headline(tree, data, URL, site_name(data))
    assert found is not None
    return found.text


def test_section_affix_without_spaces_yields_to_the_bare_title() -> None:
    head = (f'<meta property="og:site_name" content="Courier"><meta property="article:section" content="Politics">'
            f'<meta property="og:title" content="{STORY}-Politics | Courier">'
            f'<meta name="twitter:title" content="{STORY}-Politics | Courier"><title>{STORY}-Politics | Courier</title>'
            f'<meta name="headline" content="{STORY}">')
    assert _headline(head) == STORY


def test_without_a_bare_title_or_section_the_affixed_one_is_kept() -> None:
    head = ('<meta property="og:site_name" content="Courier">'
            f'<meta property="og:title" content="{STORY}-Politics | Courier">')
    assert _headline(head) == f"{STORY}-Politics"
    # A bare title but no section named "Politics": the hyphen may belong to a word.
    assert _headline(head + f'<meta name="headline" content="{STORY}">') == f"{STORY}-Politics"


def test_is_affixed() -> None:
    assert _is_affixed(f"{STORY}-Politics", STORY, {"politics"})
    assert not _is_affixed(f"{STORY}-Politics", STORY)
    assert _is_affixed(f"{STORY} | Sport", STORY)
    assert _is_affixed(f"{STORY} - Local news", STORY)
    # A longer continuation is another title, and hyphenated words are not separators.
    assert not _is_affixed(f"{STORY} - and the mayor resigns over it", STORY)
    assert not _is_affixed("Stromausfall in Berlin-Mitte", "Stromausfall in Berlin")
    assert not _is_affixed("Short-Politics", "Short")  # too short to compare safely


def test_headline_meta_is_a_source() -> None:
    head = f'<meta name="headline" content="{STORY}"><title>Courier</title>'
    assert _headline(head) == STORY


SOCIAL = "Schools close early as the heat breaks records"


def test_heading_and_structured_headline_agreeing_beat_a_social_title() -> None:
    head = (f'<meta property="og:title" content="{SOCIAL}"><meta name="twitter:title" content="{SOCIAL}">'
            f'<title>{SOCIAL}</title>'
            f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{STORY}"}}</script>')
    assert _headline(head, f"<h1>{STORY}</h1>") == STORY


def test_without_agreement_the_social_title_keeps_its_vote() -> None:
    # The <h1> matches no structured headline: og:, twitter: and <title> together still win.
    head = (f'<meta property="og:title" content="{SOCIAL}"><meta name="twitter:title" content="{SOCIAL}">'
            f'<title>{SOCIAL}</title>')
    assert _headline(head, f"<h1>{STORY}</h1>") == SOCIAL
    # A <h1> agreeing only with the SEO <meta name="title"> is no structured agreement either.
    assert _headline(head + f'<meta name="title" content="{STORY}">', f"<h1>{STORY}</h1>") == SOCIAL


QUOTED = 'Why Putin warns of a "breakup of Russia" now'


def test_og_title_cut_at_an_unescaped_quote_yields_to_the_heading() -> None:
    # content="Why Putin warns of a "breakup..." ends the attribute at the inner quote.
    head = f'<meta property="og:title" content="{QUOTED}"><meta name="twitter:title" content="{QUOTED}">'
    assert _headline(head, f"<h1>{QUOTED}</h1>") == QUOTED
    # A shorter og:title that the heading goes on from without a quote is a title of its own.
    whole = "Why Putin warns of a breakup of Russia"
    head = f'<meta property="og:title" content="{whole}"><meta name="twitter:title" content="{whole}">'
    assert _headline(head, f"<h1>{whole} and what the Kremlin means by it</h1>") == whole


def test_og_title_ending_in_dots_yields_to_the_heading_it_starts() -> None:
    head = '<meta property="og:title" content="Council votes to close the coal port..."><title>Courier</title>'
    assert _headline(head, f"<h1>{STORY}</h1>") == STORY


def test_heading_and_og_title_with_different_kickers_share_the_headline() -> None:
    head = f'<meta property="og:title" content="Coal port: {STORY}"><title>Coal port: {STORY} | Courier</title>'
    assert _headline(head, f"<h1>Energy transition - {STORY}</h1>") == STORY
    # The same kicker on both: that title as a whole is the headline.
    head = f'<meta property="og:title" content="Coal port: {STORY}">'
    assert _headline(head, f"<h1>Coal port: {STORY}</h1>") == f"Coal port: {STORY}"



def test_one_kicker_inside_the_other_is_no_other_framing() -> None:
    """'City port chief Lee: «…»' and 'Port chief Lee: «…»' differ in the kicker's spelling, not in
    their framing: the quote they share is not the headline, the <h1> agreeing with JSON-LD is."""
    quote = "&quot;We have nothing left to lose&quot;"
    full = f"City port chief Lee: {quote}"
    head = (f'<meta property="og:title" content="Port chief Lee: {quote}">'
            f'<meta name="twitter:title" content="Port chief Lee: {quote} - an appeal to honour">'
            f'<title>{full} - Courier</title>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"City port chief Lee: \\"We have nothing left to lose\\""}</script>')
    assert _headline(head, f"<h1>{full}</h1>") == 'City port chief Lee: "We have nothing left to lose"'


def test_microdata_headline_agreeing_with_the_heading_beats_a_social_title() -> None:
    social = (f'<meta property="og:title" content="{SOCIAL}"><meta name="twitter:title" content="{SOCIAL}">'
              f'<title>{SOCIAL}</title>')
    body = f'<div itemscope itemtype="https://schema.org/NewsArticle"><meta itemprop="headline" content="{STORY}">'
    assert _headline(social, f"{body}<h1>{STORY}</h1></div>") == STORY
    # The microdata names another text than the <h1>: no agreement, the social titles win.
    other = body.replace(STORY, "Port closure approved after long debate")
    assert _headline(social, f"{other}<h1>{STORY}</h1></div>") == SOCIAL


SOCIAL_HEAD = (f'<meta property="og:title" content="{SOCIAL}"><meta name="twitter:title" content="{SOCIAL}">'
               f'<title>{SOCIAL}</title>')
STORY_JSONLD = f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{STORY}"}}</script>'
KICKER_JSONLD = f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Coal port: {SOCIAL}"}}</script>'
BREADCRUMB = f'<nav class="breadcrumb"><a href="/">Home</a><h1>{SOCIAL}</h1></nav>'


@pytest.mark.parametrize(("head", "body", "expected"), [
    # The only <h1> is the breadcrumb's; the article header shows the JSON-LD headline as an
    # <h2>: visible heading and structured data agree, the social titles do not outvote them.
    (SOCIAL_HEAD + STORY_JSONLD, f"{BREADCRUMB}<article><hgroup><h2>{STORY}</h2></hgroup>", STORY),
    # Left alone: an <h2> built of a kicker and a headline element shows the headline element,
    # the og:title; the JSON-LD joining kicker and headline is not what it shows.
    (SOCIAL_HEAD + KICKER_JSONLD,
     f'{BREADCRUMB}<article><h2><span class="kicker">Coal port</span> <span>{SOCIAL}</span></h2>', SOCIAL),
    # Left alone: an <h2> showing no metadata title (a section heading) confirms nothing.
    (SOCIAL_HEAD + STORY_JSONLD, f"{BREADCRUMB}<article><h2>More from the region today</h2>", SOCIAL),
    # Left alone: an article <h1> is the visible heading; <h2>s are not read.
    (SOCIAL_HEAD + STORY_JSONLD, f"<article><h1>{SOCIAL}</h1><h2>{STORY}</h2>", SOCIAL),
])
def test_an_h2_headline_counts_as_the_visible_heading_without_an_article_h1(head: str, body: str,
                                                                          expected: str) -> None:
    assert _headline(head, body) == expected


TICKER = "Port strike: ferries cancelled +++ Mayor calls for talks"
SOCIAL_ONLY = f'<meta property="og:title" content="{SOCIAL}"><meta name="twitter:title" content="{SOCIAL}">'


@pytest.mark.parametrize(("head", "expected"), [
    # The <h1> (a ticker's latest entry) matches no title: the JSON-LD headline and the <title>
    # agreeing name the article, not the social title.
    (f"{SOCIAL_ONLY}<title>{STORY} | Courier</title>{STORY_JSONLD}", STORY),
    # Left alone: the <title> repeats the social title, the JSON-LD headline stands alone.
    (f"{SOCIAL_ONLY}<title>{SOCIAL} | Courier</title>{STORY_JSONLD}", SOCIAL),
    # Left alone: no structured headline.
    (f"{SOCIAL_ONLY}<title>{STORY} | Courier</title>", SOCIAL),
])
def test_structured_headline_and_title_agreeing_beat_social_titles_under_an_unmatched_h1(
        head: str, expected: str) -> None:
    assert _headline('<meta property="og:site_name" content="Courier">' + head, f"<h1>{TICKER}</h1>") == expected
