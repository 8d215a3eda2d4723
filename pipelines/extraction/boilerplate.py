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


def clean_body(text: str) -> str:
    """Drop boilerplate lines and cut at a closing marker near the end."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    threshold = int(len(lines) * _END_ZONE)
    for index, line in enumerate(lines):
        if index >= max(threshold, 1) and END_MARKERS.match(line):
            lines = lines[:index]
            break
    return "\n".join(line for line in lines if not is_boilerplate_line(line))
