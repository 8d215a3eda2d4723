"""Line filters that remove boilerplate left in an extracted body.

Extractors keep some page furniture inside the article container: newsletter
and subscription prompts, comment forms, share bars, "Read more" links,
"Source link" credits, cookie notices, "Most Popular" / "Related articles"
headings. `clean_body` drops such lines and, when a closing marker ("Source
link", "RELATED ARTICLES", "LEAVE A REPLY", ...) appears in the last part of the
body, cuts everything from it on. The patterns are generic (no site rules) and
cover a few languages where that is cheap. Reads no settings.
"""

from __future__ import annotations

import re

__all__ = ["clean_body", "is_boilerplate_line", "END_MARKERS"]

_LINE_PATTERNS = [
    # Newsletters and subscriptions.
    r"^(unlock|sign up|signup|subscribe|register|get|join)\b.{0,80}\b(newsletters?|briefing|digest)\b.{0,40}$",
    r"^(sign up|subscribe|register|jetzt abonnieren|abonnieren|abonnez-vous|inscrivez-vous|suscríbete|iscriviti)"
    r"( now| here| today| for free| jetzt)?\W*$",
    r"^(?=.{0,140}$).*\b(sign up|subscribe|abonnieren|abonnez-vous|suscríbete)\b.*\b(newsletters?|briefing|digest|"
    r"alerts|inbox|e-?mails?)\b.*$",
    r"^(?=.{0,140}$).*\b(our newsletters?|in your inbox|newsletter for free|zum newsletter|notre newsletter|"
    r"nuestro boletín)\b.*$",
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
    r"^(see more:\s+\S|don'?t miss|also on \S+\.\w+|like this (story|article)\?|auch interessant|"
    r"mehr dazu|lesen sie mehr|plus d'infos)\b.{0,160}$",
    r"^(follow|like) (us|@\w+) on (twitter|facebook|instagram|x|linkedin)\b.{0,160}$",
    # Image credits and embed placeholders repeated as text.
    r"^(photo|foto|bild|image|picture|credit|quelle|crédit photo|crédits?)s?\s*:\s*[^.!?]{1,60}$",
    r"^(link zum (youtube|twitter|instagram|x)-inhalt|ein klick für den datenschutz|"
    r"(video|audio)?\s*\|?\s*\d{1,2}:\d{2} min)\W*$",
    r"^.{0,40}\|\s*\d{1,3}:\d{2}\s*min\W*$",
]
_LINE = re.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS), re.IGNORECASE)
# Lines after which nothing belongs to the article, when they sit in the closing part of the body.
END_MARKERS = re.compile(
    r"^(source link|related articles|related posts|leave a reply|leave a comment|post a comment|"
    r"you (may|might) also like|more from .{1,40}|comments?|recent comments|most popular|"
    r"ähnliche artikel|weitere artikel|articles similaires|artículos relacionados|articoli correlati)\W*$",
    re.IGNORECASE,
)
_END_ZONE = 0.6  # a closing marker counts in the last 40% of the lines


def is_boilerplate_line(line: str) -> bool:
    return bool(_LINE.match(line.strip()))


_BYLINE = re.compile(r"^(by|von|par|por|door|di|av|af)\s+\w[\w.'’-]*(\s+\w[\w.'’-]*){0,4}$", re.IGNORECASE)
_BYLINE_ZONE = 3  # a bare "By Jane Doe" line among the first lines is the byline, not text


def clean_body(text: str) -> str:
    """Drop boilerplate lines and cut at a closing marker near the end."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    lines = [line for i, line in enumerate(lines) if not (i < _BYLINE_ZONE and _BYLINE.match(line))]
    if not lines:
        return ""
    threshold = int(len(lines) * _END_ZONE)
    for index, line in enumerate(lines):
        if index >= max(threshold, 1) and END_MARKERS.match(line):
            lines = lines[:index]
            break
    return "\n".join(line for line in lines if not is_boilerplate_line(line))
