"""Redis URLs: a worker's Redis must ask for a password unless it is on this machine.

Anyone who can write to a job's Redis decides what every worker fetches, so a URL without a
password is refused for a host that is not loopback (127.0.0.0/8, ::1, `localhost`; unix
sockets are local too), unless allowed (`--allow-insecure-redis`, NEWSPIPE_REDIS_ALLOW_INSECURE).
Decided from the URL alone, before any connection is made (no DNS lookup either: a name other
than `localhost` counts as remote). Passwords go in the URL, `redis://user:password@host:6379/0`
or `rediss://...` for TLS (or as `?password=`), and are never shown: see `redacted`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = ("redis", "rediss", "unix")


class InsecureRedisUrl(ValueError):
    """A Redis URL without a password for a host that is not loopback."""


def check_redis_url(url: str, *, allow_insecure: bool = False) -> None:
    """Raise InsecureRedisUrl for a remote Redis without a password (unless allowed), ValueError for
    a URL that is not a Redis URL. Connects to nothing."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"bad Redis URL {redacted(url)!r}: use redis://, rediss:// (TLS) or unix://")
    if scheme == "unix" or allow_insecure:
        return
    password = parts.password or (parse_qs(parts.query).get("password") or [""])[0]
    host = unquote(parts.hostname or "")
    if password or is_loopback(host):
        return
    raise InsecureRedisUrl(
        f"Redis URL {redacted(url)} has no password and {host} is not a loopback address: "
        f"use redis://user:password@{host}/... (rediss:// for TLS), or pass --allow-insecure-redis"
    )


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z), `localhost`, or no host (redis-py's default, localhost)."""
    if not host or host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def redacted(url: str) -> str:
    """The URL with its password (in the user part or `?password=`) replaced by `***`."""
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if parts.password:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    if "password=" in query:
        query = "&".join("password=***" if q.startswith("password=") else q for q in query.split("&"))
    return parts._replace(netloc=netloc, query=query).geturl()
