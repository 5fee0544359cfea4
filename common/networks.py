"""Addresses and networks: who a request comes from, believing X-Forwarded-For only from
our own proxies (BACKEND_TRUSTED_PROXIES, FRONTEND_TRUSTED_PROXIES)."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(items: list[str], variable: str) -> list[Network]:
    """Parse CIDRs (or single addresses), failing with the variable's name on a bad one."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable} must be a comma-separated list of networks such as 10.0.0.0/8, "
                f"not {item!r}."
            ) from None
    return networks


def parse_address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def within(address: Address | None, networks: list[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(remote_addr: str, forwarded: str, proxies: list[Network]) -> Address | None:
    """The TCP peer, or the nearest untrusted hop of X-Forwarded-For behind our ``proxies``;
    None for an unreadable one (refused or counted apart, never guessed)."""
    address = parse_address(remote_addr)
    if not forwarded or not within(address, proxies):
        return address
    for hop in reversed(forwarded.split(",")):
        address = parse_address(hop)
        if not within(address, proxies):
            return address
    return address
