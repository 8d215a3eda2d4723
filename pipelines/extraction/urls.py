"""URL canonicalisation: one key per article URL, and never one key for two articles.

`canonicalize_url` builds on w3lib's `canonicalize_url` (what Scrapy deduplicates requests
by) for the path and adds what an article key needs. It only merges spellings that reach the
same page, and keeps apart anything that could select another one:

- scheme and host lowercased, internationalised hosts in punycode (`domains.canonical_host`),
  the host's trailing dot and default ports (80/443) dropped;
- path: percent-escapes in upper case, unreserved characters (`A-Z a-z 0-9 - . _ ~`) decoded,
  other non-ASCII characters encoded once as UTF-8 (an escape already there is never encoded
  again, and escapes of other encodings, like Latin-1 `%E9`, are kept as they are), `.` and `..`
  segments resolved, runs of slashes made one (except right after a `:`, where a path embeds a
  URL); case, trailing slash and `index.html` kept;
- query: escapes normalised as in the path but never decoded beyond the unreserved characters
  (so `%e9` and `%e8` stay two keys, `&`/`=`/`;`/`+` inside a value stay what they were),
  tracking parameters removed (`tracking.is_tracking`: `utm_*`, `fbclid`, `gclid`, ...), names
  escaped twice by bad sitemaps (`&amp;b=1`) read as `b`, empty pairs dropped, then the
  parameters ordered by name with a stable sort: the values of a repeated name keep their
  order (`?id=1&id=2` is not `?id=2&id=1` to a server that takes the last); an empty query
  (`?` alone) dropped;
- fragment dropped, except a hashbang (`#!/story/1`), which selected content on AJAX sites;
- AMP variants mapped to the article: `/amp` or `/amp/` at the end of the path (-> `/`, as
  WordPress' AMP endpoint of `/slug/`), `/amp/` in front of a path, `.amp` and `.amp.html`
  file names, `?amp`, `?amp=1`, `?amp=true`, `?output=amp`, `?outputType=amp`, and an `amp.`
  host when the host without it is on the same registrable domain. A path that is only
  `/amp`, and `amp` as the slug under a listing segment (`/tag/amp`, `/topic/amp`), stay.

Strings that are not absolute http(s) URLs are returned stripped but otherwise unchanged.
Results are cached per URL (the function runs for every discovered link). Reads no settings.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

from .domains import canonical_host, registrable_domain, same_site
from .tracking import is_tracking, parameter_name

__all__ = ["canonicalize_url", "registrable_domain", "same_site"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as written in a query or fragment; everything else is percent-encoded (UTF-8).
_QUERY_SAFE = "!$%&()*+,/:;=?@"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SLASHES = re.compile(r"(?<!:)//+")
# A path w3lib would return as it is (no escapes, no dot segments, nothing to encode): the common case, skipped.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-_~!$&'()*+,=:@/.]*")
# AMP switches in the query (normalised name, lowercased value).
_AMP_QUERY = frozenset({("amp", ""), ("amp", "1"), ("amp", "true"), ("output", "amp"), ("outputtype", "amp")})
_AMP_SUFFIX = re.compile(r"(?<=[^/])/amp/?$", re.IGNORECASE)
_AMP_PREFIX = re.compile(r"^/amp(?=/[^/])", re.IGNORECASE)
_AMP_FILE = re.compile(r"(?<=[^/])\.amp(?=\.html?$|$)", re.IGNORECASE)
# Listing segments under which "amp" is a slug (a tag, a topic), not the AMP switch.
_LISTING = re.compile(
    r"/(?:tags?|topics?|themen?|thema|category|categories|section|sections|author|authors|search|keyword|keywords|"
    r"schlagwort|stichwort|rubrique|etiqueta|argomento|tema|autor)/amp/?$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of `url`: the key an article is stored and deduplicated by."""
    return _canonical(url.strip())


@lru_cache(maxsize=16384)
def _canonical(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        return url
    netloc = _netloc(scheme, hostname, port, parts.username, parts.password)
    path = _SLASHES.sub("/", parts.path)
    if not (_PLAIN_PATH.fullmatch(path) and "/." not in path):
        try:
            # w3lib for the path (safe encoding, escape case, unreserved decoded, dot segments),
            # under a placeholder host it leaves as it is: the host is settled above.
            path = w3lib_canonicalize_url(f"{scheme}://h{path}")[len(scheme) + 4 :]
        except (ValueError, UnicodeError):
            return url
    path = _amp_path(path or "/")
    query = _query(parts.query)
    fragment = f"#{_escapes(parts.fragment)}" if parts.fragment.startswith("!") else ""
    return f"{scheme}://{netloc}{path}{'?' if query else ''}{query}{fragment}"


def _netloc(scheme: str, hostname: str, port: int | None, username: str | None, password: str | None) -> str:
    if ":" in hostname:  # IPv6 literal, in its one short form
        try:
            host = f"[{ipaddress.IPv6Address(hostname.split('%')[0])}]"
        except ValueError:
            host = f"[{hostname.lower()}]"
    else:
        host = canonical_host(hostname)
        if host.startswith("amp.") and registrable_domain(host) == registrable_domain(host[4:]):
            host = host[4:]
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if username:
        netloc = f"{username}{':' + password if password else ''}@{netloc}"
    return netloc


def _amp_path(path: str) -> str:
    if "amp" not in path.lower():
        return path
    while _AMP_PREFIX.match(path):
        path = _AMP_PREFIX.sub("", path, count=1)
    while _AMP_SUFFIX.search(path) and not _LISTING.search(path):
        path = _AMP_SUFFIX.sub("/", path, count=1)
    return _AMP_FILE.sub("", path)


def _escape(match: re.Match[str]) -> str:
    byte = int(match.group(1), 16)
    return chr(byte) if byte in _UNRESERVED else f"%{match.group(1).upper()}"


def _escapes(text: str) -> str:
    """`text` with unsafe characters encoded (UTF-8) and escapes normalised, never decoded further."""
    if not text.isascii() or not text.isprintable() or any(c in text for c in " \"#'<>[\\]^`{|}"):
        text = quote(text, safe=_QUERY_SAFE, errors="surrogatepass")
    return _ESCAPE.sub(_escape, text) if "%" in text else text


def _query(query: str) -> str:
    if not query:
        return ""
    pairs: list[tuple[str, str]] = []
    for pair in _escapes(query).split("&"):
        if not pair:
            continue
        raw_name, _, value = pair.partition("=")
        if is_tracking(raw_name):
            continue
        name = parameter_name(raw_name)
        if (name, value.lower()) in _AMP_QUERY:
            continue
        pairs.append((name, _unescape_amp(pair)))
    pairs.sort(key=lambda item: item[0])  # stable: a repeated name keeps its values' order
    return "&".join(pair for _, pair in pairs)


def _unescape_amp(pair: str) -> str:
    """A pair without the `amp;` left of an `&amp;` a sitemap or feed wrote for `&`."""
    while pair[:4].lower() == "amp;":
        pair = pair[4:]
    return pair
