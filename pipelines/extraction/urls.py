"""URL canonicalisation: one stable spelling per article URL.

`canonicalize_url` is deliberately conservative: it only removes what never
changes the page (tracking parameters, fragments, default ports, AMP markers)
and normalises what is case-insensitive by spec (scheme and host). Path case,
trailing slashes and `index.html` are kept as they are. Reads no settings.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonicalize_url", "registrable_domain", "same_site"]

# Query parameters that only track the visit; compared lowercased.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "igsh", "ref", "ref_src", "ref_url", "referrer",
        "cmpid", "cmp", "ocid", "icid", "ncid", "s_cid", "s_kwcid", "smid", "smtyp", "sr_share",
        "spm", "cid_source", "mbid", "wt.mc_id", "wt_mc", "at_medium", "at_campaign",
        "at_custom1", "at_custom2", "at_custom3", "at_custom4", "xtor", "trk", "trkcampaign",
        "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_", "__twitter_impression")
# AMP switches in the query: ?amp, ?amp=1, ?amp=true, ?outputType=amp.
_AMP_QUERY = {("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp")}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"/amp/?$", re.IGNORECASE)
_AMP_HTML = re.compile(r"\.amp\.html?$", re.IGNORECASE)

# Second-level labels under which registrations happen (co.uk, com.au, ...).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go", "gob", "nic"})


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of `url`.

    - scheme and host lowercased, default ports (80/443) and the fragment dropped;
    - tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``ref``, ...) removed,
      the remaining query parameters sorted (blank values kept);
    - AMP variants mapped to the regular page: a trailing ``/amp`` or ``/amp/`` path
      segment, ``?amp=1`` / ``?amp=true`` / ``?outputType=amp``, ``.amp.html`` ->
      ``.html`` and an ``amp.`` host prefix;
    - the path is kept as is (case, trailing slash, ``index.html``), except that an
      empty path becomes ``/``.

    Strings that are not absolute http(s) URLs are returned stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"

    path = parts.path or "/"
    if _AMP_HTML.search(path):
        path = _AMP_HTML.sub(".html", path)
    elif _AMP_PATH.search(path):
        path = _AMP_PATH.sub("/", path)

    query_items = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key) and (key.lower(), value.lower()) not in _AMP_QUERY
    ]
    query = urlencode(sorted(query_items), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def registrable_domain(url_or_host: str) -> str:
    """The site part of a host ("www.ft.com" -> "ft.com", "news.bbc.co.uk" -> "bbc.co.uk").

    A small heuristic rather than the public suffix list: good enough to tell
    whether two URLs belong to the same publisher.
    """
    host = url_or_host
    if "//" in url_or_host:
        try:
            host = urlsplit(url_or_host).hostname or ""
        except ValueError:
            return ""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and (labels[-2] in _SECOND_LEVEL or len(labels[-2]) <= 2) and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url_a: str, url_b: str) -> bool:
    """Whether two absolute URLs belong to the same registrable domain (and port: another port
    on the same host is another server)."""
    return registrable_domain(url_a) == registrable_domain(url_b) and _port(url_a) == _port(url_b)


def _port(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
