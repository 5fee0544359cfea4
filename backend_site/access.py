"""Who may reach the private backend: a network allowlist and a service token.

App Runner's private endpoint already keeps the internet out, but the application does not
rely on that alone: it checks the TCP peer against BACKEND_ALLOWED_NETWORKS (like a security
group) and requires `Authorization: Bearer <BACKEND_SERVICE_TOKEN>` on every API path.
X-Forwarded-For is believed only from peers in BACKEND_TRUSTED_PROXIES.
"""

import hmac
import ipaddress
import logging
from functools import cached_property

from django.conf import settings
from django.http import JsonResponse

from common.env import require_in_production

logger = logging.getLogger("backend_site.access")

OPEN_PATHS = {"/healthz"}
TOKEN_PREFIXES = ("/getdata", "/api/")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def require_production_secrets() -> None:
    """Refuse to start the backend server in production without its secrets."""
    require_in_production(
        settings,
        {"SECRET_KEY": "DJANGO_SECRET_KEY", "BACKEND_SERVICE_TOKENS": "BACKEND_SERVICE_TOKEN"},
    )
    if not settings.BACKEND_SERVICE_TOKENS:
        logger.warning("BACKEND_SERVICE_TOKEN is not set: the API accepts calls without a token.")


def parse_networks(items: list[str]) -> list[Network]:
    return [ipaddress.ip_network(item, strict=False) for item in items]


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


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class AccessControlMiddleware:
    """Refuse requests from outside the allowed networks (403) or without the token (401)."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def allowed(self) -> list[Network]:
        return parse_networks(settings.BACKEND_ALLOWED_NETWORKS)

    @cached_property
    def proxies(self) -> list[Network]:
        return parse_networks(settings.BACKEND_TRUSTED_PROXIES)

    @cached_property
    def tokens(self) -> list[bytes]:
        return [token.encode() for token in settings.BACKEND_SERVICE_TOKENS]

    def client_address(self, request) -> Address | None:
        """The TCP peer, or the nearest untrusted hop of X-Forwarded-For behind our proxies."""
        address = parse_address(request.META.get("REMOTE_ADDR", ""))
        if not within(address, self.proxies):
            return address
        for hop in reversed(request.headers.get("X-Forwarded-For", "").split(",")):
            address = parse_address(hop)
            if not within(address, self.proxies):
                return address
        return address

    def token_ok(self, request) -> bool:
        if not self.tokens:
            # Only reachable with DEBUG on: wsgi.py refuses to start without tokens otherwise.
            return settings.DEBUG
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            return False
        given_bytes = given.strip().encode()
        # Compare against every token, so timing says nothing about which one (if any) matched.
        matches = [hmac.compare_digest(given_bytes, token) for token in self.tokens]
        return any(matches)

    def __call__(self, request):
        if request.path in OPEN_PATHS:
            return self.get_response(request)
        if not within(self.client_address(request), self.allowed):
            return error(403, "forbidden", "This service is private to its network.")
        if request.path.startswith(TOKEN_PREFIXES) and not self.token_ok(request):
            return error(
                401, "unauthorized", "A valid service token is required (Authorization: Bearer)."
            )
        return self.get_response(request)
