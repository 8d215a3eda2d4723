"""DNS resolver that refuses private addresses at connection time (TWISTED_DNS_RESOLVER).

Every connection Scrapy's HTTP client opens asks the reactor's resolver for the host's address
(IP literals too), so this is where a name that resolves to a loopback, private or link-local
address is stopped: checking the name when the request is made is not enough, because a
hostile DNS server can answer differently a moment later (DNS rebinding). `AddressGuardResolver`
is Scrapy's `CachingThreadedResolver` (same cache, same DNS_TIMEOUT) whose every answer, cached
or fresh, goes through `crawler.addresses.AddressPolicy`; a refused answer becomes a failed
lookup, so no connection is attempted. The refused name is noted in `refused_names`, where
`crawler.netguard.PrivateNetworkMiddleware` finds it to count and log the refusal (the lookup
error Twisted raises does not say why). The resolver belongs to the process (the reactor has
one), like Scrapy's own `dnscache`, hence the module-level note.

Reads NEWSPIPE_ALLOW_NETWORKS, DNSCACHE_ENABLED, DNSCACHE_SIZE and DNS_TIMEOUT.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.datatypes import LocalCache
from twisted.internet.error import DNSLookupError

from crawler.addresses import AddressPolicy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred
    from typing_extensions import Self

    from scrapy.crawler import Crawler

# Host name -> the address it was refused for, most recent names kept.
refused_names: LocalCache[str, str] = LocalCache(10000)


class AddressGuardResolver(CachingThreadedResolver):
    def __init__(self, reactor: ReactorBase, cache_size: int, timeout: float, policy: AddressPolicy | None = None) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy or AddressPolicy()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        # `crawler` is the CrawlerProcess here (see CrawlerProcess._setup_reactor): settings only.
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        policy = AddressPolicy.from_cidrs(settings.getlist("NEWSPIPE_ALLOW_NETWORKS"))
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), policy)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 (Twisted's API)
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        if self.policy.refuses(ipaddress.ip_address(address)):
            refused_names[name] = address
            raise DNSLookupError(f"{name} resolves to {address}, a private address: refused (NEWSPIPE_ALLOW_NETWORKS)")
        refused_names.pop(name, None)
        return address
