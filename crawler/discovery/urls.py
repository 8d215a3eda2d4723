"""Discovered-URL hygiene: tracking parameters off, one request per canonical URL.

`strip_tracking(url)` drops the fragment and the query parameters that only
track a visit (utm_*, fbclid, gclid, ...), keeping everything else exactly as
written: this is the URL the spiders request. `dedup_key(url)` is the key
discovered URLs are deduplicated by within a run: the project-wide
`pipelines.extraction.urls.canonicalize_url` when it is importable, else
`strip_tracking`. Reads no settings.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["dedup_key", "strip_tracking"]

# The minimal list, used for the request URL; canonicalize_url knows many more for dedup.
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "yclid"})
_TRACKING_PREFIXES = ("utm_",)


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """`url` without its fragment and tracking parameters; other parameters keep their order and spelling."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if parts.query:
        # Split by hand rather than parse_qsl/urlencode so kept parameters stay byte-identical.
        kept = [pair for pair in parts.query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0])]
        query = "&".join(kept)
    else:
        query = ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def dedup_key(url: str) -> str:
    """The canonical form two discovered URLs must share to be fetched once."""
    try:
        from pipelines.extraction.urls import canonicalize_url
    except ImportError:  # the extraction package is optional for crawling
        return strip_tracking(url)
    return canonicalize_url(url)
