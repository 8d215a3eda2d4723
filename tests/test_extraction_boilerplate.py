"""Unit tests for the body boilerplate filters."""

from __future__ import annotations

import pytest

from pipelines.extraction.boilerplate import clean_body, is_boilerplate_line
from pipelines.extraction.text import norm


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
        # "Read also" labels in several languages, alone or heading a teaser.
        "Les også",
        "Les også: Ferja går igjen fra mandag",
        "Læs også",
        "Lesen Sie auch: Der Hafen wird teurer",
        "Lire aussi : la jetée rouvre en mai",
        "À lire aussi La jetée rouvre en mai",
        "Leer más: El puerto cierra por obras",
        "VEA TAMBIÉN: El puerto cierra por obras",
        "Leia também",
        "Czytaj także",
        "Читайте также",
        "READ NEXT: Harbour fees rise again",
        "Mehr zum Thema auf hafenblatt.example:",
        "Das könnte Sie auch interessieren:",
        "Schon gelesen?",
        # Corrections prompts, table of contents, empty comments.
        "Fehler gefunden? Jetzt melden.",
        "Keine Kommentare",
        "Inhaltsverzeichnis",
        # Newsroom footers: copyright and reprint notices.
        "© Hafenblatt 2025",
        "Copyright: Harbour Syndicate, 2025",
        "(c) 2024 Harbour Wire. All rights reserved.",
        "This article is the copyrighted property of Harbour Post.",
        "Written permission must be obtained before reprint in online or print media.",
        # Affiliate and sponsored disclosures.
        "Harbour Post may earn an affiliate commission when you buy through links on this page.",
        "Disclosure: we may earn a commission from products featured here.",
        "Dieser Beitrag enthält Affiliate-Links.",
        "Anzeige - Jetzt im Hafen-Shop bestellen",
        # Subscription, app and channel appeals.
        "Subscribe now to our digital edition for the full story.",
        "Download our app for iOS and Android for the latest news.",
        "4 Wochen kostenlos testen",
        "Harbour Weekly Newsletter",
        "Join our WhatsApp channel for breaking news.",
        "Únete a nuestro canal de Telegram",
        "Enjoying our latest content?",
        "Unterstütze Hafenblatt",
        "We want to hear what you think about this article.",
        "Submit your letter to the editor via this form.",
        # Picture credits and labels, lone datelines and times.
        "Getty Images",
        "Beitragsbild",
        "Symbolbild",
        "12.03.2024",
        "05.08.2024, 20:59 Uhr",
        "March 9, 2024",
        "19:49",
        "Keine Kommentare (Kommentare erscheinen nach Freigabe)",
        "5 min read",
        "Lesezeit: 3 Minuten",
        "Sign up to get the best stories of the week, picked by the editors.",
        "We want to hear what you think about this article. Write to letters@harbour.example.",
        "Get the Harbour Post daily edition by email and never miss a story. Free Sign Up",
        "Unterstütze Hafenblatt schon mit 3 Euro!",
        "Gefällt dir unser Magazin? Wir haben keine Paywall eingeführt, darum sind wir auf deine Unterstützung angewiesen.",
        "Beitragsbild: Der alte Pier im Winter, Foto privat.",
        "24. März 2004, 19:49 | Jana",
        "Auch lesen: Der Hafen wird teurer",
        "Tempo de leitura: 2 minutos",
        "Mit unserem Newsletter erhalten Sie jeden Monat Neuigkeiten rund um den Hafen.",
        "sexta-feira, 4 de março de 2011 às 10:15",
        "Get Harbour Monthly delivered through your letterbox. 12 issues for £10.",
        "Read the Harbour Pro service for as little as 5 euros a month.",
        "If you enjoyed this article, we have an offer for you: join our club.",
        "The Post welcomes letters to the editor. We'd like to hear what you think.",
        "Follow Harbour Radio on Instagram, Facebook and YouTube.",
        "Follow our full coverage of the harbour vote at https://harbour.example/vote",
        "Most read in local news",
        "[Related: The pier in ten pictures]",
        "Related post: Ten ferry routes to try",
        "(Reporting by Jane Roe; editing by John Doe)",
        "Additional reporting by Jane Roe",
        "– additional reporting by Jane Roe",
        "With files from Harbour Wire",
        "Jane Roe contributed reporting from Rome.",
        "Harbour Wire's Jane Roe contributed to this report.",
        "(Quelle: Harbour Wire/dpa)",
        "SOURCE: Harbour Wire",
        "Write to Jane Roe at jane.roe@harbour.example",
        "05/10/2018 - Publicado por: Ana Lima - Categoria: Saúde - Tags: porto",
        "© 2024, Harbour Post. This article is the property of Harbour Post. Written permission must be obtained "
        "before it is reprinted in online or print media. Copying it without permission is theft and will be pursued.",
        "Weitere Infos unter www.harbour.example.",
        "Weitere Informationen hierzu gibt es in Kürze auf der Website des Hafenamts.",
        "For more information visit harbour.example",
        "Plus d'informations sur harbour.example",
        "Lesen Sie hier: Die Fähre fährt wieder nach Selwick",
        "Gefällt dir unser Hafenmagazin? Wir haben entschieden, keine Bezahlschranke einzuführen. Das bleibt so.",
        "Kontakt:",
        "Weitere Informationen:",
        "MÁS INFORMACIÓN:",
        # Pointers to the site's other pages, the live blog, its apps, newsletters and channels.
        # Typographic apostrophes read as plain ones.
        "The Post is committed to publishing letters to the editor. We’d like to hear what you think.",
        "Plus d’infos sur harbourpost.example",
        "Online-Pressemappe - alle Pressemitteilungen der Hafen AG | RSS-Feed abonnieren",
        "MIRA: Madre se acerca al puerto y encuentra el barco",
        "WATCH: Storm surge floods the harbour road",
        "Auch auf harbourpost.example",
        "Aussi sur harbourpost.example",
        "Mehr zur Lage am Hafen lesen Sie in unserem Liveblog:",
        "Aktuelle Meldungen zum Sturm finden Sie jederzeit in unserem Live-Ticker:",
        "Sie mögen den Tag kompakt zusammengefasst? Dann sind Sie beim täglichen Hafen-Newsletter richtig – hier entlang.",
        "Get the day in five minutes: our morning newsletter, sign up here.",
        "Aktuelle Nachrichten aufs Handy? Hier geht es zur neuen Hafenpost-News-App – für Android und iOS.",
        "Die Hafenpost auch bei Social Media – ob WhatsApp, Instagram oder Facebook.",
        "Informieren Sie sich durch die Hafenpost: Testen Sie für zwei Wochen die gedruckte Zeitung.",
        "Werden Sie Mitglied bei",
        "Weitere Tourentipps in Schweden",
        "Mehr Nachrichten aus Selwick",
        "Mehr zu unserer Arbeitsweise lesen Sie hier.",
        "Read more about how we test products here.",
        "Mit der Registrierung akzeptieren Sie unsere Datenschutz- und Nutzungsbedingungen.",
        "Dieser Artikel kann Links zu Anbietern enthalten, von denen die Redaktion eine Provision erhält.",
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
        # Prose that mentions the same words.
        "Les også denne: the mayor read the report twice before the vote.",
        "Lesen Sie auch die Stellungnahme des Ministers, forderte die Opposition am Montag.",
        "The copyright dispute between the two publishers went to court in 2019.",
        "© symbols were printed on every page of the forged catalogue, investigators said, and the printer has "
        "since been charged with fraud along with two of his former employees in the city court.",
        "The company earns a commission on every ticket sold, its annual report shows.",
        "Subscribers to the edition complained about the delivery on Monday.",
        "The new app lets fishermen download tide tables offline, the council said.",
        "The newsletter was sent to 40,000 readers on Tuesday.",
        "Getty Images sold the archive to a private buyer in 2021.",
        "On 12.03.2024 the council met again.",
        "At 19:49 the first ferry left the harbour.",
        "UP NEXT",
        "No comments were made by the minister after the vote on Tuesday, his office said.",
        "The paywall was introduced in 2019, and readers who support the paper pay 5 euros a month for it, while "
        "students get it for free; the publisher said on Monday that subscriptions rose by a third in the first year "
        "and that the newsroom hired six reporters, which she called proof the model works.",
        "Sign up to vote by Friday, the election office told residents.",
        "Support for the plan with 60 per cent of the vote was confirmed on Sunday.",
        "24. März 2004 war der Tag, an dem der Hafen schloss.",
        "Reporting by the paper in 2019 showed that the pier was unsafe, the inquiry found.",
        "Mit unserem Nachbarn teilen wir den Hafen seit 1902, sagte der Bürgermeister.",
        "Source: the council's own figures show a 40 per cent rise. Officials did not dispute them.",
        "The ferry company contributed 2 million euros to the repairs, the mayor said.",
        "Follow-up inspections on Tuesday found more damage.",
        "Most readers of the report will skip to the last chapter, its author joked.",
        "She wrote to the editor of the paper in 1998 to complain about the pier.",
        "If you enjoyed the summer, the autumn will be a shock, forecasters warned.",
        "jane.roe@harbour.example",  # a reporter's address closing the text belongs to it on many sites  # sports reports close with the next fixtures under this label: article text
        "Inhaltsverzeichnisse alter Bücher sind oft unvollständig, sagt die Bibliothekarin.",
        "Copyright law lets the owner refuse permission to reprint a work in full, the judge said in a ruling that "
        "runs to many pages and that lawyers will read for years to come, as they did with the last one.",
        "Weitere Informationen zu den Plänen der Stadt gab es am Dienstag nicht.",
        "For more information on the vaccine, people should call their doctor, the ministry said.",
        "Lesen Sie hier die ganze Rede des Bürgermeisters nach, die er am Montag im Rat hielt.",
        "Gefällt dir unser neuer Hafen, fragte der Bürgermeister die Gäste bei der Eröffnung am Montag.",
        "Kontakt zu den Fischern hatte die Stadt seit Jahren nicht mehr.",
        # Prose near the new pointer and plug patterns.
        "Watch: the tide comes in at six, and the road floods within the hour.",
        "Hier geht’s zur Facebook Veranstaltung",
        "Auch auf dem Markt war am Samstag viel los.",
        "The live blog was the most read page of the year: readers spent 40 minutes on it.",
        "Der Liveticker lief bis in die Nacht, sagte die Sprecherin.",
        "The newsletter, which she started here in 2019, now has 40,000 readers.",
        "Die App gibt es jetzt auch für ältere Telefone, sagte der Entwickler am Montag.",
        "Die Forscher testen seit zwei Wochen eine neue Methode.",
        "Weitere Nachrichten über den Sturm erwartet die Stadt am Abend.",
        "Read more about the case in the court's ruling, which runs to 40 pages and was published on Monday here.",
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


def test_linked_headlines_after_a_read_also_label_are_dropped() -> None:
    text = "\n".join([
        "The harbour council voted on Monday to close the old pier for repairs.",
        "Lesen Sie auch",
        "Storm damage along the coast in pictures",
        "Ten years of harbour floods",
        "Repairs will cost about 2 million euros, the council said.",
    ])
    links = {norm("Storm damage along the coast in pictures"), norm("Ten years of harbour floods")}
    assert clean_body(text, lambda: links).splitlines() == [
        "The harbour council voted on Monday to close the old pier for repairs.",
        "Repairs will cost about 2 million euros, the council said.",
    ]


def test_subheading_after_a_read_also_label_is_kept_when_it_is_no_link() -> None:
    text = "\n".join([
        "The harbour council voted on Monday to close the old pier for repairs.",
        "Lesen Sie auch",
        "What the repairs will cost",
        "Repairs will cost about 2 million euros, the council said.",
    ])
    # The page links other stories, but not this subheading; and without the page's links nothing is guessed.
    assert "What the repairs will cost" in clean_body(text, lambda: {norm("Ten years of harbour floods")})
    assert "What the repairs will cost" in clean_body(text)


def test_runs_of_bare_bylines_are_teaser_credits_a_lone_one_is_kept() -> None:
    prose = "The mayor spoke for an hour about the pier and its future in the town."
    text = f"{prose}\n{prose} Again.\nVon Alexandre Marain\nVon Beatrice Graf\nVon Maria Goldbach"
    assert clean_body(text).split("\n") == [prose, f"{prose} Again."]
    # One alone further down is a subheading ("Von Rechts wegen"), not a credit.
    text = f"{prose}\n{prose} Again.\n{prose} Once more.\nVon Rechts wegen\n{prose} Last."
    assert clean_body(text) == text


def test_head_furniture_dropped_again_once_the_title_lines_are_gone() -> None:
    from pipelines.extraction.boilerplate import drop_head_furniture

    prose = "The mayor spoke for an hour about the pier and its future in the town."
    assert drop_head_furniture(["FAQ", "von Katja Belousova", prose]) == [prose]
    assert drop_head_furniture([prose, "Von Rechts wegen", prose]) == [prose, prose]


@pytest.mark.parametrize(
    "line",
    [
        "Neben Raketen ist die größte Bedrohung das Atomprogramm. Wie groß ist die Gefahr? 21.04.2024 | 3:18 min",
        "Internet Explorer). In the meantime, to ensure continued support, we are displaying the site without styles",
        "and JavaScript.",
    ],
)
def test_video_teasers_and_browser_notice_fragments(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The video from 21.04.2024 ran for 3:18 minutes and was watched by millions.",
        "Am 21.04.2024 | um 3:18 Uhr begann der Angriff.",
        "JavaScript is a language that the team used for the new site.",
    ],
)
def test_prose_near_video_and_notice_patterns_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Redaktion: Marcus Weber, Elena Hahn",
        "Übersetzung: Tom Vogt, Redaktion: Anna Kurz, Schlussredaktion: Lea Roth, Audioversion: Iris Lang und Jan Ott",
        "Translated by Maria Lopez",
        "Aus dem Englischen von Jan Doolan",
        "Translated from the French by A. B. Carter",
        'Dieser Artikel ist zuerst bei "Hafenblatt" erschienen.',
        "Dieser Artikel ist eine Übersetzung, im Original ist er in einer dänischen Tageszeitung erschienen.",
        "Cet article a initialement été publié dans Le Courrier du Port.",
        "Members get special offers from us and our partners. You can check out at any time. Read our Privacy Policy",
        "Sie können sich jederzeit wieder abmelden.",
        "Das ist unser Ziel: guter Journalismus. Sie können das unterstützen. Darum: das Hafenblatt abonnieren!",
        "Support our work: you can support independent reporting with a subscription from 5 euros a month.",
    ],
)
def test_credits_first_publication_notes_and_appeals(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Die Redaktion: das ist ein Team aus zwölf Leuten, die im alten Hafenamt arbeiten.",
        "Redaktion und Verlag trafen sich am Montag zum ersten Mal seit Jahren.",
        "Aus dem Englischen übersetzte Bücher verkaufen sich in Deutschland gut.",
        "Der Artikel ist zuerst auf Widerstand gestoßen, dann wurde er angenommen.",
        "Der Text des Gesetzes wurde zuerst im Amtsblatt veröffentlicht, sagte die Sprecherin.",
        "Residents said you can leave at any time, but few of them do.",
        "Sie können das Angebot jederzeit nutzen, sagte der Sprecher des Verkehrsverbunds.",
        "Fans say you can support the club by buying a season ticket.",
    ],
)
def test_prose_near_credit_and_appeal_patterns_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_credit_and_appeal_lines_leave_a_hand_made_page() -> None:
    from pipelines.extraction import extract_article

    prose = [f"Paragraph {n} of the story about the harbour, {text}." for n, text in enumerate((
        "where the council met on Monday to decide on the future of the old pier and its sheds",
        "and the mayor said that the repairs would take two years and cost more than planned",
        "while the fishermen who use the pier every morning asked for a temporary jetty",
        "and the decision is expected in the spring after a public hearing in the town hall",
    ))]
    tail = ["Aus dem Englischen von Jan Doolan", "Redaktion: Marcus Weber, Elena Hahn",
            'Dieser Artikel ist zuerst bei "Hafenblatt" erschienen.']
    body = "".join(f"<p>{p}</p>" for p in prose)
    page = f"""<html><head><title>Harbour pier</title></head><body><article><h1>Harbour pier to be rebuilt</h1>
      {body}{{tail}}</article></body></html>"""
    url = "https://news.example.org/2025/10/09/harbour-pier"
    with_tail = extract_article(page.format(tail="".join(f"<p>{t}</p>" for t in tail)), url)
    without_tail = extract_article(page.format(tail=""), url)
    assert with_tail.body == without_tail.body
    assert with_tail.body.split("\n") == prose


@pytest.mark.parametrize(
    "line",
    [
        "Reach the reporters on Twitter at http://twitter.com/janeroe and http://twitter.com/johnroe",
        "Contact the writer at jane.roe@harbourpost.example or on Signal.",
        "More AP Sailing: https://apnews.com/Sailing and https://twitter.com/AP_Sports",
        "Listen: http://pod.example/ep615",
        "iTunes: http://pod.example/ep615",
        "Updated at 1:23 p.m.",
    ],
)
def test_reporter_pointers_podcast_links_and_update_times(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Write to the council at harbour@example.org before Friday, the mayor said.",
        "Reach the harbour by boat: the road is closed until spring.",
        "More than 200 boats use the pier: https://harbour.example/stats shows the figures.",
        "Listen: the fishermen say the pier is their livelihood.",
        "Updated at the request of the family.",
    ],
)
def test_prose_near_pointer_patterns_kept(line: str) -> None:
    assert not is_boilerplate_line(line)
