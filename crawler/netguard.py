"""Downloader middleware: no request to a private network address, counted and logged once per host.

Two checks, both before any connection to the refused address:

- `process_request` looks at the URL's host. A host written as an address (`127.0.0.1`,
  `[::1]`, `2130706433`, `0x7f.1`) is judged here, as it need not pass a resolver. Every
  request passes here: seeds, links, each redirect hop (Scrapy's redirect middleware schedules
  a new request) and the robots.txt requests of the robots middleware.
- `process_exception` recognises the failed lookups of `crawler.resolver.AddressGuardResolver`,
  which judges the address a host name resolves to when the connection is made.

A refusal raises `IgnoreRequest` (not retried, nothing logged by Scrapy), adds one to
`newspipe/fetch/refused_private`, and logs a WARNING the first time per host. Placed after
RetryMiddleware (550), so a refused lookup is not retried, and before DownloaderStats (850),
so a refused request is not counted as sent.

Reads NEWSPIPE_ALLOW_NETWORKS (CIDR strings; loopback and private networks named there are
fetched like public ones).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from crawler.addresses import AddressPolicy, host_address
from crawler.resolver import AddressGuardResolver, refused_names

try:
    from scrapy.exceptions import CannotResolveHostError
except ImportError:  # older Scrapy passes Twisted's DNSLookupError on
    CannotResolveHostError = DNSLookupError  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REFUSED_STAT = "newspipe/fetch/refused_private"


class PrivateNetworkMiddleware:
    def __init__(self, policy: AddressPolicy, stats: StatsCollector) -> None:
        self.policy = policy
        self.stats = stats
        self._logged_hosts: set[str] = set()
        self._resolver_checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(AddressPolicy.from_cidrs(crawler.settings.getlist("NEWSPIPE_ALLOW_NETWORKS")), crawler.stats)

    def process_request(self, request: Request) -> None:
        if not self._resolver_checked:
            self._resolver_checked = True
            _warn_unless_guarded()
        host = urlparse_cached(request).hostname or ""
        address = host_address(host)
        if address is not None and self.policy.refuses(address):
            self._refuse(request, host, str(address))

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            # The connection goes to the proxy when there is one: its address is what was judged.
            proxy = request.meta.get("proxy")
            for host in (urlparse_cached(request).hostname or "", urlsplit(proxy).hostname or "" if proxy else ""):
                address = refused_names.get(host)
                if address is not None:
                    self._refuse(request, host, address)

    def _refuse(self, request: Request, host: str, address: str) -> NoReturn:
        self.stats.inc_value(REFUSED_STAT)
        if host not in self._logged_hosts:
            self._logged_hosts.add(host)
            logger.warning(
                "refused %(url)s: host %(host)s is at %(address)s, a private network address; further requests to this "
                "host are refused silently (allow its network with --allow-network or NEWSPIPE_ALLOW_NETWORKS)",
                {"url": request.url, "host": host, "address": address},
            )
        raise IgnoreRequest(f"{host} is {address}, a private network address")


def _warn_unless_guarded() -> None:
    """Host names are only checked at connection time by our resolver: say so when another one is installed."""
    from twisted.internet import reactor

    if not isinstance(getattr(reactor, "resolver", None), AddressGuardResolver):
        logger.warning(
            "TWISTED_DNS_RESOLVER is not crawler.resolver.AddressGuardResolver: host names that resolve to "
            "private addresses are not refused, only hosts written as addresses"
        )
