"""The address policy: which addresses a crawl refuses, how hosts spell them, what the allow list opens. No traffic."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.addresses import AddressPolicy, host_address, parse_networks

REFUSED = [
    # loopback, unspecified
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "::1", "::",
    # private
    "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.0.1", "192.168.255.255",
    # link-local, cloud metadata
    "169.254.0.1", "169.254.169.254", "fe80::1", "febf:ffff::1",
    # carrier-grade NAT
    "100.64.0.1", "100.127.255.254",
    # multicast (counted "global" by Python)
    "224.0.0.1", "239.255.255.250", "233.252.0.1", "ff02::1", "ff0e::1",
    # reserved, broadcast, documentation, benchmarking
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "203.0.113.5", "2001:db8::1",
    # IPv6 unique local
    "fc00::1", "fd12:3456::1",
    # IPv4 inside IPv6: mapped, compatible, NAT64, 6to4, Teredo
    "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::10.0.0.1", "::127.0.0.1",
    "64:ff9b::a00:1", "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::", "2001::1",
]  # fmt: skip

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1",
          "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED)
def test_refused_by_default(address: str) -> None:
    assert AddressPolicy().refuses(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert not AddressPolicy().refuses(address)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f000001", "127.0.0.1"),  # hex
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # short forms
        ("10.1", "10.0.0.1"),
        ("192.168.1", "192.168.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # trailing dot
        ("0", "0.0.0.0"),
        ("2852039166", "169.254.169.254"),
        ("[::1]", "::1"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("[fe80::1%25eth0]", "fe80::1"),
    ],
)
def test_host_spellings_are_read_as_the_address_they_reach(host: str, address: str) -> None:
    parsed = host_address(host)
    assert parsed == ipaddress.ip_address(address)
    assert AddressPolicy().refuses(parsed)


@pytest.mark.parametrize("host", ["example.com", "localhost", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "0x7g.1", "1.2.3.4x", ""])
def test_names_and_impossible_numbers_are_not_addresses(host: str) -> None:
    assert host_address(host) is None


def test_allow_list_opens_only_the_named_networks() -> None:
    policy = AddressPolicy.from_cidrs(["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"])
    assert not policy.refuses("127.0.0.1")
    assert policy.refuses("127.0.0.2")
    assert not policy.refuses("10.20.30.40")
    assert policy.refuses("192.168.0.1")
    assert not policy.refuses("fd12::1")
    assert policy.refuses("fc00::1")
    # An allowed IPv4 network also opens its IPv6-mapped form, and only that one.
    assert not policy.refuses("::ffff:127.0.0.1")
    assert policy.refuses("::ffff:127.0.0.2")
    assert not policy.refuses("8.8.8.8")


def test_allowing_a_mapped_network_directly() -> None:
    assert not AddressPolicy.from_cidrs(["::ffff:0:0/96"]).refuses("::ffff:10.0.0.1")


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "10.0.0", "localhost", "fe80::/129", "10.0.0.0/8,", ""])
def test_invalid_networks_are_named(cidr: str) -> None:
    with pytest.raises(ValueError, match="invalid network"):
        parse_networks([cidr])


def test_networks_with_host_bits_and_bare_addresses() -> None:
    assert parse_networks(["10.1.2.3/8", " 127.0.0.1 ", "::1"]) == (
        ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"),
    )  # fmt: skip
