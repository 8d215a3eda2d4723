"""Hosts and sites: one spelling per host, and the registrable domain from the public-suffix list.

`canonical_host` gives a host in the one form URLs are keyed by: lowercase ASCII, without a
trailing dot, internationalised names in punycode by UTS 46 without transitional mapping (as
browsers do: `faß.de` is `xn--fa-hia.de`, another domain than `fass.de`).

`registrable_domain` is the part of a host a publisher registers ("www.vg.no" -> "vg.no",
"news.bbc.co.uk" -> "bbc.co.uk", "alice.blogspot.com" stays whole), from the public-suffix list
bundled with `tldextract` (private suffixes included: two blogs on one hosting service are two
sites). It never fetches the list: no network, no cache directory. An IP address is its own
site; a host under a suffix the list does not know ("demo.test") falls back to its last two
labels. `same_site` is the one test of "the same publisher" everywhere (canonical links,
syndication, AMP hosts, bylines). Look-ups are cached per host. Reads no settings.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

__all__ = ["canonical_host", "registrable_domain", "same_site"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1)
def _suffixes() -> tldextract.TLDExtract:
    # The bundled snapshot only: no suffix-list URLs, no cache directory (nothing fetched or written).
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True, include_psl_private_domains=True)


@lru_cache(maxsize=16384)
def canonical_host(host: str) -> str:
    """`host` (no port, no brackets) lowercased, without trailing dots, in punycode if it is not ASCII."""
    host = host.rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        pass  # not valid IDNA 2008 (symbols, emoji): the older mapping browsers also fall back to
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=16384)
def _host_domain(host: str) -> str:
    host = canonical_host(host)
    if not host or _is_ip(host):
        return host
    found = _suffixes()(host)
    if found.suffix and found.domain:
        return f"{found.domain}.{found.suffix}"
    if found.suffix:  # the host is itself a public suffix ("co.uk", "s3.amazonaws.com")
        return host
    return ".".join(host.split(".")[-2:])  # a suffix the list does not know ("localhost", "demo.test")


def _hostname(url_or_host: str) -> str:
    if "//" not in url_or_host:
        return url_or_host.split(":")[0] if url_or_host.count(":") == 1 else url_or_host
    try:
        return urlsplit(url_or_host.strip()).hostname or ""
    except ValueError:
        return ""


def registrable_domain(url_or_host: str) -> str:
    """The site part of a URL's or a host's name, by the public-suffix list ("" when there is no host)."""
    return _host_domain(_hostname(url_or_host))


def same_site(url_a: str, url_b: str) -> bool:
    """Whether two absolute URLs belong to the same registrable domain (and port: another port
    on the same host is another server)."""
    domain = registrable_domain(url_a)
    return bool(domain) and domain == registrable_domain(url_b) and _port(url_a) == _port(url_b)


def _port(url: str) -> int | None:
    try:
        parts = urlsplit(url.strip())
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
