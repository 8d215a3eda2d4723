"""Publication and modification dates, with their provenance and precision.

Sources are tried in a fixed order of trust and the first plausible date wins:
JSON-LD > <meta> (OpenGraph article:*, parsely, sailthru, Dublin Core, ...) >
microdata (itemprop) > a <time> element beside the headline > a date in the URL
path > a date written in the text just below the headline (read with a month-name table, else dateparser
in the page language; relative dates such as "2 hours ago" are resolved against
`fetched_at`) > a labelled date field anywhere in the page ("Datum 28.04.2023")
> a publication-date key in the hydration state of a script-rendered page >
htmldate's page-wide search (markup, then visible text in many languages), the
last resort. Refinements: a URL day takes the time a dateline shows on that
day; a dateline on another day wins over a generic <meta name="date">; when the
structured sources disagree on the day, the one whose day the page shows below
the headline wins, and a shown date labelled as the publication date ("Publié
le ...") wins over a structured date on another day; a <time> whose text shows
another day than its `datetime` attribute is read by its text. A dateline may
open the lead paragraph ("Karlsruhe, (12.11.2021). ..."), and a <time> in the
article header just above the headline belongs to it.
Dates in navigation, sidebars, related lists and comments, and "today" widgets
at the top of the page, are never read: the page-level <time> and text searches
start at the headline and skip such containers, labelled fields are read
outside them only, and a page-wide date on the fetch day (or a day beside it) is
refused. Numeric day/month order follows the page's locale (M/D/Y only on US
English pages).

Every result is timezone-aware and keeps the page's own offset; a page that
gives no offset is taken to be in UTC. A time written in UTC is told in the
publisher's offset when the page shows it (the same instant with an offset, a
local wall time in a <time datetime>, in the script state, or a dateline that cannot be a.m./p.m.),
else on the page's own day (its URL's, or a date-only value's) if it falls on
the day beside it; the instant never changes. A date-only value is never moved
to another day. `DateResult.precision` says what the page wrote: "second",
"minute", "day", or "month" for a page-wide guess (a lone year is no date). Impossible dates
(before 1990, after `fetched_at` plus `max_future_days`) are ignored and the
next source is tried. Reads no settings; the caller passes `fetched_at`,
language and the future margin.
"""

from __future__ import annotations

import email.utils
import logging
import math
import re
import warnings
from dataclasses import dataclass
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import islice
from typing import Any

from lxml.html import HtmlElement

from .hydration import hydrated_dates
from .structured import Structured, as_list, as_text, itemprop_values
from .text import NOISE_TAGS, clean, is_noise, is_noise_itself

logger = logging.getLogger(__name__)

__all__ = ["DateResult", "date_precision", "precision_of", "find_dates", "parse_date", "plausible"]

PUBLISHED_META = (
    "article:published_time", "article:published", "og:published_time", "og:article:published_time",
    "published_time", "article.published", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "pubdate",
    "publishdate", "publish-date", "publish_date", "datepublished", "date", "cxenseparse:recs:publishtime",
    "article:post_date", "citation_publication_date", "original-publish-date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "dcterms.modified", "dc.date.modified",
    "datemodified", "last-modified", "lastmod", "parsely-updated-date",
)
_EARLIEST_YEAR = 1990
# <meta> names that do not say which date of the page they give.
_GENERIC_META = frozenset({"date", "dc.date", "dcterms.date"})
_CLOCK = re.compile(r"(?<![\d.])\d{1,2}[:.h時]\d{2}(?![./]?\d)(?:[:.](\d{2})(?:[.,]\d+)?(?![./]?\d))?")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_MAX_OFFSET = timedelta(hours=14)
_LOCALE = re.compile(r"^([a-z]{2})[-_]([a-z]{2})\b", re.IGNORECASE)
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "CA", "FM", "MH", "PW", "UM", "VI", "GU", "AS", "MP", "PR"})
_AMPM = re.compile(r"^\s*[ap]\.?\s?m\b\.?", re.IGNORECASE)
_EXPLICIT_UTC = re.compile(r"(?:Z|[+-]00:?00|UTC|GMT)$", re.IGNORECASE)
_HAS_CLOCK = re.compile(r"\d[T ]\d{1,2}:\d{2}")
_HAS_OFFSET = re.compile(r"\d[T ]\d{1,2}:\d{2}.*[+-]\d{2}:?\d{2}$")
_ISO_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
# (?<!\s) before a leading \s* or \s+: a match starts at the first space of a run, not at each
# of them, so that a long run of spaces costs linear time (here and in the other modules).
_TZ_WORD = re.compile(r"(?<!\s)\s*(?:Z|UTC|GMT)$", re.IGNORECASE)
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?|$)"
    r"|[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)

_MONTH = r"[^\W\d_]{3,12}\.?"
_TIME = r"(?:,?\s*(?:um|à|a las|at|alle|om|kl\.?|-|–|\||,)?\s*\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?(?:\s*(?:[ap]\.?\s?m\.?|Uhr|h|hs))?)?"
_TEXT_DATES = re.compile(
    "|".join(
        (
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?",
            r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*\d{1,2}[:時]\d{2}分?)?",
            r"\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일(?:\s*\S{0,3}\s*\d{1,2}:\d{2})?",
            r"\b\d{4}[./]\d{1,2}[./]\d{1,2}\.?" + _TIME,
            r"\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b" + _TIME,
            # Day-first with a space after each dot ("4. 2. 2022", German, Czech, Polish typesetting).
            r"\b\d{1,2}\.\s\d{1,2}\.\s?\d{4}\b" + _TIME,
            r"\b\d{1,2}(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?" + _MONTH + r"\s+(?:de\s+)?\d{4}" + _TIME,
            r"\b" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}" + _TIME,
            r"\b(?:\d+|an?|one)\s+(?:minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\b",
            r"\bvor\s+(?:\d+|einer?)\s+(?:Minuten?|Stunden?|Tag(?:en)?|Wochen?)\b",
            r"\bil y a\s+(?:\d+|une?)\s+(?:minutes?|heures?|jours?|semaines?)\b",
            r"\bhace\s+(?:\d+|una?)\s+(?:minutos?|horas?|días?|semanas?)\b",
            r"\b(?:\d+|un|una)\s+(?:minuti|ore|giorni|settimane)\s+fa\b",
        )
    ),
    re.IGNORECASE,
)
_PUBLISHED_CUE = re.compile(
    r"(publi|veröffentlicht|erschienen|posted|stand|gepubliceerd|pubblicato|opublikowano|yayın|date)\w*\W{0,3}$",
    re.IGNORECASE,
)
_UPDATED_CUE = re.compile(
    r"(updated?|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt|modifi\w+|zuletzt|oppdatert|uppdaterad|"
    r"opdateret|päivitetty|uppfært|zaktualizowano|aktualizováno|güncelleme)\W{0,20}$", re.IGNORECASE
)
_TIME_PUBLISHED = re.compile(r"publish|entry-date|pubdate|posted|created|date-?time", re.IGNORECASE)
_TIME_MODIFIED = re.compile(r"updat|modif", re.IGNORECASE)
# A label naming the value beside it as the page's date ("Datum 28.04.2023", "Published: ...").
_DATE_LABEL = re.compile(
    r"^(?:date|datum|fecha|data|dato|tarih|yayın tarihi|published(?: on)?|publication date|"
    r"date de publication|publié le|publicado(?: el)?|pubblicato(?: il)?|veröffentlicht(?: am)?|"
    r"erschienen(?: am)?|publicatiedatum|날짜|입력|日期|发布时间|発行日|公開日|掲載日)\s*:?$",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\bago\b|\bvor\b|\bil y a\b|\bhace\b|\bfa\b", re.IGNORECASE)
# A label right before a shown date that names it the publication date ("Publié le", "Erscheinungsdatum").
_SHOWN_PUBLISHED_CUE = re.compile(
    r"(publi\w*|veröffentlicht\w*|erschien\w*|erscheinungsdatum|posted|gepubliceerd|pubblicato|opublikowano|"
    r"yayın\w*)(?:\s+(?:le|am|on|el|il|op|em))?\W{0,3}$",
    re.IGNORECASE,
)
_LABEL_TAGS = ("strong", "b", "dt", "th", "label")
_LABEL_REST_WORDS = 3  # words beside the date in a labelled value (a weekday, "Uhr")
_DATELINE_WORDS = 14  # longer text pieces are running text, not a dateline
_DATELINE_REST_WORDS = 5  # words besides the date in a dateline ("Published on", a name)
_TEXT_WINDOW = 1500  # characters of text after the headline searched for a written date
# Caps that bound the date search on stuffed pages: values tried per source, dates read per
# text, <time> elements and elements after the headline looked at.
_MAX_TRIES = 20
_MAX_TEXT_DATES = 10
_MAX_TIME_ELEMENTS = 100
_ABOVE_SIBLINGS = 3  # elements before the headline (per level) read for a byline above it
_NOT_TEXT = ("script", "style", "noscript", "template", "figure", "figcaption", "picture")
# Classes naming a block the article's metadata (a post-meta line, a dateline, a byline).
_META_BLOCK = re.compile(r"(?:^|[\s_-])(?:meta|post-meta|entry-meta|article-meta|dateline|byline|date|time)(?:$|[\s_-])",
                         re.IGNORECASE)
_TIME_BEFORE_HEADLINE = 12  # elements before the headline in which a <time> still belongs to its header
_MAX_TEXT_ELEMENTS = 3000


@dataclass(slots=True)
class DateResult:
    published_at: datetime | None = None
    modified_at: datetime | None = None
    source: str | None = None
    precision: str | None = None  # "second", "minute", "day", "month" or "year": what the page wrote


def precision_of(value: datetime) -> str:
    """The precision a date claims when only its value is known (a feed hint, a site rule)."""
    if value.second or value.microsecond:
        return "second"
    return "day" if (value.hour, value.minute) == (0, 0) else "minute"


def date_precision(raw: str) -> str:
    """How precise a written date is: "second", "minute" or "day" (no time of day written)."""
    if _EPOCH.match(raw.strip()):
        return "second"
    match = _CLOCK.search(raw)
    if match is None:
        return "day"
    return "second" if match.group(1) else "minute"


def plausible(value: datetime, fetched_at: datetime, max_future_days: float) -> bool:
    return value.year >= _EARLIEST_YEAR and value <= fetched_at + timedelta(days=max_future_days)


def parse_date(raw: Any, language: str | None = None) -> datetime | None:
    """A machine-written date (ISO 8601, RFC 2822, epoch seconds/ms) as an aware datetime."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            return None  # JSON-LD may say NaN or 1e999
        raw = str(int(raw))
    text = as_text(raw) if not isinstance(raw, str) else raw
    text = clean(text)
    if not text or len(text) > 64:
        return None
    value: datetime | None = None
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    iso = _TZ_WORD.sub("+00:00", _UNPADDED_ISO.sub(_pad_iso, text, count=1))
    iso = _ISO_OFFSET.sub(r"\1:\2", iso) if re.search(r"\d[T ]\d", iso) else iso
    try:
        value = datetime.fromisoformat(iso.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", iso) else iso)
    except ValueError:
        value = None
    if value is None:
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = None
    if value is None:
        value = _dateparser(text, language, None)
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# "2022-1-26T14:32:06+02:00": ISO 8601 with a one-digit month or day, which fromisoformat refuses.
_UNPADDED_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ]\d)")


def _pad_iso(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"


def _dateparser(text: str, language: str | None, base: datetime | None) -> datetime | None:
    import dateparser  # imported lazily: it is slow to import and only needed for odd formats

    settings: dict[str, Any] = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
        "PREFER_DATES_FROM": "past",
        "STRICT_PARSING": False,
    }
    if base is not None:
        settings["RELATIVE_BASE"] = base.astimezone(UTC).replace(tzinfo=None)
    # Always a short explicit list: without one dateparser tries every language it knows (slow).
    languages = list(dict.fromkeys(filter(None, (language, "en"))))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError):
        return None
    except Exception:  # dateparser raises assorted errors on unknown languages
        logger.debug("dateparser failed on %r", text, exc_info=True)
        return None


_NUMERIC = re.compile(
    r"^(?:(?P<y1>\d{4})[./-](?P<m1>\d{1,2})[./-](?P<d1>\d{1,2})|(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})[./](?P<y2>\d{4}|\d{2})"
    r"|(?P<sa>\d{1,2})\.\s(?P<sb>\d{1,2})\.\s?(?P<sy>\d{4}))"
    r"\.?(?:\D{0,12}?(?P<H>\d{1,2})[:.h](?P<M>\d{2}))?(?:[:.]\d{2})?\s*(?P<ampm>[ap]\.?\s?m\.?)?",
    re.IGNORECASE,
)


def _numeric_date(text: str, language: str | None, day_first: bool = False) -> datetime | None:
    """All-digit dates: year first, or day first unless an English page writes M/D/Y with slashes
    (`day_first`: the page's locale is English outside the US, "en-GB")."""
    match = _NUMERIC.match(text.strip())
    if not match:
        return None
    if match.group("y1"):
        year, month, day = int(match.group("y1")), int(match.group("m1")), int(match.group("d1"))
    elif match.group("sy"):  # "4. 2. 2022": dotted with spaces is always day first
        year, month, day = int(match.group("sy")), int(match.group("sb")), int(match.group("sa"))
    else:
        a, b = int(match.group("a")), int(match.group("b"))
        year = int(match.group("y2"))
        year = year + 2000 if year < 100 else year
        month_first = match.group("sep") == "/" and language == "en" and not day_first and b <= 31 and a <= 12
        month, day = (a, b) if month_first else (b, a)
    hour = int(match.group("H")) if match.group("H") else 0
    minute = int(match.group("M")) if match.group("M") else 0
    ampm = (match.group("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


# Month names and abbreviations of the languages most pages are in, read without dateparser
# (which costs a millisecond or more per call); anything else still goes to dateparser.
_MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan januar janvier enero ene gennaio gen januari janeiro",
    "february feb februar février fevrier febrero gennaio_ febbraio februari fevereiro fev",
    "march mar märz maerz mars marzo maart março marco mrt",
    "april apr avril abril aprile",
    "may mai mayo maggio mei maio",
    "june jun juni juin junio giugno junho",
    "july jul juli juillet juil julio luglio lug julho",
    "august aug août aout agosto ago augustus",
    "september sep sept septembre septiembre settembre set setembro",
    "october oct oktober octobre octubre ottobre ott okt outubro out",
    "november nov novembre noviembre novembro",
    "december dec dezember dez décembre decembre diciembre dic dicembre dezembro",
), start=1):
    for _name in _names.split():
        _MONTH_NAMES.setdefault(_name.rstrip("_"), _number)
_CLOCK_TAIL = r"(?:,?\s*(?:um|à|a las|at|alle|om|kl\.?|-|–|\||,)?\s*(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?:[:.]\d{2})?" \
              r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?|\s*(?:Uhr|h|hs))?)?\s*$"
_DAY_MONTH_YEAR = re.compile(r"^(?P<d>\d{1,2})(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,12})\.?\s+(?:de\s+)?"
                             r"(?P<y>\d{4})" + _CLOCK_TAIL, re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(r"^(?P<mon>[^\W\d_]{3,12})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _CLOCK_TAIL,
                             re.IGNORECASE)


def _month_name_date(text: str) -> datetime | None:
    """'6. November 2023, 15:25 Uhr', '29 juin 2019', 'Sep 30, 2020 5:49 p.m.' as a wall time (UTC, like
    dateparser's reading); None when the month name is not in the table or the text goes on."""
    match = _DAY_MONTH_YEAR.match(text.strip()) or _MONTH_DAY_YEAR.match(text.strip())
    month = _MONTH_NAMES.get(match.group("mon").casefold()) if match else None
    if match is None or month is None:
        return None
    hour = int(match.group("H") or 0)
    ampm = (match.group("ampm") or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    try:
        return datetime(int(match.group("y")), month, int(match.group("d")), hour, int(match.group("M") or 0), tzinfo=UTC)
    except ValueError:
        return None


def _day_first_locale(tree: HtmlElement, data: Structured) -> bool:
    """Whether the page declares an English locale that writes the day first (en-GB, en-IN, ...)."""
    for raw in (tree.get("lang"), tree.get("xml:lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                data.first("og:locale")):
        match = _LOCALE.match((raw or "").strip())
        if match:
            return match.group(1).lower() == "en" and match.group(2).upper() not in _MONTH_FIRST_REGIONS
    return False


def _offset_between(wall: datetime, value: datetime) -> timezone | None:
    """The offset at which instant `value` reads as wall time `wall`: a non-zero whole quarter-hour
    up to 14 hours, else None."""
    delta = wall.replace(tzinfo=None) - value.astimezone(UTC).replace(tzinfo=None)
    if delta and abs(delta) <= _MAX_OFFSET and delta % timedelta(minutes=15) == timedelta(0):
        return timezone(delta)
    return None


def _ambiguous_clock(raw: str, language: str | None) -> bool:
    """A written time of 1-12 o'clock without a.m./p.m. on a page whose language writes 12-hour
    times (English, or unknown): it may be either half of the day."""
    match = _CLOCK.search(raw)
    if match is None or _AMPM.search(raw[match.end():match.end() + 8]):
        return False
    hour = int(re.match(r"\d+", match.group(0)).group(0))  # type: ignore[union-attr]
    return 1 <= hour <= 12 and language in (None, "en")


# A dateline opening the lead paragraph: at most a place name and a comma, dash or bracket before
# the date, and a full stop, dash, colon or comma after it ("Karlsruhe, (12.11.2021). Traditionell ...").
_LEAD_PREFIX = re.compile(r"^(?:[^\W\d][\w.'’/-]*\s+){0,2}[^\W\d][\w.'’/-]*\s*(?:\([^()]{1,20}\)\s*)?[,(–—/-]\s*\(?$|^$")
_LEAD_SUFFIX = re.compile(r"^\s*(?:\)\s*)?[.:–—,|-]")


def _lead_dateline(piece: str) -> list[str]:
    """The dateline at the start of a long text piece (the lead paragraph), if it opens with one."""
    match = _TEXT_DATES.search(piece, 0, 80)
    if match is None or not _LEAD_PREFIX.match(piece[:match.start()]) or not _LEAD_SUFFIX.match(piece[match.end():]):
        return []
    return [piece[:match.end()]]


class _Finder:
    def __init__(self, tree: HtmlElement, data: Structured, url: str, heading: HtmlElement | None,
                 language: str | None, fetched_at: datetime, max_future_days: float) -> None:
        self.tree = tree
        self.data = data
        self.url = url
        self.heading = heading
        self.language = language
        self.fetched_at = fetched_at
        self.max_future_days = max_future_days
        self.raw = ""  # the text the last date found was read from, for its precision
        self.day_first = _day_first_locale(tree, data)
        self.meta_key = ""  # the <meta> name the publication date was read from
        self._near: list[str] | None = None  # near_headline_text, read once: several rules ask for it
        # itemprop values by property, read once: the rules ask for "datePublished" up to four times,
        # each a search of the whole tree; the tree does not change while dates are sought.
        self._itemprops: dict[str, list[str]] = {}

    def itemprops(self, prop: str) -> list[str]:
        """`itemprop_values` of the page for `prop` (the list is shared: callers do not change it)."""
        if prop not in self._itemprops:
            self._itemprops[prop] = itemprop_values(self.tree, prop)
        return self._itemprops[prop]

    def ok(self, value: datetime | None) -> datetime | None:
        if value is not None and plausible(value, self.fetched_at, self.max_future_days):
            return value
        return None

    def first(self, values: list[Any]) -> datetime | None:
        for raw in values[:_MAX_TRIES]:
            value = self.ok(parse_date(raw, self.language))
            if value is not None:
                self.raw = as_text(raw) if not isinstance(raw, str) else raw
                return value
        return None

    def jsonld(self, modified: bool = False) -> datetime | None:
        keys = ("dateModified",) if modified else ("datePublished", "dateCreated", "uploadDate")
        nodes = [self.data.article] if self.data.article is not None else []
        nodes += [n for n in self.data.jsonld if n is not self.data.article]
        for key in keys:
            for node in nodes:
                value = self.first(as_list(node.get(key)))
                if value is not None:
                    return value
        return None

    def meta(self, modified: bool = False) -> datetime | None:
        if modified:
            return self.first(self.data.all(*MODIFIED_META))
        for key in PUBLISHED_META:
            value = self.first(self.data.all(key))
            if value is not None:
                self.meta_key = key
                return value
        return None

    def microdata(self, modified: bool = False) -> datetime | None:
        props = ("dateModified",) if modified else ("datePublished", "dateCreated")
        for prop in props:
            value = self.first(self.itemprops(prop))
            if value is not None:
                return value
        return None

    def time_element(self) -> datetime | None:
        """A <time> in the headline's neighbourhood (same header or just after it)."""
        if self.heading is None:
            scopes = [a for a in self.tree.iter("article") if not is_noise(a)][:1]
            heading_pos = -1
        else:
            scopes, node = [], self.heading.getparent()
            while node is not None and node.tag != "body" and len(scopes) < 5:
                scopes.append(node)
                node = node.getparent()
            heading_pos = -1
        order = {el: i for i, el in enumerate(self.tree.iter())} if self.heading is not None else {}
        if self.heading is not None:
            heading_pos = order[self.heading]
        seen: set[HtmlElement] = set()
        for level, scope in enumerate(scopes):
            candidates = []
            for element in scope.iter("time"):
                if element in seen:
                    continue
                if len(seen) >= _MAX_TIME_ELEMENTS:
                    break
                seen.add(element)
                # Beyond the immediate header, only times that come after the headline or just
                # before it (an article header's date line above the headline).
                if level >= 2 and order and order.get(element, 0) < heading_pos - _TIME_BEFORE_HEADLINE:
                    continue
                if is_noise(element):
                    continue
                hints = " ".join(filter(None, (element.get("class"), element.get("itemprop"),
                                              element.getparent().get("class") if element.getparent() is not None else "")))
                if _TIME_MODIFIED.search(hints) and not _TIME_PUBLISHED.search(hints):
                    continue
                raw = element.get("datetime") or element.get("content") or ""
                value = self.ok(parse_date(raw, self.language)) if raw else None
                if value is not None:
                    value, raw = self._shown_time_text(element, value, raw)
                if value is None:
                    value = self.ok(self.text_date(element.text_content()))
                    raw = self.raw
                if value is not None:
                    priority = 0 if (_TIME_PUBLISHED.search(hints) or element.get("pubdate") is not None) else 1
                    candidates.append((priority, order.get(element, 0), value, raw))
            if candidates:
                best = min(candidates, key=lambda c: (c[0], c[1]))
                self.raw = best[3]
                return best[2]
        return None

    def _shown_time_text(self, element: HtmlElement, value: datetime, raw: str) -> tuple[datetime, str]:
        """A <time> whose text shows a whole date on another day than its `datetime` attribute: the
        reader sees the text (the attribute is often the time the entry was last saved)."""
        text = clean(element.text_content())
        if not text or len(text) > 80 or _TEXT_DATES.search(text) is None:
            return value, raw
        saved = self.raw
        shown = self.text_date(text)
        shown_raw, self.raw = self.raw, saved
        if shown is None or shown.date() == value.date() or _RELATIVE.search(shown_raw):
            return value, raw
        return shown, shown_raw

    def url_date(self) -> datetime | None:
        match = _URL_DATE.search(self.url)
        if not match:
            return None
        groups = [g for g in match.groups() if g]
        try:
            value = self.ok(datetime(int(groups[0]), int(groups[1]), int(groups[2]), tzinfo=UTC))
        except ValueError:
            return None
        self.raw = match.group(0)
        return value

    def text_date(self, text: str) -> datetime | None:
        """The first plausible written date in `text`, preferring one cued as the publication date."""
        found: list[tuple[int, datetime, str]] = []
        for match in islice(_TEXT_DATES.finditer(text, 0, _TEXT_WINDOW), _MAX_TEXT_DATES):
            before = text[max(0, match.start() - 40):match.start()]
            if _UPDATED_CUE.search(before):
                continue
            value = self.ok(_numeric_date(match.group(0), self.language, self.day_first) or _month_name_date(match.group(0)))
            if value is None:
                value = self.ok(_dateparser(match.group(0), self.language, self.fetched_at))
            if value is None:
                continue
            if _PUBLISHED_CUE.search(before):
                self.raw = match.group(0)
                return value
            found.append((match.start(), value, match.group(0)))
            if len(found) >= 3:
                break
        if not found:
            return None
        self.raw = found[0][2]
        return found[0][1]

    def near_headline_text(self) -> list[str]:
        """Visible text following the headline, skipping noise containers."""
        if self._near is None:
            self._near = self._read_near_headline_text()
        return self._near

    def _read_near_headline_text(self) -> list[str]:
        """The text after the start (the headline, else the first <article>'s own content), in
        document order: the subtrees that follow it, climbing its ancestors. A noise container or a
        figure is skipped whole, so the walk never looks at what it would throw away."""
        start = self.heading
        if start is None:
            articles = [a for a in self.tree.iter("article") if not is_noise(a)]
            if not articles:
                return []
            start = articles[0]
            roots: list[HtmlElement] = list(start)
        else:
            roots = []
        chunks: list[str] = [clean(start.tail)] if start is self.heading else []  # not the heading's own words
        body = self.tree.find("body")
        node: HtmlElement | None = start
        while node is not None and node is not body and node is not self.tree:
            roots.extend(node.itersiblings())
            node = node.getparent()
        size = after = 0
        # (element, whether its parent is noise; None: not known, the whole ancestor chain decides)
        stack: list[tuple[HtmlElement, bool | None]] = [(r, None) for r in reversed(roots)]
        while stack:
            element, inherited = stack.pop()
            if not isinstance(element.tag, str):
                continue
            after += 1
            if after > _MAX_TEXT_ELEMENTS:
                break
            if element.tag in _NOT_TEXT:
                continue
            if (is_noise(element) if inherited is None else is_noise_itself(element)) and not self._meta_block(element, inherited):
                continue
            for piece in (element.text, element.tail):
                piece = clean(piece)
                if piece:
                    size += len(piece)
                    # Bylines and datelines are short; dates inside running text are about events.
                    if len(piece.split()) <= _DATELINE_WORDS:
                        chunks.append(piece)
                    else:
                        chunks.extend(_lead_dateline(piece))
            if size > _TEXT_WINDOW:
                break
            stack.extend((child, False) for child in reversed(element))
        return [c for c in chunks if c]

    @staticmethod
    def _meta_block(element: HtmlElement, inherited: bool | None) -> bool:
        """A list or box the noise filter takes for navigation or a sidebar ("nav meta", `<aside
        class="meta">`) that names itself the post's metadata, outside any real noise container:
        it holds the dateline."""
        if (element.tag in NOISE_TAGS and element.tag != "aside") or not _META_BLOCK.search(f"{element.get('class', '')} {element.get('id', '')}"):
            return False
        parent = element.getparent()
        return inherited is False or parent is None or not is_noise(parent)

    def dateline(self) -> datetime | None:
        """A written date in a short text piece after the headline that is mostly that date; else
        one in the byline just above the headline, unless it is on the fetch day or a day beside it
        (there, a "today" widget of the page header cannot be told from the article's date)."""
        after = self._dateline_in(self.near_headline_text())
        if after is not None:
            return after
        before = self._dateline_in(self.above_headline_text())
        if before is not None and abs((self.fetched_at.date() - before.date()).days) > 1:
            return before
        return None

    def _dateline_in(self, chunks: list[str]) -> datetime | None:
        for chunk in chunks:
            match = _TEXT_DATES.search(chunk)
            if match is None:
                continue
            rest = chunk[:match.start()] + " " + chunk[match.end():]
            if len(rest.split()) > _DATELINE_REST_WORDS:
                continue  # a caption or a sentence that mentions a date
            value = self.text_date(chunk)
            if value is not None:
                return value
        return None

    def above_headline_text(self) -> list[str]:
        """Short text pieces of the elements just before the headline in its own container and the
        one around it, nearest first: a byline with the date often sits above the headline."""
        chunks: list[str] = []
        node = self.heading
        for _level in range(2):
            if node is None or node.tag == "body":
                break
            sibling, seen = node.getprevious(), 0
            while sibling is not None and seen < _ABOVE_SIBLINGS:
                if isinstance(sibling.tag, str) and sibling.tag not in _NOT_TEXT and not is_noise(sibling):
                    pieces = [clean(t) for t in sibling.itertext()]
                    chunks.extend(p for p in reversed(pieces) if p and len(p.split()) <= _DATELINE_WORDS)
                sibling, seen = sibling.getprevious(), seen + 1
            node = node.getparent()
        return chunks[:_MAX_TEXT_DATES * 3]

    def labelled(self) -> datetime | None:
        """A date given as a labelled field anywhere outside noise ("<strong>Datum</strong> 28.04.2023",
        "<dt>Published</dt><dd>...</dd>"): labelled metadata blocks often sit after the text."""
        for label in self.tree.iter(*_LABEL_TAGS):
            name = clean(label.text_content())
            if not _DATE_LABEL.match(name):
                continue
            if label.tag in ("dt", "th"):  # the value is the next cell: <dd>, <td>
                sibling = label.getnext()
                value = clean(sibling.text_content()) if sibling is not None else ""
            else:  # the value follows the label inside the same element
                parent = label.getparent()
                whole = clean(parent.text_content()) if parent is not None else ""
                value = whole[len(name):] if whole.startswith(name) else ""
            match = _TEXT_DATES.search(value)
            if match is None or len((value[:match.start()] + value[match.end():]).split()) > _LABEL_REST_WORDS:
                continue
            if is_noise(label):
                continue
            found = self.text_date(value)
            if found is not None:
                return found
        return None

    def hydration(self) -> datetime | None:
        """A publication-date key in the state a script-rendered page hydrates from."""
        for raw in hydrated_dates(self.tree):
            value = self.ok(_numeric_date(raw, self.language, self.day_first) or parse_date(raw, self.language))
            if value is not None:
                self.raw = raw
                return value
        return None

    def page_wide(self) -> datetime | None:
        """Last resort: htmldate's search of the whole page (markup, then visible text).

        htmldate prunes comments and boilerplate itself (our own noise filter is coarser and cost
        more than it saved), and a result on the fetch day or the day before or after is refused:
        with every other source silent, that is a "today" widget in the page header far more
        often than the publication date.
        """
        from htmldate import find_date  # imported lazily: only pages no other source dates need it

        latest = (self.fetched_at + timedelta(days=self.max_future_days)).date()
        try:
            found = find_date(self.tree, extensive_search=True, original_date=True, url=self.url,
                              min_date=datetime(_EARLIEST_YEAR, 1, 1), max_date=datetime(latest.year, latest.month, latest.day))
        except (ValueError, TypeError, OverflowError):
            return None
        if not found:
            return None
        try:
            day = datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
        if (self.fetched_at.date() - day.date()).days in (-1, 0, 1):
            return None
        self.raw = found
        return self.ok(day)

    def _offset_for(self, value: datetime) -> datetime:
        """The publisher's own offset for a date written in UTC (or without offset).

        Another source with the same wall time or the same instant and an offset gives that offset; a source
        written as local wall time without offset (a JSON-LD or `<time datetime>` value)
        that differs from the UTC value by a whole quarter-hour gives the offset that
        difference is. The instant never changes, only the calendar it is told in.
        """
        raws = self.data.all(*PUBLISHED_META, *MODIFIED_META) + self.itemprops("datePublished")
        for raw in raws:
            if not _HAS_OFFSET.search(raw):
                continue
            other = parse_date(raw)
            if other is None or not other.utcoffset():
                continue  # no offset to learn from a UTC value
            if other.replace(tzinfo=None) == value.replace(tzinfo=None):
                return other  # the same wall time: `value` was written without its offset
            if other == value:
                return value.astimezone(other.tzinfo)  # the same instant, told in the page's offset
        if not _EXPLICIT_UTC.search(self.raw.strip()):
            return value  # written without offset: no UTC instant to re-tell
        raws += [v for node in self.data.jsonld for key in ("datePublished", "dateCreated")
                 for v in as_list(node.get(key)) if isinstance(v, str)]
        raws += [t.get("datetime") or "" for t in self.tree.iter("time")]
        raws += hydrated_dates(self.tree)  # a script's state may keep the local wall time
        for raw in raws:
            if not _HAS_CLOCK.search(raw) or _HAS_OFFSET.search(raw) or _EXPLICIT_UTC.search(raw.strip()):
                continue
            wall = parse_date(raw)
            if wall is None:
                continue
            offset = _offset_between(wall, value)
            if offset is not None:
                return value.astimezone(offset)
        # The time the reader sees after the headline, unless it could be a.m. or p.m. (not a byline
        # above it: there an update time often stands first).
        wall = self._dateline_in(self.near_headline_text())
        if wall is not None and date_precision(self.raw) != "day" and not _ambiguous_clock(self.raw, self.language):
            offset = _offset_between(wall, value.replace(second=0, microsecond=0))
            if offset is not None:
                return value.astimezone(offset)
        return value

    def _local_day(self, value: datetime) -> datetime:
        """A UTC time that falls on the day after or before the page's own day is told on that day.

        The page's day is the URL's (written in the publisher's calendar) or a date-only value in
        the page's metadata. The offset chosen is the smallest whole-hour one that does it; the
        instant is unchanged."""
        if value.utcoffset() != timedelta(0):
            return value
        for local_day in self._local_days():
            step = (local_day - value.date()).days
            if step not in (-1, 1):
                continue
            for hours in range(1, 15):
                shifted = value.astimezone(timezone(timedelta(hours=hours * step)))
                if shifted.date() == local_day:
                    return shifted
        return value

    def _local_days(self) -> Iterator[date]:
        match = _URL_DATE.search(self.url)
        if match:
            groups = [int(g) for g in match.groups() if g]
            try:
                yield date(groups[0], groups[1], groups[2])
            except ValueError:
                pass
        for raw in self.data.all(*PUBLISHED_META) + self.itemprops("datePublished"):
            if date_precision(raw) == "day":
                day = _numeric_date(raw, self.language, self.day_first) or parse_date(raw, self.language)
                if day is not None:
                    yield day.date()

    def _url_month(self, value: datetime) -> bool:
        """Whether the URL names the value's year and month but no day (".../2013/10/slug")."""
        pattern = rf"[/_-]{value.year}[/_-]0?{value.month}(?:/(?!\d{{1,2}}(?:/|$))|$)"
        return re.search(pattern, self.url.split("?")[0]) is not None

    def _dateline_over_generic(self, value: datetime, precision: str) -> tuple[datetime, str, str]:
        """A `<meta name="date">` (or dc.date) does not say which date it is, and is often the day the
        page was rendered or changed: a dateline below the headline on another day wins over it."""
        raw = self.raw
        self.raw = ""
        written = self.dateline()
        if written is not None and written.date() != value.date():
            return written, "text", date_precision(self.raw)
        self.raw = raw
        return value, "meta", precision

    def _shown(self) -> tuple[datetime, str, bool] | None:
        """The date a dateline after the headline shows the reader, its text, and whether a label
        right before it names it the publication date ("Publié le", "Erscheinungsdatum").
        A date labelled as an update, and a relative one ("2 hours ago"), are not shown dates."""
        previous = ""
        for chunk in self.near_headline_text():
            match = _TEXT_DATES.search(chunk)
            if match is not None and len((chunk[:match.start()] + " " + chunk[match.end():]).split()) <= _DATELINE_REST_WORDS:
                before = chunk[:match.start()].strip() or previous
                if _UPDATED_CUE.search(before):
                    return None
                self.raw = ""
                value = self.text_date(chunk)
                if value is not None and not _RELATIVE.search(self.raw):
                    return value, self.raw, _SHOWN_PUBLISHED_CUE.search(before) is not None
            previous = chunk
        return None

    def _structured_published(self) -> Iterator[tuple[str, str]]:
        """Every publication date the page's structured data gives, with its source."""
        for node in self.data.jsonld:
            for key in ("datePublished", "dateCreated"):
                for raw in as_list(node.get(key))[:_MAX_TRIES]:
                    if isinstance(raw, str):
                        yield "json-ld", raw
        for raw in self.data.all(*PUBLISHED_META)[:_MAX_TRIES]:
            yield "meta", raw
        for raw in self.itemprops("datePublished")[:_MAX_TRIES]:
            yield "microdata", raw

    def _shown_over_structured(self, value: datetime, source: str, precision: str) -> tuple[datetime, str, str]:
        """The structured publication date, unless the page shows its reader another day:

        - when another structured publication date (JSON-LD against <meta>, say) is on the shown
          day, the sources disagree and the one the page shows wins;
        - when a label names the shown date the publication date ("Publié le 29 juin 2019"), it wins.
        A UTC value a day apart is left to the offset rules."""
        raw = self.raw
        found = self._shown()
        self.raw = raw
        if found is None:
            return value, source, precision
        shown, shown_raw, cued = found
        # A UTC time is often shown on the day beside it (the offset rules handle that); a value
        # told in its own offset is on the day it names.
        if abs((shown.date() - value.date()).days) < (1 if value.utcoffset() else 2):
            return value, source, precision
        for other_source, other_raw in self._structured_published():
            other = self.ok(parse_date(other_raw, self.language))
            if other is not None and other.date() == shown.date():
                self.raw = other_raw
                return other, other_source, date_precision(other_raw)
        if cued:
            self.raw = shown_raw
            return shown, "text", date_precision(shown_raw)
        return value, source, precision

    def _written_new_year(self, value: datetime) -> bool:
        """Whether January 1st of the value's year is written out anywhere in the page's markup."""
        y = value.year
        pattern = rf"{y}[-/.]0?1[-/.]0?1\b|\b0?1[./-]0?1[./-]{y}|\b1(?:st|er|\.)?\s+(?:jan|ja|gen|ene|sty|oca)\w*\.?\s+{y}|jan\w*\.?\s+1(?:st)?,?\s+{y}"
        text = " ".join(t for t in self.tree.itertext() if t)
        attributes = " ".join(v for e in self.tree.iter() if isinstance(e.tag, str) for v in e.attrib.values())
        return re.search(pattern, text + " " + attributes, re.IGNORECASE) is not None

    def _url_time(self, day: datetime) -> tuple[datetime, str, str]:
        """The URL gives the day only: a dateline after the headline on that same day gives the time
        (not a byline above it, where an update time often stands first)."""
        self.raw = ""
        written = self._dateline_in(self.near_headline_text())
        if (written is not None and written.date() == day.date() and date_precision(self.raw) != "day"
                and not _ambiguous_clock(self.raw, self.language)):
            return written, "text", date_precision(self.raw)
        return day, "url", "day"

    def published(self) -> tuple[datetime | None, str | None, str | None]:
        for source, finder in (
            ("json-ld", self.jsonld),
            ("meta", self.meta),
            ("microdata", self.microdata),
            ("time-element", self.time_element),
            ("url", self.url_date),
            ("text", self.dateline),
            ("text", self.labelled),
            ("script", self.hydration),
            ("page", self.page_wide),
        ):
            self.raw = ""
            value = finder()
            if value is None:
                continue
            precision = "day" if source in ("url", "page") else date_precision(self.raw)
            if source == "url":
                value, source, precision = self._url_time(value)
            elif source == "meta" and self.meta_key in _GENERIC_META:
                value, source, precision = self._dateline_over_generic(value, precision)
            elif source in ("json-ld", "meta", "microdata"):
                value, source, precision = self._shown_over_structured(value, source, precision)
            elif source == "page" and value.day == 1 and self._url_month(value):
                precision = "month"  # htmldate's last resort reads a year/month URL as the 1st
            elif source == "page" and (value.month, value.day) == (1, 1) and not self._written_new_year(value):
                # htmldate reads a lone year ("© 2019", or the year of an impossible date) as January
                # 1st: that is no publication date, and none is better than an invented one.
                continue
            if precision != "day" and value.utcoffset() == timedelta(0):
                if source in ("json-ld", "meta", "microdata", "time-element"):
                    value = self._offset_for(value)
                if _EXPLICIT_UTC.search(self.raw.strip()):  # a wall time without offset is no UTC instant
                    value = self._local_day(value)
            return value, source, precision
        return None, None, None

    def modified(self) -> datetime | None:
        return self.jsonld(modified=True) or self.meta(modified=True) or self.microdata(modified=True)


def find_dates(tree: HtmlElement, data: Structured, url: str, heading: HtmlElement | None, *,
               language: str | None, fetched_at: datetime, max_future_days: float = 2.0) -> DateResult:
    """Find the publication date (with its source) and the last-modified date."""
    finder = _Finder(tree, data, url, heading, language, fetched_at, max_future_days)
    published, source, precision = finder.published()
    modified = finder.modified()
    if published is not None and modified is not None and modified < published:
        modified = None
    return DateResult(published, modified, source, precision)
