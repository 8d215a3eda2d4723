"""The gate every feed, sitemap and robots.txt entry passes: is its link a URL a request can be made for?

`entry_url(link, base_url)` resolves the link against the document's URL and
returns it, or raises `EntryError` with the reason the parsers report
(`BadEntry`) and the spider counts (`newspipe/discovery/bad_entry/<reason>`).
Reads no settings.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin, urlsplit

from crawler.discovery.entries import EntryError

__all__ = ["MAX_URL_LENGTH", "entry_url"]

# Scrapy's URLLENGTH_LIMIT default (and the old de-facto browser limit): longer entry URLs are skipped.
MAX_URL_LENGTH = 2083
# Control characters (NUL included) and DEL: no fetchable URL contains them raw.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters a host name cannot contain (after urlsplit took userinfo and port off).
_BAD_HOST_CHARS = re.compile(r"[\s<>\"{}|\\^`%\[\]/?#@]")


def entry_url(link: object, base_url: str = "", *, max_length: int = MAX_URL_LENGTH) -> str:
    """`link` (from a feed or sitemap entry) resolved against `base_url` as a fetchable URL.

    Raises `EntryError` with reason `no_url` (missing or blank), `wrong_type` (not a
    string), `url_too_long`, or `invalid_url` (unparseable, not http(s), no or a
    malformed host, bad port, control characters, lone surrogates).
    """
    if link is None:
        raise EntryError("no_url", "entry has no link")
    if not isinstance(link, str):
        raise EntryError("wrong_type", f"link is a {type(link).__name__}, not a string")
    link = link.strip()
    if not link:
        raise EntryError("no_url", "entry has an empty link")
    if len(link) > max_length:
        raise EntryError("url_too_long", f"link of {len(link)} characters (limit {max_length})")
    if _CONTROL.search(link):
        raise EntryError("invalid_url", f"control character in {link[:200]!r}")
    try:
        link.encode("utf-8")
        url = urljoin(base_url, link)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except (ValueError, UnicodeError) as exc:
        raise EntryError("invalid_url", f"{link[:200]!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise EntryError("invalid_url", f"{url[:200]!r} is not an absolute http(s) URL")
    if len(url) > max_length:
        raise EntryError("url_too_long", f"URL of {len(url)} characters (limit {max_length})")
    problem = _host_problem(parts.hostname or "", bracketed="[" in parts.netloc)
    if problem:
        raise EntryError("invalid_url", f"{url[:200]!r}: {problem}")
    return url


def _host_problem(host: str, *, bracketed: bool) -> str | None:
    """Why `host` (as urlsplit gives it: lower-case, no brackets) cannot be fetched, or None."""
    if not host:
        return "no host"
    if bracketed:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "not an IPv6 address"
        return None
    if _BAD_HOST_CHARS.search(host):
        return "invalid character in the host"
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or any(not label or len(label) > 63 for label in labels):
        return "empty or overlong host label"
    return None
