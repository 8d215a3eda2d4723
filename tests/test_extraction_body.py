"""Unit tests for the body completion and teaser filters (containers, lead, link lists, cards)."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from pipelines.extraction.body import _drop_captions, _drop_link_items, _is_kicked_title
from pipelines.extraction.body import _paragraphs as page_blocks
from pipelines.extraction.containers import complete_from_twins, restore_dropped_paragraphs
from pipelines.extraction.lead import find_lead
from pipelines.extraction.text import clean, norm

_LONG = "with enough words in it to read as a real paragraph of prose written for the story itself"
P1 = f"The first paragraph of the story {_LONG}."
P2 = f"The second paragraph of the story {_LONG}."
P3 = f"The third paragraph sits in the next chunk {_LONG}, after an advertisement slot."


def _chunks(between: str = "") -> str:
    return f"""<html><body><article><h1>Title</h1>
      <div class="row"><div class="body-chunk"><p>{P1}</p><p>{P2}</p></div></div>
      {between}
      <div class="row"><div class="body-chunk"><p>{P3}</p></div></div>
    </article></body></html>"""


def test_twin_container_further_down_is_appended() -> None:
    tree = document_fromstring(_chunks())
    assert complete_from_twins(tree, f"{P1}\n{P2}").split("\n") == [P1, P2, P3]


def test_twin_after_a_new_headline_is_another_article() -> None:
    tree = document_fromstring(_chunks("<h1>Next story in the infinite scroll</h1>"))
    assert complete_from_twins(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


def test_twin_of_short_teaser_lines_is_not_taken() -> None:
    html = _chunks().replace(f"<p>{P3}</p>", "<p>Pochettino fired by Tottenham</p><p>Messi accepts a challenge</p>")
    tree = document_fromstring(html)
    assert complete_from_twins(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


def _paragraphs(html: str) -> list:
    return [(p, clean(p.text_content())) for p in document_fromstring(html).iter("p")]


def test_paragraph_with_a_link_dropped_between_two_kept_ones_is_put_back() -> None:
    linked = 'In 2008 the council said that <a href="/pier">the pier could be rebuilt</a>.'
    html = f"""<html><body><article><h1>Title</h1>
      <div class="block"><p class="txt">{P1}</p></div>
      <div class="block"><p class="txt">{linked}</p></div>
      <div class="block"><p class="txt">{P2}</p></div></article></body></html>"""
    assert restore_dropped_paragraphs(_paragraphs(html), f"{P1}\n{P2}").split("\n") == [
        P1, "In 2008 the council said that the pier could be rebuilt.", P2]


def test_paragraph_dropped_next_to_a_subheading_is_put_back_in_its_place() -> None:
    # The dropped paragraph closes a section: its neighbours are a kept paragraph and the next
    # section's heading, and it goes between them.
    def block(text: str) -> str:
        return f'<div class="block"><p class="txt">{text}</p></div>'
    closing = 'He has also <a href="/x">criticised the plan</a> more than once.'
    html = f"""<html><body><article><h1>Title</h1>{block(P1)}{block(closing)}
      <h2>What is the pier?</h2>{block(P2)}</article></body></html>"""
    text = f"{P1}\nWhat is the pier?\n{P2}"
    paragraphs = [(e, clean(e.text_content())) for e in document_fromstring(html).iter("p", "h2")]
    assert restore_dropped_paragraphs(paragraphs, text).split("\n") == [
        P1, "He has also criticised the plan more than once.", "What is the pier?", P2]


def test_gap_paragraph_of_other_markup_or_wholly_a_link_or_at_the_end_stays_out() -> None:
    teaser = '<a href="/other">Another story about the harbour and its pier</a>'
    ad = "Advertisement: the harbour shop sells fresh fish every day"
    html = f"""<html><body><article><h1>Title</h1>
      <div class="block"><p class="txt">{P1}</p></div>
      <div class="block"><p class="txt">{teaser}</p></div>
      <div class="promo"><p class="note">{ad}</p></div>
      <div class="block"><p class="txt">{P2}</p></div>
      <div class="block"><p class="txt">A closing line that the extractor left out at the end.</p></div>
      </article></body></html>"""
    assert restore_dropped_paragraphs(_paragraphs(html), f"{P1}\n{P2}") == f"{P1}\n{P2}"


def test_caption_lines_dropped_unless_the_page_prints_them_as_a_paragraph_too() -> None:
    caption = "The old pier at low tide"
    repeated = "Only nine of the old piers are still standing on this coast"
    html = f"""<html><body><article><h1>Title</h1><p>{P1}</p>
      <div class="inline-img"><img src="p.jpg"><div class="img__caption">{caption}</div></div>
      <div class="group"><img src="q.jpg"><p class="imageCaption">{repeated}</p></div>
      <p>{repeated}</p><p>{P2}</p></article></body></html>"""
    tree = document_fromstring(html)
    paragraphs = [(e, clean(e.text_content())) for e in tree.iter("p", "h2")]
    text = f"{P1}\n{caption}\n{repeated}\n{P2}"
    assert _drop_captions(text, tree, paragraphs).split("\n") == [P1, repeated, P2]


def test_link_list_items_dropped_text_list_items_kept() -> None:
    tree = document_fromstring("""<html><body><article>
      <ul><li><a href="/a">Another story about the harbour</a></li></ul>
      <ul><li>The pier is 300 metres long and was built in <a href="/1902">1902</a>.</li></ul>
    </article></body></html>""")
    text = "Body line.\n- Another story about the harbour\n- The pier is 300 metres long and was built in 1902."
    assert _drop_link_items(text, tree).split("\n") == [
        "Body line.", "- The pier is 300 metres long and was built in 1902."]


def test_list_of_kicker_and_link_items_dropped() -> None:
    # Each item puts a bold kicker before its link: under 80 % link text per item, but the
    # list as a whole is links to other stories.
    tree = document_fromstring("""<html><body><article>
      <ul><li><strong>Harbour:</strong> <a href="/a">New pier opens to ferries</a></li>
          <li><strong>Council vote:</strong> <a href="/b">Parking fees go up in May</a></li></ul>
    </article></body></html>""")
    text = f"{P1}\n{P2}\n- Harbour: New pier opens to ferries\n- Council vote: Parking fees go up in May"
    assert _drop_link_items(text, tree).split("\n") == [P1, P2]


def test_list_with_a_link_in_some_items_and_a_link_roll_kept() -> None:
    # A list of facts where only one item links somewhere stays.
    facts = document_fromstring("""<html><body><article>
      <ul><li>The pier is 300 metres long and took two years to build</li>
          <li>It was paid for by the <a href="/port">port authority</a> and the town council</li></ul>
    </article></body></html>""")
    text = (f"{P1}\n- The pier is 300 metres long and took two years to build\n"
            "- It was paid for by the port authority and the town council")
    assert _drop_link_items(text, facts) == text
    # A post that is a list of links with notes (a link roll): the list is the post.
    roll = document_fromstring("""<html><body><article>
      <ul><li><a href="/a">Harbour pier opens to ferries</a> via the Gazette, worth a read</li>
          <li><a href="/b">Parking fees go up in May</a> via the Courier, a long piece</li></ul>
    </article></body></html>""")
    text = ("Links of the day.\n- Harbour pier opens to ferries via the Gazette, worth a read\n"
            "- Parking fees go up in May via the Courier, a long piece")
    assert _drop_link_items(text, roll) == text


def test_link_roll_of_linked_items_kept() -> None:
    # Each item is nearly all link text, but the items are the post itself.
    tree = document_fromstring("""<html><body><article>
      <ul><li><a href="/a">Harbour pier opens to ferries after two years of building</a> via Gazette</li>
          <li><a href="/b">Parking fees go up in May for the whole old town</a> via Courier</li></ul>
    </article></body></html>""")
    text = ("Links of the day.\n- Harbour pier opens to ferries after two years of building via Gazette\n"
            "- Parking fees go up in May for the whole old town via Courier")
    assert _drop_link_items(text, tree) == text
    longer = f"{P1}\n{P2}\n{P3}\n- Harbour pier opens to ferries after two years of building via Gazette"
    assert _drop_link_items(longer, tree) == f"{P1}\n{P2}\n{P3}"


def test_run_of_linked_headline_lines_dropped() -> None:
    heads = ["New pier opens to ferries next week", "Parking fees go up in May again",
             "Council elects a new mayor for the town"]
    tree = document_fromstring("<html><body><article>" + "".join(
        f'<h3><a href="/{i}">{h}</a></h3>' for i, h in enumerate(heads)) + "</article></body></html>")
    text = "\n".join([P1, P2, *heads])
    assert _drop_link_items(text, tree).split("\n") == [P1, P2]


def test_linked_lines_kept_when_fewer_than_three_or_not_links() -> None:
    heads = ["New pier opens to ferries next week", "Parking fees go up in May again",
             "Council elects a new mayor for the town"]
    # Two linked headlines only: a source or two named in the story.
    tree = document_fromstring("<html><body><article>" + "".join(
        f'<p><a href="/{i}">{h}</a></p>' for i, h in enumerate(heads[:2])) + "</article></body></html>")
    text = "\n".join([P1, *heads[:2], P2])
    assert _drop_link_items(text, tree) == text
    # Three subheadings that are not links stay.
    plain = document_fromstring("<html><body><article>" + "".join(f"<h3>{h}</h3>" for h in heads) + "</article></body></html>")
    text = "\n".join([P1, *heads, P2])
    assert _drop_link_items(text, plain) == text


def test_nested_teaser_cards_dropped_story_kept() -> None:
    tree = document_fromstring(f"""<html><body><article class="post"><p>{P1}</p>
      <article class="post"><a href="/other"><img src="x.jpg"></a><p>Gratitude lives in small things, a teaser.</p></article>
    </article></body></html>""")
    text = f"{P1}\nGratitude lives in small things, a teaser."
    assert _drop_link_items(text, tree) == P1


def test_paragraph_inside_a_link_is_a_teaser_card() -> None:
    teaser = f"RISK REMAINS: An official said the carrier group was sighted {_LONG}."
    linked_story = f"A story paragraph with <a href='/ref'>a link inside it</a> {_LONG}."
    tree = document_fromstring(f"""<html><body><article><p>{P1}</p><p>{linked_story}</p>
      <ul><li><a href="/news/2024/10/14/other"><div><h3>Other story</h3><p>{teaser}</p></div></a></li></ul>
    </article></body></html>""")
    kept = f"A story paragraph with a link inside it {_LONG}."
    assert _drop_link_items(f"{P1}\n{kept}\n{teaser}", tree) == f"{P1}\n{kept}"


def test_lead_found_after_headline_and_kept() -> None:
    description = "Three winters of floods pushed the town to build a wall."
    tree = document_fromstring(f"""<html><body><article><h1>Flood wall</h1>
      <p class="dek">Millbrook. {description}</p><div><p>{P1}</p></div></article></body></html>""")
    headline = next(tree.iter("h1"))
    assert find_lead(tree, [description], P1, headline) == f"Millbrook. {description}"
    # Already in the body: nothing to add.
    assert find_lead(tree, [description], f"Millbrook. {description}\n{P1}", headline) is None


def test_lead_in_image_caption_or_before_headline_is_ignored() -> None:
    description = "Three winters of floods pushed the town to build a wall."
    caption = f"""<html><body><article><h1>Flood wall</h1>
      <figure><img src="w.jpg"><figcaption>{description}</figcaption></figure><p>{P1}</p></article></body></html>"""
    tree = document_fromstring(caption)
    assert find_lead(tree, [description], P1, next(tree.iter("h1"))) is None
    teaser = f"""<html><body><div class="x"><p>{description}</p></div>
      <article><h1>Flood wall</h1><p>{P1}</p></article></body></html>"""
    tree = document_fromstring(teaser)
    assert find_lead(tree, [description], P1, next(tree.iter("h1"))) is None


def test_lead_matched_across_no_break_spaces_and_escaped_entities() -> None:
    # The page prints no-break spaces where the metadata has spaces, and the metadata
    # carries "&nbsp;" as text: the lead is found all the same.
    tree = document_fromstring("""<html><body><article><h1>Flood wall</h1>
      <p class="intro">Three\xa0winters of\xa0floods pushed the town to build a wall.</p>
      <div><p>%s</p></div></article></body></html>""" % P1)
    headline = next(tree.iter("h1"))
    for description in ("Three winters of floods pushed the town to build a wall.",
                        "Three&nbsp;winters of floods pushed the town to build a wall."):
        assert find_lead(tree, [description], P1, headline) == "Three winters of floods pushed the town to build a wall."


def test_lead_matched_when_the_description_carries_escaped_markup() -> None:
    # Some CMSs put the standfirst's HTML into the meta description ("&lt;p&gt;Three ...&lt;/p&gt;"):
    # the tags are not text, and the lead is found by its words.
    tree = document_fromstring(f"""<html><head>
      <meta name="description" content="&lt;p&gt;Three winters of floods pushed the town to build a wall.&lt;/p&gt;">
      </head><body><article><h1>Flood wall</h1>
      <div class="teaser-text"><p>Three winters of floods pushed the town to build a wall.</p></div>
      <div><p>{P1}</p></div></article></body></html>""")
    description = next(tree.iter("meta")).get("content")
    for headline in (next(tree.iter("h1")), None):
        assert find_lead(tree, [description], P1, headline) == "Three winters of floods pushed the town to build a wall."


def test_standfirst_named_by_its_class_is_found_without_a_matching_description() -> None:
    # No description shows the standfirst; its class ("article__intro", "detail__excerpt") names it.
    standfirst = "Three winters of floods pushed the town to build a wall, and the council paid for half of it."
    for name in ("article__intro", "detail__excerpt", "c-subtitle"):
        tree = document_fromstring(f"""<html><body><article><header><h1>Flood wall</h1>
          <p class="{name}">{standfirst}</p></header><div><p>{P1}</p></div></article></body></html>""")
        assert find_lead(tree, ["Millbrook builds a wall against the floods: the full story here"], P1,
                         next(tree.iter("h1"))) == standfirst


def test_standfirst_by_class_skips_the_lead_image_and_blocks_after_the_body_start() -> None:
    caption = "The new wall seen from the harbour on a grey morning in March, before the storm came in."
    tree = document_fromstring(f"""<html><body><article><h1>Flood wall</h1>
      <div class="article-lead"><figure><img src="w.jpg"><figcaption>{caption}</figcaption></figure></div>
      <div><p>{P1}</p></div><div class="intro">{caption}</div></article></body></html>""")
    assert find_lead(tree, [], P1, next(tree.iter("h1"))) is None


def test_reworded_lead_between_headline_and_body_is_found() -> None:
    description = "Three winters of floods pushed the town of Millbrook to build a wall. Will it hold?"
    standfirst = "Three winters of floods pushed Millbrook to build a wall. Why the town thinks it will hold."
    tree = document_fromstring(f"""<html><body><article><h1>Flood wall</h1>
      <span class="byline">By Jane Roe</span><div class="sub">{standfirst}</div>
      <div><p>{P1}</p><p>{P2}</p></div></article></body></html>""")
    headline = next(tree.iter("h1"))
    assert find_lead(tree, [description], f"{P1}\n{P2}", headline) == standfirst


def test_reworded_lead_left_alone_when_unrelated_or_after_the_body_start() -> None:
    description = "Three winters of floods pushed the town of Millbrook to build a wall. Will it hold?"
    other = "The council meets on Tuesday to talk about parking fees in the old harbour district."
    headline_html = "<h1>Flood wall</h1>"
    unrelated = document_fromstring(f"""<html><body><article>{headline_html}
      <div class="sub">{other}</div><div><p>{P1}</p></div></article></body></html>""")
    assert find_lead(unrelated, [description], P1, next(unrelated.iter("h1"))) is None
    reworded = "Three winters of floods pushed Millbrook to build a wall. Why the town thinks it will hold."
    below = document_fromstring(f"""<html><body><article>{headline_html}
      <div><p>{P1}</p></div><aside><p>{reworded}</p></aside></article></body></html>""")
    assert find_lead(below, [description], P1, next(below.iter("h1"))) is None


def test_kicker_headline_line() -> None:
    key = norm("Why Putin warns of a break-up of Russia")
    assert _is_kicked_title(norm('So-called "decolonisation": Why Putin warns of a break-up of Russia'), key)
    assert not _is_kicked_title(norm("Beijing, April 24 - Why Putin warns of a break-up of Russia"), key)
    # A date run into the title (a "topline" span inside the <h1>) is not a dateline of the text.
    assert _is_kicked_title(norm("27.01.2022Why Putin warns of a break-up of Russia"), key)


def test_other_title_heading_the_text_is_dropped_but_kept_further_down() -> None:
    from pipelines.extraction import ArticleRecord, extract_article

    long_title = "Your old banknote could be worth thousands if you have the rare print"
    html = f"""<html><head><title>{long_title} | Courier</title>
      <meta property="og:title" content="Your old banknote could be worth thousands">
      <meta property="og:site_name" content="Courier"></head><body><article>
      <p class="title">{long_title}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{long_title}</p></article></body></html>"""
    result = extract_article(html, "https://courier.example/money/banknote")
    assert isinstance(result, ArticleRecord)
    assert result.headline == "Your old banknote could be worth thousands"
    assert result.body.split("\n") == [P1, P2, P3, long_title]


def test_no_break_spaces_and_blank_runs_become_one_space() -> None:
    from pipelines.extraction import extract_article

    html = (f"<html><head><title>Harbour jobs</title></head><body><article><h1>Harbour jobs</h1>"
            f"<p>{P1}</p><p>The plan brings 350&nbsp;000&#8239;jobs in the   35\u00a0hours week, the minister said.</p>"
            f"<p>{P2}</p></article></body></html>")
    body = extract_article(html, "https://harbour.example/news/harbour-jobs-plan-approved").body
    assert "The plan brings 350 000 jobs in the 35 hours week, the minister said." in body.split("\n")
    assert "\xa0" not in body and "\u202f" not in body


def test_ordinary_spacing_is_left_alone() -> None:
    from pipelines.extraction.body import _normalize_spaces

    text = f"{P1}\n{P2}"
    assert _normalize_spaces(text) is text


def test_a_short_page_keeps_each_paragraph_once() -> None:
    # trafilatura 2.0 and 2.1 repeat every paragraph in favor_precision mode (the declared
    # lower bound is 2.2): a short page's body must be its paragraphs, each once.
    from datetime import datetime, timezone

    from pipelines.extraction import ArticleRecord, extract_article

    paragraphs = [
        "Route 9 is closed in both directions after a crash near the river bridge late on Tuesday night.",
        "Police ask drivers to avoid the area until the evening, when the wreck should have been cleared.",
    ]
    html = (
        '<html><head><title>Road closed after crash</title><meta property="og:type" content="article"></head>'
        "<body><article><h1>Road closed after crash</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
    )
    record = extract_article(html, "https://courier.example/2026/01/09/road-closed-after-crash", fetched_at=datetime(2026, 1, 9, tzinfo=timezone.utc))
    assert isinstance(record, ArticleRecord)
    assert record.body.splitlines() == paragraphs


KICKED = 'So-called "decolonisation": Why Putin warns of a break-up of Russia'


@pytest.mark.parametrize(("article", "expected"), [
    # A kicker run into the headline heading the text is the title block: dropped.
    (f"<p>{KICKED}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p>", [P1, P2, P3]),
    # The same line after a paragraph is a crosshead of the body: kept.
    (f"<p>{P1}</p><h2>{KICKED}</h2><p>{P2}</p><p>{P3}</p>", [P1, KICKED, P2, P3]),
])
def test_kicked_headline_dropped_only_before_the_first_paragraph(article: str, expected: list[str]) -> None:
    from pipelines.extraction import ArticleRecord, extract_article

    html = f"""<html><head><title>Why Putin warns of a break-up of Russia</title></head><body><article>
      <h1>Why Putin warns of a break-up of Russia</h1>{article}</article></body></html>"""
    result = extract_article(html, "https://courier.example/world/putin-russia")
    assert isinstance(result, ArticleRecord)
    assert result.body.split("\n") == expected


def _blocks(html: str) -> list:
    return page_blocks(document_fromstring(html))  # the paragraphs and subheadings the body reads


def test_subheading_dropped_between_two_kept_paragraphs_is_put_back() -> None:
    # FAQ pages: each question an <h2> beside the answers; precision mode drops some of them.
    question = "Gibt es dabei eine Altersgrenze für die Kinder?"
    html = f"""<html><body><article><h1>Title</h1><div class="article-content">
      <p>{P1}</p><h2><span id="q2"></span>{question}<span></span></h2><p>{P2}</p></div></article></body></html>"""
    assert restore_dropped_paragraphs(_blocks(html), f"{P1}\n{P2}").split("\n") == [P1, question, P2]
    # A subheading beside the paragraphs' wrappers, set as a jump label (an <a> without href).
    wrapped = f"""<html><body><article><div class="box"><div class="paragraph"><p class="text">{P1}</p></div>
      <h3 class="subtitle"><a name="part2"><strong>Is the sausage an illusion?</strong></a></h3>
      <div class="paragraph"><p class="text">{P2}</p></div></div></article></body></html>"""
    assert restore_dropped_paragraphs(_blocks(wrapped), f"{P1}\n{P2}").split("\n") == [
        P1, "Is the sausage an illusion?", P2]


def test_linked_or_foreign_or_repeated_subheadings_stay_out() -> None:
    # A heading that is a link (a teaser title), one in other markup than the paragraphs around it
    # (a box), two headings in one gap (a block of teaser titles), or one already in the text.
    cases = [
        f'<div class="c"><p>{P1}</p><h3><a href="/other">Another story about the pier</a></h3><p>{P2}</p></div>',
        f'<div class="c"><p>{P1}</p><aside class="box"><h3>Most read today</h3></aside><p>{P2}</p></div>',
        f'<div class="c"><p>{P1}</p><h3>Harbour news</h3><h3>Pier news</h3><p>{P2}</p></div>',
    ]
    for body in cases:
        html = f"<html><body><article><h1>Title</h1>{body}</article></body></html>"
        assert restore_dropped_paragraphs(_blocks(html), f"{P1}\n{P2}") == f"{P1}\n{P2}"
    html = f'<html><body><article><div class="c"><p>{P1}</p><h3>Pier</h3><p>{P2}</p></div></article></body></html>'
    assert restore_dropped_paragraphs(_blocks(html), f"{P1}\nPier\n{P2}") == f"{P1}\nPier\n{P2}"


def test_nested_entries_of_a_listicle_are_kept_teasers_to_the_site_dropped() -> None:
    entry = "A 320 metre path high in the trees winds between the old sanatorium buildings."
    teaser = "2,000 families tested the new cocoa drink. Read here how they liked it."

    def page(card: str) -> str:
        return f'<html><body><article class="single"><p>{P1}</p>{card}</article></body></html>'

    listicle = page(f"""<article class="card"><h3>1 Walk above the treetops</h3><p>{entry}</p>
      <a href="#top">Street 13, Beelitz</a> <a href="https://treetops.example/">More info</a></article>""")
    text = f"{P1}\n{entry}"
    assert _drop_link_items(text, document_fromstring(listicle), "https://www.guide.example/trips") == text
    card = page(f"""<article class="card"><h2>Cocoa drink test</h2><p>{teaser}</p>
      <a href="/tests/cocoa">See the results</a></article>""")
    text = f"{P1}\n{teaser}"
    assert _drop_link_items(text, document_fromstring(card), "https://www.guide.example/tests") == P1
    # Linked heading: a teaser even when its link leaves the site.
    linked = page(f'<article class="card"><h3><a href="https://other.example/x">Other story</a></h3><p>{teaser}</p></article>')
    assert _drop_link_items(text, document_fromstring(linked), "https://www.guide.example/tests") == P1


def test_new_window_notes_inside_links_are_dropped() -> None:
    from pipelines.extraction.body import _drop_link_notes

    text = "Quantumscape promised its investors(öffnet im neuen Fenster) , among them VW, a new cell.\nSee the report (opens in a new window)."
    assert _drop_link_notes(text) == "Quantumscape promised its investors , among them VW, a new cell.\nSee the report."
    prose = "The window (opens onto the harbour) was new. The shop opens in a new window display on Monday."
    assert _drop_link_notes(prose) == prose


def test_dateline_set_beside_an_inline_lead_is_part_of_it() -> None:
    description = "Three ancient cities surfaced in the rainforest and change what we know of the Maya."
    tree = document_fromstring(f"""<html><body><article><h1>Maya cities</h1>
      <div class="copy"><span class="secondary">Essen.</span> <span class="primary">{description}</span></div>
      <div><p>{P1}</p></div></article></body></html>""")
    headline = next(tree.iter("h1"))
    assert find_lead(tree, [description], P1, headline) == f"Essen. {description}"
    # A longer text before the inline lead is not a dateline: the lead alone is taken.
    tree = document_fromstring(f"""<html><body><article><h1>Maya cities</h1>
      <div class="copy"><span>Photos from the expedition, published by the team on Monday.</span>
      <span class="primary">{description}</span></div><div><p>{P1}</p></div></article></body></html>""")
    assert find_lead(tree, [description], P1, next(tree.iter("h1"))) == description


def test_standfirst_found_when_no_heading_matched_the_headline() -> None:
    # The <h1>'s class reads as page furniture ("banner__headline"), so no heading element comes
    # with the headline: the page's first <h1> still marks the header, and the standfirst named
    # by its class after it is the lead.
    from pipelines.extraction import extract_article

    intro = ("The new touring boot is a light and very versatile model of the top class, and it brings the best "
             "of the freeride and touring worlds together.")
    html = f"""<html><head><title>Touring boot: the best of both worlds</title>
      <meta property="og:description" content="A versatile touring boot of the top class"></head><body>
      <main><article><h1 class="banner__headline">Touring boot: the best of both worlds</h1>
      <div class="article__intro"><p>{intro}</p></div>
      <div class="article__body"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article></main></body></html>"""
    body = extract_article(html, "https://alpine.example/gear/touring-boot-best-of-both-worlds").body
    assert body.split("\n")[0] == intro
    # The same page with the intro after the body's first paragraph: nothing is added.
    late = html.replace(f'<div class="article__intro"><p>{intro}</p></div>', "").replace(
        f"<p>{P1}</p>", f'<p>{P1}</p><div class="article__intro"><p>{intro}</p></div>')
    assert extract_article(late, "https://alpine.example/gear/touring-boot-best-of-both-worlds").body.split("\n")[0] == P1


def test_paragraphs_with_soft_hyphens_are_found_in_the_text() -> None:
    # The extractor drops soft hyphens; the page's paragraphs must be read the same way, or the
    # paragraph left out between them is not put back.
    from pipelines.extraction.body import _paragraphs

    hyphenated = [p.replace("paragraph", "para\xadgraph").replace("story", "sto\xadry") for p in (P1, P2)]
    linked = 'In 2008 the council said that <a href="/pier">the pier could be rebuilt</a>.'
    html = f"""<html><body><article><h1>Title</h1><div class="block"><p class="txt">{hyphenated[0]}</p></div>
      <div class="block"><p class="txt">{linked}</p></div><div class="block"><p class="txt">{hyphenated[1]}</p></div>
      </article></body></html>"""
    paragraphs = _paragraphs(document_fromstring(html))
    assert [text for _, text in paragraphs][0] == P1
    assert restore_dropped_paragraphs(paragraphs, f"{P1}\n{P2}").split("\n") == [
        P1, "In 2008 the council said that the pier could be rebuilt.", P2]
    # Without soft hyphens the texts are read as they stand.
    plain = html.replace("\xad", "")
    assert [text for _, text in _paragraphs(document_fromstring(plain))][0] == P1


def test_link_words_after_an_empty_icon_are_kept() -> None:
    # trafilatura's precision mode deletes an empty element together with its tail: the words of a
    # link after an external-link icon vanished from the middle of the sentence.
    from pipelines.extraction import extract_article

    linked = ('At high temperatures <a href="https://roads.example/heat"><span class="icon icon-extlink"></span>'
              "the concrete expands</a>, and the road can break apart at old patches.")
    html = (f"<html><head><title>Heat damages roads</title></head><body><article><h1>Heat damages roads</h1>"
            f"<p>{P1}</p><p>{linked}</p><p>{P2}</p><p>{P3}</p></article></body></html>")
    body = extract_article(html, "https://roads.example/news/heat-damages-roads-and-tracks").body
    assert "At high temperatures the concrete expands, and the road can break apart at old patches." in body.split("\n")


def test_only_empty_icons_inside_paragraph_links_are_dropped() -> None:
    from pipelines.extraction.body import _drop_empty_link_icons

    tree = document_fromstring("""<html><body>
      <p>See <a href="/a"><span class="icon"></span>the report</a> and <a href="/b">the map<span></span></a>.</p>
      <ul><li><a href="/c"><span class="icon"></span>Read more</a></li></ul>
      <p><a href="/d"><img src="x.jpg"><span class="label">Photo</span></a></p></body></html>""")
    _drop_empty_link_icons(tree)
    paragraph, teaser, photo = tree.xpath("//p[1]")[0], tree.xpath("//li/a")[0], tree.xpath("//p[2]/a")[0]
    assert paragraph.text_content() == "See the report and the map."
    assert [a.find("span") is None for a in paragraph.iter("a")] == [True, False]  # no tail: left as it is
    assert teaser.find("span") is not None  # a teaser list's link: not running text
    assert photo.find("span") is not None and photo.find("img") is not None
