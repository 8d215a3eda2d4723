"""Unit tests for author-name cleaning."""

from __future__ import annotations

import json

import pytest

from pipelines.extraction.authors import clean_authors, find_authors
from pipelines.extraction.document import parse_html
from pipelines.extraction.headline import site_name
from pipelines.extraction.structured import read_structured


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["Jane Doe, John Smith and Ana López"], ["Jane Doe", "John Smith", "Ana López"]),
        (["Jane Doe & John Smith"], ["Jane Doe", "John Smith"]),
        (["Jane Doe, Staff Writer"], ["Jane Doe"]),
        (["Jane Doe - Senior Correspondent"], ["Jane Doe"]),
        (["Reporter"], []),
        (["admin"], []),
        (["Editor", "staff", "Administrator"], []),
        (["jane.doe@example.com"], []),
        (["Jane Doe jane.doe@example.com"], ["Jane Doe"]),
        (["https://www.facebook.com/janedoe"], []),
        (["October 28, 2025"], []),
        (["Jane Doe", "JANE DOE", "jane doe"], ["Jane Doe"]),
        (["Von Max Müller und Erika Muster"], ["Max Müller", "Erika Muster"]),
        (["Par Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
        (["John Y. Smith"], ["John Y. Smith"]),
        (["Jane Doe (Reuters)"], ["Jane Doe"]),
        (["Gear Team"], []),
        (["Daily Market Wire"], []),
        (["dailymarketwire.example, City"], []),
        (["DMW"], []),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, site_name="Daily Market Wire", url="https://dailymarketwire.example/a") == expected


def test_agency_byline_is_kept() -> None:
    assert clean_authors(["Jane Doe, AFP"]) == ["Jane Doe", "AFP"]


# Each new rule with a case that must be kept (or kept apart) next to the case it drops.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # wire agencies are names, also in lower case and after a list of people
        (["Felix Schröder und Jörg Soldwisch, dpa"], ["Felix Schröder", "Jörg Soldwisch", "dpa"]),
        (["dpa"], ["dpa"]),
        (["jdoe"], []),
        # an agency or the outlet glued on without a separator
        (["Tom Davies Associated Press"], ["Tom Davies", "Associated Press"]),
        (["Mary Ani Okafor"], ["Mary Ani Okafor"]),
        (["Kevin McCoy Daily Market Wire"], ["Kevin McCoy"]),
        # job titles in other languages and scripts
        (["Anna Schmidt, Korrespondentin"], ["Anna Schmidt"]),
        (["신현주 기자"], ["신현주"]),
        (["신현주"], ["신현주"]),
        (["牛镛、岳弘彬"], ["牛镛", "岳弘彬"]),
        (["Jane Doe／John Roe"], ["Jane Doe", "John Roe"]),
        # degrees after a name; a surname that looks like one stays
        (["Rachael Link, MS, RD"], ["Rachael Link"]),
        (["Jack Ma"], ["Jack Ma"]),
        # dates, times, weekdays, counters after the name
        (["Von Seb Dumitru, Lille 05.08.2024, 20:59 Uhr"], ["Seb Dumitru", "Lille"]),
        (["Louis Jacobson on Monday"], ["Louis Jacobson"]),
        (["Jane Doe Published 4:05 PM EST Nov 19, 2019"], ["Jane Doe"]),
        (["Jane Doe 3 Comments"], ["Jane Doe"]),
        (["Sep 2, 2024"], []),
        (["by Jeff FoustMonday, November 18, 2019"], ["Jeff Foust"]),
        (["Jane Sunday"], ["Jane Sunday"]),
        # words of a sentence are not a name (scripts without case are not affected)
        (["fronte alla crisi il governo"], []),
        # "<Kind> by", a "By" left on its own, a sentence stop between credits
        (["Analysis by Chris Cillizza"], ["Chris Cillizza"]),
        (["By Carrie Arnold", "By"], ["Carrie Arnold"]),
        (["Finian Cunningham. Sputnik International"], ["Finian Cunningham", "Sputnik International"]),
        (["Sarah E. Needleman"], ["Sarah E. Needleman"]),
        # an agency with its staff title is the agency
        (["TOM KRISHER, AP Auto Writer"], ["TOM KRISHER", "AP"]),
        (["Ana Lopez, Auto Writer"], ["Ana Lopez"]),
        # desks and the outlet are house credits, not people (find_authors keeps them as a fallback)
        (["MND Staff"], []),
        (["Daily Market Wire Staff"], []),
        (["Jane Doe, Staff Writer"], ["Jane Doe"]),
        (["Redaktion dailymarketwire.example"], []),
        (["Redaktion"], []),
    ],
)
def test_clean_authors_rules(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, site_name="Daily Market Wire", url="https://dailymarketwire.example/a") == expected


def test_desk_named_after_the_outlet() -> None:
    # "MDR THÜRINGEN", "NZZ-Redaktion": the outlet's name first, then a region or desk.
    assert clean_authors(["von David Straub, MDR THÜRINGEN"], site_name="MDR", url="https://www.mdr.de/a") == [
        "David Straub"
    ]
    assert clean_authors(["NZZ-Redaktion"], site_name="Neue Zürcher Zeitung", url="https://www.nzz.ch/a") == []
    assert clean_authors(["Nzoka Mwangi"], site_name="Neue Zürcher Zeitung", url="https://www.nzz.ch/a") == [
        "Nzoka Mwangi"
    ]


def _page(head: str = "", body: str = "", site: str = "Harbour Herald") -> str:
    return (
        f'<html><head><meta property="og:site_name" content="{site}">{head}</head><body><main>'
        f"<h1>Council approves the new harbour plan</h1>{body}"
        "<p>The council voted on Tuesday to approve the plan after a long debate.</p></main></body></html>"
    )


def _jsonld(author: object, extra: list[dict] | None = None) -> str:
    article = {"@type": "NewsArticle", "headline": "Council approves the new harbour plan", "author": author}
    graph = {"@context": "https://schema.org", "@graph": [article, *(extra or [])]}
    return f'<script type="application/ld+json">{json.dumps(graph)}</script>'


def _authors(html: str, url: str = "https://harbourherald.example/news/plan") -> list[str]:
    tree = parse_html(html)
    data = read_structured(tree)
    return find_authors(tree, data, url, site_name(data), tree.find(".//h1"))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # the outlet credited as author: kept when no source names a person ...
        (_page(_jsonld({"@type": "Organization", "name": "Harbour Herald"})), ["Harbour Herald"]),
        (_page('<meta name="author" content="harbourherald.example">'), ["harbourherald.example"]),
        (_page('<meta name="author" content="Harbour Herald Staff">'), ["Harbour Herald Staff"]),
        # ... but a person named by any source wins over it
        (_page(_jsonld({"@type": "Organization", "name": "Harbour Herald"}), "<p>By Jane Doe</p>"), ["Jane Doe"]),
        (_page('<meta name="author" content="Harbour Herald">', "<p>Von <a href='/a/jd'>Jane Doe</a></p>"),
         ["Jane Doe"]),
        # Person and agency Organization together; nested lists
        (_page(_jsonld([{"@type": "Person", "name": "Paula Steiger"}, {"@type": "Organization", "name": "SDA"}])),
         ["Paula Steiger", "SDA"]),
        (_page(_jsonld([{"@type": "Person", "name": "Engin Haupt"}, [{"@type": "Person", "name": "Ana López"}]])),
         ["Engin Haupt", "Ana López"]),
        # a reference into the @graph is read from the node it points to
        (_page(_jsonld({"@id": "#p1"}, [{"@type": "Person", "@id": "#p1", "name": "Stephanie Bazzle"}])),
         ["Stephanie Bazzle"]),
        # ... but a <meta> author names the byline, the reference only the CMS account
        (_page(_jsonld({"@id": "#p1"}, [{"@type": "Person", "@id": "#p1", "name": "Kevin Rebong"}])
               + '<meta name="author" content="By David Jeans">'), ["David Jeans"]),
        # a CMS account's profile URL: not a byline
        (_page(_jsonld({"@type": "Person", "name": "Herald D", "url": "https://harbourherald.example/author/admin/"}),
               "<p>By Jane Doe</p>"), ["Jane Doe"]),
        (_page(_jsonld({"@type": "Person", "name": "Herald D", "url": "https://harbourherald.example/a/herald-d/"})),
         ["Herald D"]),
        # microdata bylines of teaser cards in an <aside> belong to other stories
        (_page(body='<span itemprop="author">Madeleine Howell</span>'
                    '<aside><article><span itemprop="author">By Rebecca Astill</span></article></aside>'),
         ["Madeleine Howell"]),
        # a byline line split over elements, with the date after it
        (_page(body="<div><p>von <a href='/autoren/mk'>Dr. Max Kolter</a></p><p>20.10.2025</p></div>"),
         ["Dr. Max Kolter"]),
        (_page(body="<div><span>capital</span><ul><li><span>von</span> <b>Jemima Kelly</b></li></ul></div>"),
         ["Jemima Kelly"]),
        # a labelled author field, not when it sits in a sidebar
        (_page(body="<ul><li><strong>Autorin/Autor</strong> Roman Goncharenko</li></ul>"), ["Roman Goncharenko"]),
        (_page(body="<aside><ul><li><strong>Author</strong> Roman Goncharenko</li></ul></aside>"), []),
        # "Text: Name" is a byline, a "Text Size" widget is not
        (_page(body="<div><p>Text: Anna Berg</p></div>"), ["Anna Berg"]),
        (_page(body="<div><p>Text Size</p></div>"), []),
    ],
)
def test_find_authors(html: str, expected: list[str]) -> None:
    assert _authors(html) == expected
