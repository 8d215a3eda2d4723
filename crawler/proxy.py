"""Downloader middleware: the requests for some hosts go through an HTTP proxy (NEWSPIPE_PROXIES).

NEWSPIPE_PROXIES maps a host name to a proxy URL (`http://[user:password@]host:port`); an
entry covers the host and its subdomains. A sources file's `proxy` field adds an entry for
each host of that source (see crawler.spiders.options). A request for a mapped host gets
`meta["proxy"]`, which Scrapy's HttpProxyMiddleware (750) turns into the proxy connection
(and a Proxy-Authorization header for credentials in the URL), so this one runs just before
it. Every request passes here: seeds, links, each redirect hop and the robots.txt requests.
A redirect from a mapped host to an unmapped one loses the proxy this middleware gave it; a
`meta["proxy"]` set by anyone else (None: no proxy) is left alone.

A proxied request connects to the proxy, and the proxy's address is what the resolver
judges (the private-network guard, NEWSPIPE_ALLOW_NETWORKS); the request's own host name
is never looked up here. `newspipe demo` serves its fictional `*.example` publishers this way.

Reads NEWSPIPE_PROXIES (empty: NotConfigured). Stats: newspipe/fetch/proxied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

ROUTED_META = "newspipe_proxy"  # set with meta["proxy"]: this middleware chose it, and may take it back
PROXIED_STAT = "newspipe/fetch/proxied"


class ProxyRoutingMiddleware:
    def __init__(self, proxies: Mapping[str, str], stats: StatsCollector) -> None:
        self.proxies = {host.lower().rstrip("."): url for host, url in proxies.items()}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        proxies = crawler.settings.getdict("NEWSPIPE_PROXIES")
        if not proxies:
            raise NotConfigured  # off unless a source has a proxy: no message, so no warning on every crawl
        assert crawler.stats is not None
        return cls(proxies, crawler.stats)

    def proxy_for(self, host: str) -> str | None:
        """The proxy for `host` or its nearest parent domain, or None."""
        labels = host.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            proxy = self.proxies.get(".".join(labels[start:]))
            if proxy is not None:
                return proxy
        return None

    def process_request(self, request: Request) -> None:
        ours = ROUTED_META in request.meta  # (HttpProxyMiddleware strips credentials from meta["proxy"])
        if "proxy" in request.meta and not ours:
            return  # chosen elsewhere
        proxy = self.proxy_for(urlparse_cached(request).hostname or "")
        if proxy is None:
            if ours:
                request.meta.pop("proxy", None)
                del request.meta[ROUTED_META]
            return
        request.meta["proxy"] = request.meta[ROUTED_META] = proxy
        self.stats.inc_value(PROXIED_STAT)
