"""Unit tests for the body boilerplate filters."""

from __future__ import annotations

import pytest

from pipelines.extraction.boilerplate import clean_body, is_boilerplate_line


@pytest.mark.parametrize(
    "line",
    [
        "Unlock the White House Watch newsletter for free",
        "Sign up for our daily newsletter",
        "Subscribe now",
        "LEAVE A REPLY",
        "Please enter your comment!",
        "Please enter your name here",
        "You have entered an incorrect email address!",
        "Most Popular",
        "Related articles",
        "Recent Comments",
        "Read more",
        "Share this: Facebook Twitter",
        "Facebook Twitter WhatsApp Email",
        "Source link",
        "Originally published at example.org on May 2, 2024",
        "We use cookies to improve your experience on our site.",
        "Lesen Sie auch",
        "À lire aussi",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 3 per cent on Tuesday.",
        "Sign up for a streaming bundle and save $5 a month.",
        "The newsletter industry has grown quickly since 2020, analysts said.",
        "Readers who subscribe to the paper get the weekend magazine.",
        "Comments from the minister were criticised by the opposition.",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_cut_after_closing_marker_near_end() -> None:
    paragraphs = [f"Paragraph {i} of the article with real words." for i in range(8)]
    text = "\n".join(paragraphs + ["RELATED ARTICLES", "Another story headline", "More teaser text"])
    assert clean_body(text) == "\n".join(paragraphs)


def test_marker_early_in_body_does_not_cut() -> None:
    text = "\n".join(["Intro line.", "Comments", *[f"Paragraph {i} stays." for i in range(8)]])
    assert clean_body(text).splitlines()[-1] == "Paragraph 7 stays."
