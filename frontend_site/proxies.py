"""The public site's own proxies (FRONTEND_TRUSTED_PROXIES: a load balancer, CloudFront's
origin-facing addresses, nginx) and the visitor behind them. Only those proxies may tell us a
visitor's address (X-Forwarded-For) or a request id (X-Request-ID)."""

from functools import lru_cache

from django.conf import settings

from common.networks import Network, client_address, parse_address, parse_networks, within


@lru_cache(maxsize=4)
def _proxies(configured: tuple[str, ...]) -> list[Network]:
    return parse_networks(list(configured), "FRONTEND_TRUSTED_PROXIES")


def proxies() -> list[Network]:
    return _proxies(tuple(settings.FRONTEND_TRUSTED_PROXIES))


def from_trusted_proxy(request) -> bool:
    """Whether the TCP peer is one of our proxies (REQUEST_ID_TRUSTED_FROM)."""
    return within(parse_address(request.META.get("REMOTE_ADDR", "")), proxies())


def visitor_address(request) -> str:
    """The visitor's address: the peer, or the nearest hop behind our proxies ("?" if none
    can be read, which then counts as one visitor)."""
    address = client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), proxies()
    )
    return str(address) if address is not None else "?"
