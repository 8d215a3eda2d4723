"""Which network addresses a crawl may connect to: everything public, plus the networks it names.

A crawl runs against sites it does not control, and a page can point anywhere: at the
crawler's own machine (127.0.0.1), the office network (10/8, 172.16/12, 192.168/16), a cloud
metadata service (169.254.169.254) or a neighbour behind carrier-grade NAT (100.64/10). So an
address is refused unless it is globally routable unicast (`ipaddress`'s `is_global`, minus
multicast, which Python counts as global), or it lies in a network the crawl allows
(NEWSPIPE_ALLOW_NETWORKS, read by the callers). IPv6 forms that carry an IPv4 address
(mapped `::ffff:10.0.0.1`, compatible `::10.0.0.1`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
judged by the IPv4 address they reach.

`ipv4_literal` reads the spellings of an IPv4 address that URL parsers and resolvers accept
besides the dotted quad (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`), so a host written
that way is recognised as the address it is. Pure functions: no I/O, no settings.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from CIDR strings (`10.0.0.0/8`, `127.0.0.1`, `fd00::/8`); ValueError names a bad one."""
    networks = []
    for cidr in cidrs:
        text = str(cidr).strip()
        try:
            # strict=False: `10.1.2.3/8` means 10.0.0.0/8, as most firewall tools read it.
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"invalid network {text!r}: expected an address or CIDR such as 10.0.0.0/8 or fd00::/8") from None
    return tuple(networks)


def ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host spelled with numbers stands for (WHATWG URL rules), else None.

    Up to four dot-separated parts, each decimal, `0x` hex or `0`-prefixed octal; the last part
    fills the remaining bytes. A host with any other part is a name (None).
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing dot: "127.0.0.1."
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        number = _ipv4_part(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_part(part: str) -> int | None:
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def host_address(host: str) -> IPAddress | None:
    """The address a URL's host names literally (IPv6 with or without brackets, any IPv4 spelling), else None."""
    text = host.strip().strip("[]")
    if "%" in text:
        text = text.split("%", 1)[0]  # an IPv6 zone id: fe80::1%eth0
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return ipv4_literal(text) if text else None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches (mapped, compatible, NAT64, 6to4), else None."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Refuses every address that is not public, except in the `allowed` networks."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> AddressPolicy:
        return cls(parse_networks(cidrs))

    def is_allowed(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allowed)

    def refuses(self, address: IPAddress | str) -> bool:
        if isinstance(address, str):
            address = ipaddress.ip_address(address)
        if self.is_allowed(address):
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return self.refuses(inner)
        return not address.is_global or address.is_multicast
