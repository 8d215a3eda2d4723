"""Line filters that remove boilerplate left in an extracted body.

Extractors keep some page furniture inside the article container: newsletter
and subscription prompts, comment forms, share bars, "Read more" links,
"Source link" credits, cookie notices, "Most Popular" / "Related articles"
headings. `clean_body` drops such lines and, when a closing marker ("Source
link", "RELATED ARTICLES", "LEAVE A REPLY", ...) appears in the last part of the
body, cuts everything from it on. Page furniture set as paragraphs goes too: a
dateline standing alone ("Published 9 October 2025, 10:00"), a site's tagline
("Harbour Post — news from Port Selwick", printed on every page of the site)
and a section label heading the text ("Business"). So do in-article boxes set as
lines: "Read also" labels in many languages (with the linked headlines right after a
lone label), copyright and reprint notices, reporting, production and translation credits,
first-publication notes, affiliate disclosures, subscription, app and donation appeals,
reading-time labels and picture credits. The patterns are generic (no site rules) and cover a few languages where that is cheap.
Reads no settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache

from .text import norm

__all__ = ["clean_body", "drop_head_furniture", "is_boilerplate_line", "END_MARKERS"]

# Dates as datelines print them: "9 October 2025", "Thu 9 Oct. 2025", "October 9th, 2025", "2025-10-09", "09.10.2025";
# a month is any word (many languages), the year has four digits. Then a clock time, maybe with a zone.
_DATE = (
    r"([^\W\d_]{2,12}(-[^\W\d_]{2,8})?\.?,?\s+)?(\d{1,2}(st|nd|rd|th)?\.?\s+[^\W\d_]{3,12}\.?,?\s+\d{4}|"
    r"\d{1,2}\s+de\s+[^\W\d_]{3,12}\s+de\s+\d{4}|"
    r"[^\W\d_]{3,12}\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})"
)
_TIME = r"\d{1,2}([:.]\d{2})?\s*(am|pm|a\.m\.|p\.m\.|h|uhr)?(\s*\(?(utc|gmt|[a-z]{2,4}t)([+-]\d{1,2}(:?\d{2})?)?\)?)?"

# "Read also" labels: Norwegian/Danish/Swedish, German, French, Spanish, Portuguese, Italian, Dutch,
# Polish, Russian, Turkish; each introduces links to other stories.
_READ_ALSO = (
    r"les også|læs også|läs också|lesen sie auch|lesen sie mehr|auch interessant|lire aussi|à lire aussi|"
    r"à lire également|lire également|leer más|lea también|lee también|vea también|ver también|mira también|"
    r"leia também|veja também|leggi anche|lees ook|czytaj (też|także|również)|читайте также|ayrıca okuyun|"
    r"read (also|next)|also read|related story|related reading|auch lesen|schon gelesen|lesen sie hier"
)

_LINE_PATTERNS = [
    # Newsletters and subscriptions.
    r"^(unlock|sign up|signup|subscribe|register|get|join)\b.{0,80}\b(newsletters?|briefing|digest)\b.{0,40}$",
    r"^(sign up|subscribe|register|jetzt abonnieren|abonnieren|abonnez-vous|inscrivez-vous|suscríbete|iscriviti)"
    r"( now| here| today| for free| jetzt)?\W*$",
    r"^(?=.{0,140}$).*\b(sign up|subscribe|abonnieren|abonnez-vous|suscríbete)\b.*\b(newsletters?|briefing|digest|"
    r"alerts|inbox|e-?mails?)\b.*$",
    r"^(?=.{0,140}$).*\b(our newsletters?|in your inbox|newsletter for free|zum newsletter|notre newsletter|"
    r"nuestro boletín)\b.*$",
    r"^(?=.{0,250}$)(with|mit|avec|con) (our|unserem|unseren|notre|nuestro) (newsletter|boletín)\b.*$",
    r"^(already a subscriber|already have an account|log ?in to (continue|read)|this article is for subscribers).{0,80}$",
    # Comment forms and comment sections.
    r"^(leave a (reply|comment)|post a comment|add a comment|write a comment|comments?|\d+ comments?|"
    r"kommentare?|kommentar schreiben|commentaires?|laisser un commentaire|deja un comentario|comentarios)\W*$",
    r"^please enter (your|a valid) .{0,40}[!.]?$",
    r"^you have entered an incorrect .{0,40}[!.]?$",
    r"^save my name, email,? and website .*$",
    r"^(your email address will not be published|required fields are marked).{0,60}$",
    r"^(cancel reply|recent comments|recent posts|latest posts|latest news)\W*$",
    # Lists and navigation headings.
    r"^(most popular|most read|popular posts|trending( now)?|related (articles|posts|stories|news|content|coverage)|"
    r"more (stories|from|on this)\b.{0,40}|you (may|might) also like|recommended( for you)?|read (more|next|also)|"
    r"see also|also read|editor'?s picks|meistgelesen|mehr zum thema|das könnte sie auch interessieren|lesen sie auch|"
    r"à lire aussi|lire aussi|voir aussi|sur le même sujet|te puede interesar|lee también|leggi anche)\W*.{0,0}$",
    r"^(read more|weiterlesen|lire la suite|leer más|continue reading)\b.{0,80}$",
    # Sharing.
    r"^(share|teilen|partager|compartir|condividi)( this( article| story| post)?)?\s*(:|on\b).{0,80}$",
    r"^(share|share this|teilen|partager|compartir|condividi)\W*$",
    r"^((facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|email|e-mail|print|copy link|tumblr|pocket)\W*){2,}$",
    # Credits and syndication.
    r"^(source link|source|quelle|fuente|fonte)\s*:?\s*$",
    r"^originally published (at|on|in)\b.{0,200}$",
    r"^(this (article|story|post) (was|first) (originally )?(appeared|published)).{0,200}$",
    # Cookies and consent.
    r"^.{0,80}\b(we use cookies|this (web)?site uses cookies|cookie (policy|settings|preferences)|accept (all )?cookies)\b.{0,200}$",
    r"^(advertisement|anzeige|publicité|publicidad|werbung|sponsored|skip advert(isement)?)\W*$",
    r"^(tags?|schlagworte|etiquetas|mots-clés)\s*:.{0,200}$",
    # Newsletter sign-up widgets' status messages.
    r"^(thanks?( you)? for (signing up|subscribing)|keep an eye on your inbox|there was an error processing your "
    r"subscription|you('re| are) (now )?subscribed)\b.{0,80}$",
    # Print, reprint and e-mail tools.
    r"^-?\s*(order reprints|print (this )?article|e-?mail (this )?article|this article has been sent to)\b.{0,40}$",
    r"^this copy is for your personal,? non-commercial use only\b.*$",
    r"^an error has occurred,? please try again( later)?\W*$",
    # A machine timestamp standing alone (bare URLs stay: articles cite links that way).
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$",
    # Teaser prompts pointing elsewhere.
    r"^(see more:\s+\S|don'?t miss\b|(also|auch|aussi|también|anche) (on|auf|bei|sur|en|su) \S+\.\w+|"
    r"like this (story|article)\?|auch interessant\b|"
    r"mehr dazu\b|lesen sie mehr\b|plus d'infos\b).{0,160}$",
    r"^(follow|like) (us|@\w+) on (twitter|facebook|instagram|x|linkedin)\b.{0,160}$",
    # "Related: <headline>" links, and teaser links tagged in capitals ("... [VIDEO]", "... [INSIGHT]").
    r"^(related|related (coverage|content|stories|articles|links|reading)|more|read more|see also|also read)\s*:"
    r"\s+\S.{0,160}[^.]$",
    r"^(?=.{0,200}$)[^.!?]*[^.!?\s]\s*\[[A-Z][A-Z ]{2,15}\]\W*$",
    # "READ MORE | <headline>": a label in capitals, a bar, a headline.
    r"^(?=.{0,200}$)(?-i:[^\W\d_a-z]{2,}(\s+[^\W\d_a-z]{2,}){1,5})\s*\|\s*\S.*$",
    # Newsletter plugs of up to two sentences, reader prompts, leftover WordPress shortcodes.
    r"^(?=.{0,300}$)(.*[.!?]\s+)?sign up\b.*\b(newsletters?|briefing|digest)\b.*$",
    r"^(tell us what you think|what do you think\?\s*(let us know|tell us)).{0,60}$",
    r"^\[(?P<shortcode>\w+)\b[^\]]*\].{0,200}\[/(?P=shortcode)\]\W*$",
    r"^(filed under|posted in|categories|category|kategorie)\s*:.{0,200}$",
    # Image credits and embed placeholders repeated as text.
    r"^(photo|foto|bild|image|picture|credit|quelle|crédit photo|crédits?)s?\s*:\s*[^.!?]{1,60}$",
    r"^(link zum (youtube|twitter|instagram|x)-inhalt|ein klick für den datenschutz|"
    r"(video|audio)?\s*(\|\s*)?\d{1,2}:\d{2} min)\W*$",
    r"^.{0,40}\|\s*\d{1,3}:\d{2}\s*min\W*$",
    # Photo captions set as paragraphs ("Pictured from left, are ...", "Pictured right, is ...").
    r"^pictured( (right|left|above|below|here|at the \w+|from (left|right)),?)+\s*(is|are|from left|with)\b.*$",
    # Breaking-news notes ("This is a breaking news story - more to follow").
    r"^this (is a )?(breaking|developing) (news |new )?story\b.{0,60}$",
    r"^(more to follow|this (story|article) (is developing|will be updated)|(updates|more details) to follow)\W*$",
    # Browser and script notices, registration walls.
    r"^.{0,60}\b(you are using a browser (version )?with limited support|your browser (is out of date|does not "
    r"support|is not supported)|please (enable|turn on) javascript|javascript is (disabled|required))\b.*$",
    r"^(log ?in|sign in) or (create an account|register|sign up)\b.{0,60}$",
    # Consent gates for embedded third-party content ("Externer Inhalt").
    r"^(empfohlener redaktioneller inhalt|externer inhalt|externe inhalte)\W*$",
    r"^an dieser stelle (finden sie|ist|wird) .{0,80}\bexterne[nr]? inhalt.*$",
    r"^ich bin damit einverstanden, dass mir (der |die )?externe[nr]? inhalte? angezeigt\b.*$",
    # Rating widgets, support appeals, share-widget status lines.
    r"^(wie hat ihnen (dieser|der) (artikel|beitrag) gefallen|how (useful|helpful) was this (article|story|post)|"
    r"did you (find|like) this (article|story) (useful|helpful)?)\W*$",
    r"^(durchschnittliche bewertung|average rating)\s*:?\s*[\d.,/ ]+\W*$",
    r"^(unabhängiger journalismus braucht (deine|ihre|eure) unterstützung|support (independent|quality) journalism)"
    r"\W{0,3}$",
    r"^((the )?(article )?(link|url) (has been |was )?copied( to (the |your )?clipboard)?|link kopiert|"
    r"기사 url이 복사되었습니다)\W*$",
    # Broadcast notes and skip links of public broadcasters' article pages.
    r"^(dieses thema im programm|sendung)\s*:.{0,200}$",
    r"^(hauptinhalt|zum inhalt springen|skip to (main )?content|navigation überspringen)\W*$",
    r"^(recommended|related|featured) videos?\W*$",
    # A dateline standing alone: "Published 9 October 2025, 10:00", "Updated: Oct. 9, 2025 at 3.15pm BST".
    rf"^(first |last )?(published|updated|posted|modified|veröffentlicht|aktualisiert|publié|mis à jour|publicado|"
    rf"actualizado)( on| at| am| le| el)?\s*:?\s*{_DATE}(\s*(,|at|um|à|a las|-|–|\|)?\s*{_TIME})?\W*$",
    # "Read also" labels in more languages, alone or heading a teaser ("À lire aussi La natalité ...",
    # "READ NEXT: ...", "Czytaj też", "VEA TAMBIÉN: ..."): in-article boxes pointing at other stories.
    rf"^({_READ_ALSO})\W*$",
    rf"^({_READ_ALSO})\s*[:|>»–-]\s*\S.{{0,200}}$",
    r"^(à lire aussi|lire aussi|read next|czytaj (też|także|również))\s+\S.{0,200}[^.]$",
    r"^(mehr (zum thema|themen|dazu|artikel|news) (auf|bei|von|unter) \S+|das thema könnte (dich|sie) auch interessieren|"
    r"(das|dies) könnte (dich|sie) auch interessieren|schon gelesen|auch lesen|zum weiterlesen|weitere themen|"
    r"vorschau auf den nächsten artikel)\W*$",
    # Corrections prompts and table-of-contents / empty-comments labels.
    r"^(fehler gefunden\?\s*jetzt melden|found an error\?.{0,40}|inhaltsverzeichnis|table of contents|sommaire|índice)\W*$",
    r"^(keine kommentare|no comments( yet)?|aucun commentaire|sin comentarios)(\W*|\s*[(\[:|–-].{0,80})$",
    # Reading-time labels: "5 min read", "Lesezeit: 3 Minuten", "Ten tekst przeczytasz w mniej niż minutę".
    r"^(\d+\s*(min(ute)?s?|minuten?)\.?\s*(read|lesezeit|de lecture|lesen|lectura)|(lesezeit|reading time|temps de "
    r"lecture|tiempo de lectura|tempo de leitura|czas czytania)\s*:?\s*(ca\.\s*)?\d+.{0,20}|ten tekst przeczytasz\b.{0,40})\W*$",
    # Copyright and reprint notices: "© dpa-infocom, dpa:240516-99-...", "Copyright: Project Syndicate, 2025".
    r"^[<(\[]?\s*(©|ⓒ|\(c\)|copyright\b).{0,150}$",
    # A longer notice opening with the sign: "© 2022, X. This article is the property of X. Written permission ...".
    r"^(?=.{0,500}$)[<(\[]?\s*(©|ⓒ|\(c\)|copyright\s*(©|\(c\)|\d{4}|:)).*\b(rights reserved|reprint\w*|permission|reproduc\w+|"
    r"redistribut\w+|republish\w*)\b.*$",
    # "More information at <site>": a pointer off the page, in a few languages.
    r"^(weitere|mehr) (infos?|informationen)\b.{0,30}\b(unter|auf (der|den|www)|gibt es (in kürze )?(auf|unter))\b.{0,120}$",
    r"^(more (info|information|details)|for more information)\b.{0,20}\b(at|visit|go to)\s+\S.{0,100}$",
    r"^(plus d'(infos?|informations?)|más información|mais informações|maggiori informazioni)\s*(sur|en|em|su|:)\s*\S.{0,100}$",
    r"^(this (article|story|content) is (the )?(copyrighted|copyright) (property|material) of|"
    r"(written )?permission must be obtained before (reprint|republish)|all rights reserved)\b.{0,160}$",
    # Affiliate and sponsored-content disclosures.
    r"^(?=.{0,400}$).*\b(affiliate[- ](links?|commission|partner\w*|programs?)|(may|might) earn (us )?(an? )?"
    r"(small )?(affiliate )?commission|earn (us )?a (small )?commission|provisions?-?links?|werbelinks?|"
    r"(eine|kleine) provision (erhält|erhalten|bekommt|bekommen)|"
    r"contains? references to products|we (independently )?(select|recommend) (the best products|everything we recommend))\b.*$",
    r"^(anzeige|werbung|advertorial|sponsored( content| post)?|publireportage)\s*[-–:|]\s*.{0,160}$",
    # Subscription, app and channel appeals.
    r"^(?=.{0,200}$)(subscribe|abonnieren sie|abonnez-vous|suscríbete)\b.{0,40}\b(edition|ausgabe|édition|edición|"
    r"full story|print|e-?paper)\b.*$",
    r"^(?=.{0,200}$).*\b(download|get|install|lade?n? sie)\b.{0,60}\b(our|the|unsere?) .{0,40}\bapps?\b.*$",
    r"^(?=.{0,80}$)(\d+|zwei|drei|vier|two|three|four) (wochen|weeks?|tage|days|monate|months) (kostenlos|gratis|free)"
    r"\b.{0,40}$",
    r"^(?=.{0,60}$)[\w&'’. -]{2,40} newsletter\W*$",
    r"^(?=.{0,200}$).*\b(canal de (telegram|whatsapp|youtube)|(telegram|whatsapp|youtube)[- ]?(channel|kanal))\b.*$",
    r"^(enjoying our (latest )?content|gefällt (dir|ihnen|euch) unser \w+|unterstütze \w+)\W*$",
    # The same question opening a plea of a sentence or two ("Gefällt dir unser Magazin? Wir haben keine Paywall ...").
    r"^(enjoying our (latest )?content|gefällt (dir|ihnen|euch) unser \w+|do you (like|enjoy) our \w+)\?\s.{0,400}$",
    # A contact or further-information label standing alone, over the press office's address block.
    r"^(kontakt|pressekontakt|contact|press contact|media contact|contacto|weitere informationen|more information|"
    r"further information|plus d'informations|más información)\s*:?$",
    r"^(we want to hear what you think( about this (article|story))?|sign up to (get|receive)\b)\W.{0,160}$",
    r"^(?=.{0,200}$).*\b(never miss|by e-?mail)\b.*\b(sign up|subscribe)\b.*$",
    # Donation and membership appeals: "Unterstütze X bereits mit 2,50!", a paywall explained with a plea.
    r"^(?=.{0,200}$)(unterstütze|unterstützen sie|support|spende|donate to)\b.{0,60}\b(mit|with|for|from|ab|für)\s*"
    r"(€|\$|£)?\s*\d+([.,]\d+)?\s*(€|\$|£|euro|eur|dollars?)?\s*[!.]?$",
    r"^(?=.{0,700}$).*\b(paywall|bezahlschranke|muro de pago|mur payant)\b.*\b((deine|eure|ihre|your) (unterstützung|"
    r"support|spende|donation)|support us|unterstütz\w* uns|soutenez-nous|apóyanos)\b.*$",
    r"^(submit|send) (us )?your letter to the editor\b.{0,80}$",
    # A browser notice that opens mid-sentence (the rest of "Thank you for visiting ...").
    r"^.{0,60}\b(more up to date browser|turn off compatibility mode)\b.*$",
    r"^(?=.{0,300}$).*\bdisplaying the site without styles\b.*$",
    r"^(and )?javascript\.$",  # the same notice's last words, cut off by a line break
    # A picture credit or picture label standing alone.
    r"^(getty images|afp|reuters|dpa|imago( images)?|shutterstock|istock(photo)?|bild anzeigen|beitragsbild|"
    r"symbolbild|titelbild|image illustrative|photo d'illustration|foto de archivo)\W*$",
    r"^(beitragsbild|titelbild|symbolbild|headerbild|bildquelle|bildnachweis|fotonachweis|image illustrative|"
    r"photo d'illustration|image credit|photo credit|featured image)\s*:.{1,160}$",
    # A date (and time), or a time, standing alone: "05.08.2024, 20:59 Uhr", "23.10.2018", "19:49".
    rf"^{_DATE}(\s*(,|at|um|à|às|a las|-|–|\||•)?\s*{_TIME})?\W*$",
    r"^\d{1,2}:\d{2}(\s*(uhr|h|am|pm))?$",
    # A post's or comment's date line: "24. März 2004, 19:49 | Jane", "12.03.2024 · Redaktion".
    rf"^{_DATE}(\s*,?\s*{_TIME})?\s*[|·•]\s*[^.!?]{{1,40}}$",
    # Subscription offers and plugs for the publisher's other products.
    r"^(?=.{0,300}$).*\b(\d+ issues for|delivered (to|through) your (letterbox|door|doorstep)|for as little as)\b.*$",
    r"^if you (enjoyed|liked|value|appreciated) (this|our) (article|story|journalism|reporting)\b.{0,400}$",
    r"^(?=.{0,250}$).*\bletters? to the editor\b.*\b(we('d| would) like to hear|submit|write to|send)\b.*$",
    r"^follow [\w@'’ .-]{1,60} on (twitter|facebook|instagram|x|linkedin|youtube|tiktok|threads|bluesky)\b.{0,120}$",
    r"^follow .{0,60}\b(full )?coverage\b.{0,40}\b(at|on) https?://\S+\W*$",
    r"^(most (read|popular|viewed|shared)|meistgelesen|les plus lus|lo más leído)\b.{0,40}$",
    # A pointer to the live blog, ending on the colon before its link: "Mehr zur Lage lesen Sie in unserem Liveblog:".
    r"^(?=.{0,200}$).*\b(live-?blog|live blog|live-?ticker|news-?ticker|live coverage|live updates)\b.*:$",
    # Newsletter, app and channel plugs: "Dann sind Sie beim täglichen X-Newsletter richtig – hier entlang",
    # "Hier geht es zur neuen X-News-App – für Android und iOS", "X auch bei Social Media – ob WhatsApp, ...".
    r"^(?=.{0,250}$).*\bnewsletters?\b.*\b(hier entlang|hier geht'?s|hier geht es|hier anmelden|jetzt anmelden|"
    r"kostenlos (abonnieren|bestellen|anmelden)|sign up (here|now|today)|subscribe (here|now|today)|click here)\b.*$",
    r"^(?=.{0,200}$).*\b(hier geht'?s|hier geht es|hier gibt'?s|hier gibt es|jetzt)\b.{0,40}\bapps?\b.*$",
    r"^(?=.{0,200}$).*\b(auch|also|ebenfalls) (bei|auf|in|on) (social media|den sozialen (netzwerken|medien))\b.*$",
    # Trial subscriptions and membership appeals: "Testen Sie für zwei Wochen die gedruckte Zeitung", "Werden Sie Mitglied".
    r"^(?=.{0,400}$).*\b(probeabo|testabo|probe-abo|(testen|lesen) sie\b.{0,40}\b(wochen?|monate?)\b.{0,40}\b(gedruckte|"
    r"zeitung|ausgabe|e-?paper|gratis|kostenlos))\b.*$",
    r"^(werden sie|werde|become a) (jetzt )?(mitglied|member|abonnent\w*|subscriber|supporter|unterstützer\w*)\b.{0,80}$",
    # "Weitere Tourentipps in Schweden": a heading over links to more of the site's stories.
    r"^(weitere|mehr) [\w-]*(tipps|artikel|beiträge|themen|geschichten|nachrichten|meldungen|rezepte|ideen|videos)\b[^.!?:]{0,50}$",
    # "Online-Pressemappe | RSS-Feed abonnieren": a feed link.
    r"^(?=.{0,160}$).*\brss(-feed)?\b.{0,20}\b(abonnieren|subscribe|abonnez)\b.*$",
    # "MIRA: <headline>", "WATCH: <headline>": a teaser for a video or story elsewhere on the site.
    r"^(mira|watch|ver|lee|read|regardez|guarda|schauen sie)\s*:\s+\S[^.!?]{0,160}$",
    # "Mehr zu unserer Arbeitsweise lesen Sie hier.": a pointer to another page.
    r"^(mehr|weitere informationen) (zu|zum|zur|über) .{1,80}\b(lesen|erfahren|finden) sie hier\W*$",
    r"^(read|learn|find out) more about .{1,80}\bhere\W*$",
    # A sign-up form's consent note: "Mit der Registrierung akzeptieren Sie unsere Datenschutz- und Nutzungsbedingungen".
    r"^(mit (der|ihrer) (registrierung|anmeldung)|by (registering|signing up|subscribing))\b.{0,300}\b(datenschutz\w*|"
    r"privacy|terms)\b.{0,300}$",
    r"^\[(related|read more|see also|more|also read)\s*:.{0,200}\]$",
    r"^related (post|posts|story|article)\s*:\s+\S.{0,160}$",
    # Credit, source and contact lines: "(Reporting by A; editing by B)", "Jane Roe contributed reporting from Rome.",
    # "(Quelle: APA/dpa)", "Write to Jane Roe at jroe@example.com", a bare e-mail address.
    r"^[(\[–—-]*\s*(additional )?(reporting|writing|editing|edited|compiled|translated|translation) by\s+(?-i:[^\W\d_a-z]).{0,300}$",
    r"^[(\[–—-]*\s*(with files from|with reports from|with additional reporting|additional reporting (by|from))\b.{0,200}$",
    r"^(?=.{0,250}$).*\bcontributed (reporting|to (this|the) (report|story|article))\b.{0,80}$",
    r"^\(?(source|quelle|fuente|fonte|sources)\s*:\s*[^.!?]{1,60}\)?$",
    r"^(write to|contact|e-?mail) [^.!?@]{1,60} at \S+@\S+\.\w{2,}\W*$",
    r"^(?=.{0,250}$).*\b(publicado por|posted by|publié par|veröffentlicht von|escrito por)\b.{0,60}\b(categor\w*|tags?|"
    r"kategorie)\s*:.*$",
    # Production credits set as a line: "Redaktion: A, B", "Übersetzung: C, Schlussredaktion: D", "Fotos: E".
    r"^((schluss)?redaktion|übersetzung|mitarbeit|recherche|fotos?|grafiken?|illustrationen?|audioversion|produktion|"
    r"lektorat|korrektorat|translation|research|graphics|photography|fact-?checking|traduction|"
    r"traducción)\s*:\s*(?-i:[^\W\d_a-z])[^.!?:]{1,80}(,\s*[^\W\d_][\w -]{1,30}:\s*(?-i:[^\W\d_a-z])[^.!?:]{1,80})*$",
    # Translation credits: "Aus dem Englischen von Jan Doolan", "Translated from the French by A. B.".
    r"^(aus dem [^\W\d_]+en( übersetzt)? von|übersetzt aus dem [^\W\d_]+en von|translated from (the )?[^\W\d_]+ by|"
    r"traduit de l'[^\W\d_]+ par|traducido del [^\W\d_]+ por)\s+(?-i:[^\W\d_a-z])[\w .'’-]{1,80}$",
    # First-publication notes in more languages: "Dieser Artikel ist zuerst bei "Capital" erschienen.",
    # "Dieser Artikel ist eine Übersetzung, im Original ...", "Cet article a initialement été publié dans ...".
    r"^(dieser|der) (artikel|beitrag|text) (ist|erschien|wurde)\b.{0,60}\b(zuerst|ursprünglich|erstmals|im original)\b"
    r".{0,160}\b(erschienen|veröffentlicht|publiziert)\b.{0,80}$",
    r"^(dieser|der) (artikel|beitrag|text) ist eine übersetzung\b.{0,200}$",
    r"^(cet article a (initialement|originellement|d'abord) été publié|este artículo (fue|se) (publicado|publicó) "
    r"(originalmente|inicialmente|primero)|questo articolo è (stato )?(originariamente|inizialmente) pubblicato)\b.{0,200}$",
    # Pointers to the reporters and the section, closing wire stories (a bare e-mail address stays: scrapinghub's
    # truth keeps reporters' addresses): "Reach the reporters on Twitter at https://...", "More AP NBA: https://...".
    r"^(reach|contact|follow) (the )?(reporters?|writers?|authors?)\b.{0,40}\b(at|on|via)\s+.{0,160}$",
    r"^more [^\W\d_][\w .&-]{0,40}:\s*https?://\S+(\s+(and|,)\s+https?://\S+)*$",
    # A podcast's listening links: "Listen: http://...", "iTunes: http://...".
    r"^(listen|download|itunes|spotify|apple podcasts|google podcasts|subscribe)\s*:\s*https?://\S+$",
    # An update time standing alone: "Updated at 1:23 p.m.".
    rf"^(last )?(updated|aktualisiert|mis à jour|actualizado)( at| um| à| a las)\s*:?\s*{_TIME}\W*$",
    # A site's tagline, printed on every page: "Harbour Post — news from Port Selwick", "The Courier | Your local news for Tayside".
    r"^(?=.{0,90}$)[^\W\d_][\w&'’. ]{1,40}\s[—–|-]\s((your|the) )?((local|independent|latest|daily|breaking|community) )?"
    r"news (from|for|in|of|across|about) [^\W\d_][^.!?]{0,40}$",
]
# "A short line containing X" patterns (^(?=.{0,N}$).*X) are searched for X in lines of at most N
# characters instead: one alternation of them with a leading .* backtracks over every line of
# prose, which made the filter four times slower.
_GATED = re.compile(r"^\^\(\?=\.\{0,(\d+)\}\$\)\.\*(.+)$")
_CONTAINS = [(int(m[1]), re.compile(m[2], re.IGNORECASE)) for m in map(_GATED.match, _LINE_PATTERNS) if m]
# The same searches as one alternation per length bound: for the bound n, every pattern whose own
# bound is n or more (the patterns a line of n characters is searched for), longest bound last.
# One search per line instead of one per pattern; none of the patterns has a back-reference.
_CONTAINS_BY_LENGTH = [
    (bound, re.compile("|".join(f"(?:{pattern.pattern})" for n, pattern in _CONTAINS if n >= bound), re.IGNORECASE))
    for bound in sorted({n for n, _ in _CONTAINS})
]
_LINE = re.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS if not _GATED.match(p)), re.IGNORECASE)
# Lines after which nothing belongs to the article, when they sit in the closing part of the body.
END_MARKERS = re.compile(
    r"^(source link|related articles|related posts|leave a reply|leave a comment|post a comment|"
    r"you (may|might) also like|more from .{1,40}|comments?|recent comments|most popular|"
    r"ähnliche artikel|weitere artikel|articles similaires|artículos relacionados|articoli correlati)\W*$",
    re.IGNORECASE,
)
_END_ZONE = 0.6  # a closing marker counts in the last 40% of the lines


# Every line is tested twice per page (teaser lists, then the filter) and page furniture repeats
# across pages: the verdict of a line is remembered. It depends on the line alone. Long lines are
# not kept (memory bound: at most _CACHED_LINES lines of _CACHED_CHARS characters).
_CACHED_LINES = 4096
_CACHED_CHARS = 1000


def is_boilerplate_line(line: str) -> bool:
    # Typographic apostrophes as plain ones, so "we’d like to hear", "plus d’infos" and "don’t miss"
    # match the patterns, which spell "'".
    line = line.strip().replace("’", "'")
    return _is_boilerplate(line) if len(line) > _CACHED_CHARS else _is_boilerplate_cached(line)


# A video's teaser text closing on its date and running time: "... Eskalation? 21.04.2024 | 3:18 min".
# Searched only in lines ending on "min" (a date searched at every position of every line is slow).
_VIDEO_TEASER = re.compile(rf"\b{_DATE}\s*\|\s*\d{{1,3}}:\d{{2}}\s*min\W*$", re.IGNORECASE)
_VIDEO_TEASER_CHARS = 600


def _is_video_teaser(line: str) -> bool:
    return len(line) <= _VIDEO_TEASER_CHARS and line.rstrip(" .").lower().endswith("min") and bool(_VIDEO_TEASER.search(line))


# A community or mailing list's terms ("You can check out at any time. Read our Privacy Policy") and a plea to
# subscribe or give for the publisher's journalism ("Sie können das unterstützen. Darum: X abonnieren!"). Searched
# only in lines holding one of their words: as two more alternatives of the short-line search they cost 3 % of
# the extraction's CPU on fundus-dev.
_SIGN_UP_TERMS = re.compile(
    r"\b(you can (check out|unsubscribe|opt[- ]out) at any time|sie können sich jederzeit (wieder )?(abmelden|austragen)|"
    r"du kannst dich jederzeit (wieder )?(abmelden|austragen)|vous pouvez vous désinscrire à tout moment)\b",
    re.IGNORECASE,
)
_SIGN_UP_WORDS = ("any time", "jederzeit", "à tout moment")
_SIGN_UP_CHARS = 300
_PLEA = re.compile(
    r"\b(sie können|you can) (das |uns |us |this |our work )?(unterstützen|support)\b.*\b(abonnieren|abonnement|"
    r"subscribe|subscription|spenden|donate|donation)\b",
    re.IGNORECASE,
)
_PLEA_WORDS = ("abonn", "subscri", "spend", "donat")
_PLEA_CHARS = 400


def _is_sign_up_terms_or_plea(line: str) -> bool:
    if len(line) > _PLEA_CHARS:
        return False
    low = line.lower()
    if len(line) <= _SIGN_UP_CHARS and any(word in low for word in _SIGN_UP_WORDS) and _SIGN_UP_TERMS.search(line):
        return True
    return any(word in low for word in _PLEA_WORDS) and _PLEA.search(line) is not None


def _is_boilerplate(line: str) -> bool:
    return (bool(_LINE.match(line)) or _contains_short_line_pattern(line) or _is_video_teaser(line)
            or _is_sign_up_terms_or_plea(line))


def _contains_short_line_pattern(line: str) -> bool:
    """Whether a `_CONTAINS` pattern whose length bound `line` keeps to is found in it:
    `any(len(line) <= n and pattern.search(line) for n, pattern in _CONTAINS)`, in one search."""
    for bound, pattern in _CONTAINS_BY_LENGTH:
        if len(line) <= bound:
            return pattern.search(line) is not None
    return False


_is_boilerplate_cached = lru_cache(maxsize=_CACHED_LINES)(_is_boilerplate)


_BYLINE = re.compile(r"^(by|von|par|por|door|di|av|af)\s+\w[\w.'’-]*(\s+\w[\w.'’-]*){0,4}$", re.IGNORECASE)
_BYLINE_ZONE = 3  # a bare "By Jane Doe" line among the first lines is the byline, not text
# A section label heading the text: one capitalised word ("Business", "Leben"), maybe joined to
# another ("Arts & Culture") or followed by "News" ("World News"), and nothing else. Two words of
# any kind would also take credits such as "Staff Reports".
_SECTION_LABEL_MAX_CHARS = 30
_LABEL_JOINERS = ("&", "and", "und", "et", "y", "e")


# A closing contact line: "Follow him on Twitter @jdoe", "Email ... or follow her @jdoe".
_CONTACT_TAIL = re.compile(
    r"\bfollow (him|her|us|me|them)( on (twitter|x|facebook|instagram|linkedin))?\s*(@\w+|on (twitter|x|facebook|"
    r"instagram|linkedin))|\bfollow @\w+ on (twitter|x|facebook|instagram)\b",
    re.IGNORECASE,
)
_CONTACT_ZONE = 2  # only among the last lines: a bio or contact note closes the article
_CONTACT_MAX_WORDS = 80
# Link-list items ("- Headline of another story") right after a "Related: ..." or "Read more" line.
_LIST_ITEM = re.compile(r"^[-•–*]\s+[^.!?]{3,160}[^.!?:]$")


# A standalone "Read also" label; the headline-like lines right after it are its links.
_READ_ALSO_LABEL = re.compile(rf"^({_READ_ALSO}|czytaj (też|także|również)|schon gelesen\??|auch lesen)\W*$", re.IGNORECASE)
_TEASER_HEADLINE = re.compile(r"^[^.!?]{3,140}[^.!?:;,]$")
_MAX_TEASERS = 3
_TEASER_MAX_WORDS = 18


def _drop_teaser_lists(lines: list[str], link_keys: Callable[[], Collection[str]] | None = None) -> list[str]:
    """Drop list items after a "Related"/"Read more" line, and the linked headlines after a "Read also" label.

    `link_keys` gives the comparison keys (`text.norm`) of the page's link texts: a headline
    after the label is dropped only when the page shows it as a link, so a subheading that
    happens to follow the label stays.
    """
    kept: list[str] = []
    links: Collection[str] | None = None  # read once, on the first headline after a label
    in_list = False
    teasers = 0  # headline lines still to drop after a "Read also" label
    for line in lines:
        if is_boilerplate_line(line):
            in_list = True
            teasers = _MAX_TEASERS if _READ_ALSO_LABEL.match(line) else 0
            kept.append(line)  # dropped with the other boilerplate lines
            continue
        if in_list and _LIST_ITEM.match(line):
            continue
        if teasers and link_keys is not None and _TEASER_HEADLINE.match(line) and len(line.split()) <= _TEASER_MAX_WORDS:
            if links is None:
                links = link_keys()
            if norm(line) in links:
                teasers -= 1
                continue
        in_list = False
        teasers = 0
        kept.append(line)
    return kept


def drop_head_furniture(lines: list[str]) -> list[str]:
    """`lines` without a bare byline ("By Jane Doe", "von Katja Belousova") among the first ones and
    without a section label ("Business", "FAQ") heading them.

    Run again once the headline and title lines heading the text are gone: a byline or label under
    them then moves into the zone."""
    lines = [line for i, line in enumerate(lines) if not (i < _BYLINE_ZONE and _BYLINE.match(line))]
    if len(lines) > 1 and _is_section_label(lines[0]) and not _is_section_label(lines[1]):
        lines = lines[1:]
    return lines


def _drop_byline_runs(lines: list[str]) -> list[str]:
    """`lines` without runs of two or more bare bylines in a row ("Von Alexandre Marain", "Von Beatrice
    Graf"): the credits of teaser cards for other stories. One alone may be a subheading ("Von Rechts wegen")."""
    bylines = [bool(_BYLINE.match(line)) for line in lines]
    if sum(bylines) < 2:
        return lines
    run = [flag and ((i > 0 and bylines[i - 1]) or (i + 1 < len(lines) and bylines[i + 1])) for i, flag in enumerate(bylines)]
    return [line for line, drop in zip(lines, run) if not drop]


def _is_section_label(line: str) -> bool:
    words = line.split()
    if len(words) == 2 and words[1] == "News":
        names = words[:1]
    elif len(words) == 3 and words[1] in _LABEL_JOINERS:
        names = [words[0], words[2]]
    else:
        names = words if len(words) == 1 else []
    return len(line) <= _SECTION_LABEL_MAX_CHARS and bool(names) and all(w[0].isupper() and w.replace("-", "").isalpha() for w in names)


def _is_contact_tail(line: str) -> bool:
    return len(line.split()) <= _CONTACT_MAX_WORDS and bool(_CONTACT_TAIL.search(line))


def clean_body(text: str, link_keys: Callable[[], Collection[str]] | None = None) -> str:
    """Drop boilerplate lines and cut at a closing marker near the end.

    `link_keys`: the page's link texts as comparison keys, asked for only when needed (see
    `_drop_teaser_lists`).
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    lines = _drop_byline_runs(drop_head_furniture(lines))
    if not lines:
        return ""
    threshold = int(len(lines) * _END_ZONE)
    for index, line in enumerate(lines):
        if index >= max(threshold, 1) and END_MARKERS.match(line):
            lines = lines[:index]
            break
    lines = _drop_teaser_lists(lines, link_keys)
    lines = [line for line in lines if not is_boilerplate_line(line)]
    while len(lines) > _CONTACT_ZONE and any(_is_contact_tail(line) for line in lines[-_CONTACT_ZONE:]):
        lines = [line for i, line in enumerate(lines)
                 if not (i >= len(lines) - _CONTACT_ZONE and _is_contact_tail(line))]
    return "\n".join(lines)
