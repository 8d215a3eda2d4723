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
        "SEE MORE: Harbour protests enter their third week",
        "Like this story? Share it with a friend!",
        "Related: The ten biggest storms of the decade in pictures",
        "Council votes to close the old pier [VIDEO]",
        "READ MORE | Council votes to close the old pier",
        "There's plenty more where that came from. Sign up for the free daily newsletter delivered to your inbox.",
        "Tell us what YOU think...",
        '[button link="https://example.org/submit/" type="big"] Send us your review[/button]',
        "Filed under: Politics |",
        "Thank you for visiting nature.com. You are using a browser version with limited support for CSS. To obtain",
        "Log in or create an account to continue",
        "Empfohlener redaktioneller Inhalt",
        "An dieser Stelle finden Sie einen von unseren Redakteuren ausgewählten, externen Inhalt, der den Artikel ergänzt.",
        "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird.",
        "Wie hat Ihnen dieser Artikel gefallen?",
        "Durchschnittliche Bewertung: 0,0",
        "Unabhängiger Journalismus braucht deine Unterstützung.",
        "Link copied to clipboard",
        "기사 URL이 복사되었습니다.",
        "Dieses Thema im Programm: MDR THÜRINGEN - Das Radio | Nachrichten | 28. April 2023 | 10:00 Uhr",
        "Hauptinhalt",
        "Recommended Videos",
        "Pictured at the back, from left, are romance authors Jo Watson and Lindsay Norman.",
        "Pictured right, is reader Nicole Bresler, speaking to a novelist.",
        "This is a breaking new story - more to follow",
        "This story is developing.",
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
        "Related: the two cases were heard by the same judge.",
        "The ruling [PDF] was published on Monday and runs to 40 pages.",
        "WASHINGTON | The Senate voted on Tuesday to pass the bill.",
        "The new service lets users sign up without handing over an e-mail address or agreeing to a newsletter, "
        "the company said on Tuesday, and it costs nothing.",
        "Users of older browsers will see the site without styles, the agency said.",
        "Ich bin damit einverstanden, sagte der Minister, dass die Gespräche weitergehen.",
        "Wie hat Ihnen dieser Artikel gefallen, wollten die Forscher von 2000 Lesern wissen.",
        "The link was copied into hundreds of chat groups within an hour.",
        "Die Sendung wurde am Dienstag zum letzten Mal ausgestrahlt.",
        "Recommended videos from the agency were shown to the jury.",
        "Pictured Rocks National Lakeshore is closed for the winter.",
        "Pictured is not how she remembers the house, she said.",
        "This is a developing story of a town that refused to give up on its pier, the mayor said in 1998 at the "
        "opening of the museum that now tells it.",
        "More to follow from the inquiry was expected next week.",
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


def test_teaser_list_after_related_line_is_dropped_but_prose_list_kept() -> None:
    text = "\n".join([
        "The harbour council voted on Monday to close the old pier for repairs.",
        "Related: Storm damage along the coast in pictures",
        "- Ten years of harbour floods",
        "- How the pier was built",
        "Repairs will cost about 2 million euros, the council said.",
        "- The first phase starts in May.",
    ])
    kept = clean_body(text).splitlines()
    assert "- Ten years of harbour floods" not in kept
    assert "- How the pier was built" not in kept
    assert "Repairs will cost about 2 million euros, the council said." in kept
    assert "- The first phase starts in May." in kept


def test_contact_tail_dropped_only_at_the_end() -> None:
    body = [f"Paragraph {i} of the story, with enough words to count." for i in range(5)]
    tail = "Email Jane Doe at jdoe@example.org or follow her on Twitter @janedoe."
    assert clean_body("\n".join([*body, tail])) == "\n".join(body)
    early = "\n".join([body[0], "Fans follow him on Twitter @coach to see the line-ups first.", *body[1:]])
    assert "Fans follow him on Twitter @coach" in clean_body(early)
