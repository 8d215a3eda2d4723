"""Unit tests for the boilerplate rules on page furniture set as paragraphs: datelines, site
taglines and a section label heading the text. Each rule: lines it removes, and real sentences
like them that it keeps."""

from __future__ import annotations

import pytest

from pipelines.extraction.boilerplate import clean_body, is_boilerplate_line

BODY = [
    "The council approved the repairs on Tuesday evening after a long debate about the cost.",
    "Work will begin in November and should be finished before the spring tides.",
]


@pytest.mark.parametrize(
    "line",
    [
        "Published 9 October 2025, 10:00",
        "Updated 22 October 2025, 16:45",
        "Published on Thursday 9 October 2025",
        "Updated: Oct. 9, 2025 at 3.15pm BST",
        "Last updated October 9th, 2025 10:05 a.m.",
        "Posted 2025-10-09 10:00 UTC",
        "Published: 10/09/2025 14:05 EDT",
        "Veröffentlicht am 09.10.2025, 10:00 Uhr",
        "Publié le 9 octobre 2025 à 10h",
    ],
)
def test_a_dateline_standing_alone_is_dropped(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Published 9 October 2025, the report found that ice costs had doubled.",
        "Updated figures released on 9 October 2025 show a fall in visitors.",
        "Posted to every household in 2025, the leaflet explains the new bin rules.",
        "Veröffentlicht wurde die Studie am 9. Oktober 2025 in Berlin.",
    ],
)
def test_a_sentence_that_starts_like_a_dateline_is_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Harbour Post — news from Port Selwick",
        "The Courier | Your local news for Tayside",
        "Daily Ledger - independent news for the Arlen Valley",
    ],
)
def test_a_site_tagline_is_dropped(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Harbour Post — news from Port Selwick reached the mayor on Friday.",
        "The ferry — news from the island says — will run again on Monday.",
        "Bad news from the harbour: the ferry will not run again until spring",
    ],
)
def test_a_sentence_with_news_from_is_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize("label", ["Business", "World News", "Arts & Culture", "Sport", "Leben"])
def test_a_section_label_heading_the_text_is_dropped(label: str) -> None:
    assert clean_body("\n".join([label, *BODY])) == "\n".join(BODY)


@pytest.mark.parametrize(
    "text",
    [
        ["Business is booming", *BODY],  # a short first sentence, not a label
        [BODY[0], "Background", BODY[1]],  # a subheading inside the text
        ["Business", "Politics"],  # a list of labels, not a labelled text
        ["Staff Reports", *BODY],  # a credit: two words, not one name
        ["MAIN STREET", *BODY],
    ],
)
def test_short_lines_that_are_not_a_section_label_are_kept(text: list[str]) -> None:
    assert clean_body("\n".join(text)) == "\n".join(text)
