"""Seeded hostile inputs for the fuzz campaign (`benchmarks.fuzz`) and the property tests.

`extraction_input(rng, page)` mutates one real page (truncation, deep nesting,
huge attributes, NUL and control characters, JSON-LD with wrong types and
impossible dates, broken charsets, lone surrogates); `feed_input(rng)` and
`sitemap_input(rng)` build feeds and sitemaps whose entries mix good and bad
values, then may break the whole document (truncation, gzip, bombs, entities).
Each returns a `FuzzInput`: the payload, the mutations applied, and for
discovery documents whose XML stays well-formed the good URLs that must come
out. Pure functions of the `random.Random` given; reads no settings.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field

__all__ = [
    "BAD_DATES",
    "BAD_URLS",
    "BASE",
    "FuzzInput",
    "extraction_input",
    "feed_input",
    "good_date",
    "good_url",
    "sitemap_input",
]

BASE = "https://news.example.com"

# Entry URLs the discovery parsers must skip (or, for the last ones, may keep): never raise on.
BAD_URLS = (
    "http://[::1",
    "http://[zzz]/story",
    "http://exa mple.com/story",
    "javascript:alert(1)",
    "mailto:desk@news.example.com",
    "data:text/html,<b>x</b>",
    "ftp://news.example.com/story",
    "http://:80/story",
    "http://news..example.com/story",
    "http://news.example.com:99999/story",
    "http://news.example.com:-1/story",
    "http://news.example.com/" + "a" * 5000,
    "http://" + "a" * 300 + ".com/story",
    "http://a\x00b.example.com/",
    "http://news.example.com/\x00",
    "http://news.example.com/\x1b[31m",
    "http://news.example.com/\ufffe",
    "//news.example.com/protocol-relative",
    "/relative/story",
    "?only=query",
    "#fragment",
    "",
    "   ",
    "http://user:pass@news.example.com/story",
    "https://bücher.example/story",
    "http://%zz.example.com/",
    "http://news.example.com/%zz",
    "http://xn--.example.com/",
    "https://news.example.com/a b c",
)
# Dates the parsers must drop (or read) without raising.
BAD_DATES = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-06-01T00:00:00Z",
    "10000-01-01",
    "0000-01-01",
    "0000-00-00T00:00:00Z",
    "2025-13-45T99:00:00",
    "2025-10-28T10:00:00+25:00",
    "+275760-09-13T00:00:00Z",
    "-0001-01-01",
    "1e999",
    "NaN",
    "Infinity",
    "9" * 5000,
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "Fri, 31 Dec 9999 23:59:59 -1400",
    "Mon, 45 Foo 2025 99:99:99 GMT",
    "yesterday",
    "2025-10-28T10:00:00\x00",
    "",
)
# JSON number literals Python reads as inf/nan or huge ints (json.loads takes NaN and Infinity too).
NUMBER_LITERALS = ("1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1e308", "-1", "0", "9" * 30)
CONTROL_CHARS = ("\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufeff", "\ufffe", "\uffff", "\u2028")
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff", "\udc80")


@dataclass(slots=True)
class FuzzInput:
    payload: str | bytes
    mutations: list[str] = field(default_factory=list)
    # Discovery only: URLs that must be returned (set only while the document stays well-formed).
    expect_urls: list[str] | None = None
    max_size: int = 0


def good_url(rng: random.Random, index: int) -> str:
    day = rng.randint(1, 28)
    return f"{BASE}/2025/10/{day:02d}/story-{index}-{rng.randrange(10**6)}/"


def good_date(rng: random.Random, *, rfc822: bool = False) -> str:
    day, hour = rng.randint(1, 28), rng.randint(0, 23)
    if rfc822:
        return f"Tue, {day:02d} Oct 2025 {hour:02d}:00:00 +0200"
    return f"2025-10-{day:02d}T{hour:02d}:00:00+02:00"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def _into_body(rng: random.Random, html: str, piece: str) -> str:
    """`piece` inserted after <body> (or at a random place when there is none)."""
    at = html.lower().find("<body")
    if at < 0:
        return _insert(rng, html, piece)
    end = html.find(">", at)
    at = end + 1 if end >= 0 else len(html)
    return html[:at] + piece + html[at:]


def _into_head(html: str, piece: str) -> str:
    at = html.lower().find("</head>")
    return html[:at] + piece + html[at:] if at >= 0 else piece + html


# -- extraction -----------------------------------------------------------------------------------


def _truncate(rng: random.Random, html: str) -> str:
    return html[: rng.randrange(len(html) + 1)]


def _deep_nesting(rng: random.Random, html: str) -> str:
    depth = rng.choice((10_000, 30_000, 100_000))
    tag = rng.choice(("div", "span", "b", "p", "li", "table", "font", "a", "section"))
    closed = rng.random() < 0.5
    piece = f"<{tag}>" * depth + "deep text " + (f"</{tag}>" * depth if closed else "")
    return _into_body(rng, html, piece)


def _huge_attribute(rng: random.Random, html: str) -> str:
    size = rng.choice((10**5, 10**6, 3 * 10**6))
    unit = rng.choice(("a", " ", "x y ", "&amp;", "é", "\\u00e9", "/"))
    value = (unit * (size // len(unit) + 1))[:size]
    where = rng.choice(("div-class", "style", "meta-description", "og-title", "img-src", "a-href", "title-text", "text"))
    if where == "meta-description":
        return _into_head(html, f'<meta name="description" content="{value}">')
    if where == "og-title":
        return _into_head(html, f'<meta property="og:title" content="{value}">')
    if where == "title-text":
        return _into_head(html, f"<title>{value}</title>")
    if where == "text":
        return _into_body(rng, html, f"<p>{value}</p>")
    attr = {"div-class": "div class", "style": "div style", "img-src": "img src", "a-href": "a href"}[where]
    tag = attr.split()[0]
    return _into_body(rng, html, f'<{attr}="{value}">x</{tag}>')


def _control_characters(rng: random.Random, html: str) -> str:
    for _ in range(rng.randint(1, 40)):
        html = _insert(rng, html, rng.choice(CONTROL_CHARS))
    chars = "".join(rng.choice(CONTROL_CHARS) for _ in range(rng.randint(1, 5)))
    # In metadata, where the text reaches XPath and attribute values.
    return _into_head(html, f'<meta name="description" content="Summary {chars} text"><title>Title {chars}</title>')


def _json_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice(BAD_DATES)
    if kind == 1:
        return rng.choice((None, True, False, 0, -1, 1e308, 2**70))
    if kind == 2:
        return "x" * rng.choice((0, 1, 1000, 100_000))
    if kind == 3:
        return rng.choice(("NewsArticle", "Article", "Person", "WebPage", ["NewsArticle", 3], {"@id": "x"}))
    if kind == 4:
        return f"{BASE}/{'a' * rng.randint(0, 50)}"
    if kind == 5:
        long_token = "a" * rng.choice((3000, 20_000, 100_000))
        return "Jane Doe " + rng.choice(("", "<jane@example.com>", long_token + "@example.com", long_token, "@" * 2000))
    if kind == 6:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(("@type", "name", "@value", "url", "@id")): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _json_ld(rng: random.Random, html: str) -> str:
    fields = ("datePublished", "dateModified", "dateCreated", "uploadDate", "headline", "name", "author",
              "publisher", "image", "articleBody", "description", "keywords", "inLanguage", "@type", "@graph",
              "mainEntityOfPage", "url", "isAccessibleForFree", "articleSection")  # fmt: skip
    data: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle"}
    for key in rng.sample(fields, rng.randint(1, 8)):
        data[key] = _json_value(rng)
    if rng.random() < 0.6:
        data["datePublished"] = rng.choice(BAD_DATES)
    shape = rng.randrange(6)
    if shape <= 1:  # number literals where dates are expected: Python reads them as inf, nan or huge ints
        for key in ("datePublished", "dateModified"):
            data[key] = f"@@{rng.choice(NUMBER_LITERALS)}@@"
    text = json.dumps(data if rng.random() < 0.8 else [data, {"@graph": [data]}])
    if shape <= 1:
        text = text.replace('"@@', "").replace('@@"', "")
    elif shape == 2:
        text = "[" * 50_000 + "]" * 50_000 if rng.random() < 0.5 else '{"a":' * 20_000 + "1" + "}" * 20_000
    elif shape == 3:
        text = text[: rng.randrange(len(text) + 1)]  # truncated JSON
    elif shape == 4:
        text = text.replace(",", ",,", 1) + "// comment </script><script>"
    return _into_head(html, f'<script type="application/ld+json">{text}</script>')


def _lone_surrogates(rng: random.Random, html: str) -> str:
    for _ in range(rng.randint(1, 20)):
        html = _insert(rng, html, rng.choice(SURROGATES))
    return _into_head(html, f"<title>Title {rng.choice(SURROGATES)} here</title>")


def _chunk_noise(rng: random.Random, html: str) -> str:
    for _ in range(rng.randint(1, 10)):
        if not html:
            break
        a = rng.randrange(len(html))
        b = min(len(html), a + rng.randint(1, 2000))
        op = rng.randrange(3)
        if op == 0:
            html = html[:a] + html[b:]
        elif op == 1:
            html = html[:b] + html[a:b] * rng.randint(1, 20) + html[b:]
        else:
            html = html[:a] + html[a:b].replace("<", ">").replace('"', "'") + html[b:]
    return html


HTML_MUTATIONS = {
    "truncate": _truncate,
    "deep_nesting": _deep_nesting,
    "huge_attribute": _huge_attribute,
    "control_characters": _control_characters,
    "json_ld": _json_ld,
    "lone_surrogates": _lone_surrogates,
    "chunk_noise": _chunk_noise,
}
CHARSET_LABELS = ("utf-8", "windows-1252", "utf-16", "utf-7", "x-bogus-charset", "iso-2022-jp", "shift_jis", "koi8-r", "")


def _broken_charset(rng: random.Random, html: str) -> tuple[bytes, str]:
    declared = rng.choice(CHARSET_LABELS)
    actual = rng.choice(("utf-8", "cp1252", "utf-16", "utf-16-le", "shift_jis", "latin-1"))
    html = _into_head(html, f'<meta charset="{declared}">')
    data = html.encode(actual, errors="replace") if "16" not in actual else html.encode(actual, errors="surrogatepass")
    if rng.random() < 0.5:
        junk = rng.choice((b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xef\xbb\xbf", b"\x80" * 50))
        at = rng.randrange(len(data) + 1)
        data = data[:at] + junk + data[at:]
    return data, f"charset:{declared or 'none'}/{actual}"


def extraction_input(rng: random.Random, page: str) -> FuzzInput:
    """One mutated page: 1-3 mutations, then str or bytes (possibly in a wrong or broken charset)."""
    names = rng.sample(sorted(HTML_MUTATIONS), rng.randint(1, 3))
    html = page
    for name in names:
        html = HTML_MUTATIONS[name](rng, html)
    if "lone_surrogates" in names or rng.random() < 0.4:
        return FuzzInput(html, [*names, "str"])
    if rng.random() < 0.5:
        data, label = _broken_charset(rng, html)
        return FuzzInput(data, [*names, label])
    return FuzzInput(html.encode("utf-8", errors="surrogatepass"), [*names, "utf-8"])


# -- discovery documents ----------------------------------------------------------------------------

_ENTITY_BOMB = "<!ENTITY l0 'lol'>" + "".join(f"<!ENTITY l{i} '{f'&l{i - 1};' * 10}'>" for i in range(1, 10))


def _bad_value(rng: random.Random) -> tuple[str, str, bool]:
    """(link, date, well_formed) for one bad entry; well_formed is False when the raw text breaks XML."""
    link = rng.choice(BAD_URLS) if rng.random() < 0.7 else good_url(rng, rng.randrange(10**6))
    date = rng.choice(BAD_DATES) if rng.random() < 0.6 else ""
    raw = link + date
    well_formed = not any(c in raw for c in "\x00\x01\x08\x0b\x0c\x1b\x7f\ufffe\uffff")
    return link, date, well_formed


def _entries(rng: random.Random) -> tuple[list[tuple[str, str, str, bool]], list[str], bool]:
    """Entries as (link, date, title, good); the good URLs; whether the text is all well-formed XML."""
    entries = []
    expect: list[str] = []
    well_formed = True
    for i in range(rng.randint(0, 30)):
        if rng.random() < 0.5:
            url = good_url(rng, i)
            entries.append((url, good_date(rng, rfc822=rng.random() < 0.5), f"Story {i}", True))
            expect.append(url)
        else:
            link, date, ok = _bad_value(rng)
            title = rng.choice(("", f"Bad {i}", "x" * 20_000, "Title \x00 with NUL", "<b>html</b> &amp; more"))
            well_formed = well_formed and ok and "\x00" not in title
            entries.append((link, date, title, False))
    return entries, expect, well_formed


def _document_fault(rng: random.Random, text: str, fuzz: FuzzInput) -> str | bytes:
    """Maybe break the whole document; clears `expect_urls` when entries may be lost."""
    fault = rng.choice(("none", "none", "none", "truncate", "noise", "entity_bomb", "xxe", "deep_nesting",
                        "gzip", "gzip_truncated", "gzip_bomb", "wrong_encoding", "bom", "nul_bytes"))  # fmt: skip
    fuzz.mutations.append(fault)
    if fault == "none":
        return text
    if fault in ("gzip", "gzip_truncated", "gzip_bomb"):
        data = text.encode("utf-8")
        if fault == "gzip_bomb":
            data = data.replace(b"?>", b"?>" + b" " * 20_000_000, 1)
            fuzz.max_size = 1_000_000
        packed = gzip.compress(data, compresslevel=6)
        if fault == "gzip_truncated":
            packed = packed[: rng.randrange(len(packed) + 1)]
        if fault != "gzip":
            fuzz.expect_urls = None
        return packed
    fuzz.expect_urls = None
    if fault == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    if fault == "noise":
        return _chunk_noise(rng, text)
    if fault == "entity_bomb":
        return text.replace("?>", f"?><!DOCTYPE x [{_ENTITY_BOMB}]>", 1).replace("</title>", "&l9;</title>", 1)
    if fault == "xxe":
        doctype = "<!DOCTYPE x [<!ENTITY f SYSTEM 'file:///etc/passwd'><!ENTITY n SYSTEM 'http://127.0.0.1:9/x'>]>"
        return text.replace("?>", f"?>{doctype}", 1).replace("</title>", "&f;&n;</title>", 1)
    if fault == "deep_nesting":
        depth = rng.choice((10_000, 100_000))
        at = text.rfind("</")
        return text[:at] + "<x>" * depth + "</x>" * depth * rng.randint(0, 1) + text[at:]
    if fault == "wrong_encoding":
        return text.replace("utf-8", rng.choice(("utf-16", "x-bogus", "ebcdic-cp-us", "utf-7")), 1).encode("utf-8")
    if fault == "bom":
        return rng.choice((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf")) + text.encode("utf-8")
    return _insert(rng, text, "\x00" * rng.randint(1, 5))


def feed_input(rng: random.Random) -> FuzzInput:
    """An RSS 2.0, RSS 1.0 or Atom feed mixing good and bad entries, maybe broken as a whole."""
    flavour = rng.choice(("rss2", "rss1", "atom"))
    entries, expect, well_formed = _entries(rng)
    items = []
    for link, date, title, _good in entries:
        t, u, d = _xml_text(title), _xml_text(link), _xml_text(date)
        if flavour == "atom":
            date_el = f"<published>{d}</published><updated>{d}</updated>" if date else ""
            items.append(f"<entry><title>{t}</title><id>urn:uuid:{rng.randrange(10**9)}</id><link href=\"{u}\"/>{date_el}</entry>")
        elif flavour == "rss1":
            date_el = f"<dc:date>{d}</dc:date>" if date else ""
            items.append(f'<item rdf:about="{u}"><title>{t}</title><link>{u}</link>{date_el}</item>')
        else:
            date_el = f"<pubDate>{d}</pubDate>" if date else ""
            guid = f"<guid isPermaLink=\"true\">{u}</guid>" if rng.random() < 0.2 else ""
            items.append(f"<item><title>{t}</title><link>{u}</link>{guid}{date_el}</item>")
    head = "<?xml version='1.0' encoding='utf-8'?>"
    if flavour == "atom":
        text = f"{head}<feed xmlns='http://www.w3.org/2005/Atom'><title>Feed</title><id>urn:feed</id>{''.join(items)}</feed>"
    elif flavour == "rss1":
        text = (f"{head}<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' xmlns='http://purl.org/rss/1.0/' "
                f"xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><title>Feed</title></channel>{''.join(items)}</rdf:RDF>")  # fmt: skip
    else:
        text = f"{head}<rss version='2.0'><channel><title>Feed</title>{''.join(items)}</channel></rss>"
    fuzz = FuzzInput("", [flavour], expect if well_formed else None)
    fuzz.payload = _document_fault(rng, text, fuzz)
    return fuzz


def sitemap_input(rng: random.Random) -> FuzzInput:
    """A urlset (maybe Google News) or sitemap index mixing good and bad entries, maybe broken as a whole."""
    kind = rng.choice(("urlset", "news", "sitemapindex"))
    entries, expect, well_formed = _entries(rng)
    parts = []
    for link, date, title, _good in entries:
        u, d = _xml_text(link), _xml_text(date)
        if kind == "sitemapindex":
            parts.append(f"<sitemap><loc>{u}</loc>{f'<lastmod>{d}</lastmod>' if date else ''}</sitemap>")
        elif kind == "news":
            parts.append(f"<url><loc>{u}</loc><news:news><news:title>{_xml_text(title)}</news:title>"
                         f"<news:publication_date>{d}</news:publication_date></news:news></url>")  # fmt: skip
        else:
            parts.append(f"<url><loc>{u}</loc>{f'<lastmod>{d}</lastmod>' if date else ''}</url>")
    root = "sitemapindex" if kind == "sitemapindex" else "urlset"
    text = (
        f"<?xml version='1.0' encoding='utf-8'?><{root} xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><title>t</title>{''.join(parts)}</{root}>"
    )
    fuzz = FuzzInput("", [kind], expect if well_formed else None)
    fuzz.payload = _document_fault(rng, text, fuzz)
    return fuzz
