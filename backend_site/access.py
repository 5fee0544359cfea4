"""Who may reach the private backend: a network allowlist and a service token.

App Runner's private endpoint already keeps the internet out, but the application does not
rely on that alone: it checks the TCP peer against BACKEND_ALLOWED_NETWORKS (like a security
group) and requires `Authorization: Bearer <BACKEND_SERVICE_TOKEN>` on every path but the
health checks and the admin (which has Django's own login). X-Forwarded-For is believed only
from peers in BACKEND_TRUSTED_PROXIES: App Runner documents that on a private endpoint the
header holds made-up values.
"""

import hashlib
import hmac
import logging
from functools import lru_cache

from django.conf import settings

from backend_site import limits
from backend_site.api_keys import keys
from backend_site.api_keys.models import SCOPES
from backend_site.rankings import acting
from backend_site.rankings.errors import RateLimited, api_error_response, error_response
from common.env import require_in_production
from common.networks import Address, client_address, parse_networks, within

logger = logging.getLogger("backend_site.access")

# Open to anyone who reaches the port: App Runner's health checker comes from its own network.
OPEN_PATHS = frozenset({"/healthz"})
# Inside the allowlist these need no token: an operator's readiness probe, and the admin,
# which asks for a Django login instead. Everything else (the API) needs the token, so a
# route added later is protected without anyone remembering to list it.
TOKEN_EXEMPT_PATHS = frozenset({"/readyz"})
TOKEN_EXEMPT_PREFIXES = ("/admin/", "/static/")


def require_production_secrets() -> None:
    """Refuse to start the backend server in production without its secret key. Tokens are
    optional there: without a BACKEND_SERVICE_TOKEN, BACKEND_READ_TOKEN or API key the API
    refuses every call (it is open only with DEBUG on)."""
    require_in_production(settings, {"SECRET_KEY": "DJANGO_SECRET_KEY"})
    if not settings.BACKEND_SERVICE_TOKENS and not settings.BACKEND_READ_TOKENS:
        logger.warning(
            "Neither BACKEND_SERVICE_TOKEN nor BACKEND_READ_TOKEN is set: the API takes API "
            "keys only (manage.py api_keys create)%s.",
            ", and with DEBUG on is open until the first one is made" if settings.DEBUG else "",
        )


def digest(token: str) -> bytes:
    # Comparing fixed-size digests keeps even a token's length out of the timing.
    return hashlib.sha256(token.encode()).digest()


@lru_cache(maxsize=4)
def _token_digests(tokens: tuple[str, ...]) -> list[bytes]:
    return [digest(token) for token in tokens]


# With DEBUG on and neither a BACKEND_SERVICE_TOKEN nor any API key made yet, the API is open
# (a first local run); once a key exists, keys are required there too.
DEVELOPMENT = keys.Caller("development", frozenset(SCOPES))
# The scope each kind of request needs: reads "read" (a lookup too, though a POST); score
# submissions and batches "write"; everything under the moderation paths "moderate",
# whatever its method; making a board (POST /api/v1/leaderboards), changing or deleting one
# (PATCH, DELETE /api/v1/leaderboards/<slug>, not what is under it) "manage".
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MODERATION_PREFIXES = ("/api/v1/reviews", "/api/v1/audit", "/api/v1/players/")
BOARDS_PATH = "/api/v1/leaderboards"
BOARD_METHODS = frozenset({"PATCH", "DELETE"})


def scope_needed(method: str, path: str) -> str:
    """The scope a request needs (the OpenAPI document states the same per operation)."""
    if path.startswith(MODERATION_PREFIXES):
        return "moderate"
    if method in READ_METHODS or _is_lookup(path):
        return "read"
    if method == "POST" and path == BOARDS_PATH:
        return "manage"
    if method in BOARD_METHODS and _board(path):
        return "manage"
    return "write"


def _is_lookup(path: str) -> bool:
    """POST /api/v1/leaderboards/<slug>/players/lookup: a read whose list is in the body."""
    return path.startswith("/api/v1/leaderboards/") and path.endswith("/players/lookup")


def _board(path: str) -> bool:
    """/api/v1/leaderboards/<slug>, with nothing under it."""
    slug = path.removeprefix(BOARDS_PATH + "/")
    return slug != path and slug != "" and "/" not in slug


def caller_of(request) -> keys.Caller | None:
    """Who the request's bearer secret belongs to: an API key's holder, or LEGACY for a
    BACKEND_SERVICE_TOKEN; None without a valid one. KeysUnavailable while the database is
    away and the key is new to this process."""
    if hasattr(request, "api_caller"):
        return request.api_caller
    caller = None
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    given = given.strip()
    if scheme.lower() == "bearer" and given:
        given_digest = digest(given)
        tokens = _token_digests(tuple(settings.BACKEND_SERVICE_TOKENS))
        readers = _token_digests(tuple(settings.BACKEND_READ_TOKENS))
        # Compare against every token, so timing says nothing about which one (if any) matched.
        if any([hmac.compare_digest(given_digest, token) for token in tokens]):
            caller = keys.LEGACY
        elif any([hmac.compare_digest(given_digest, token) for token in readers]):
            caller = keys.READ_TOKEN
        elif given.startswith(keys.PREFIX):
            caller = keys.caller_for(given)
    request.api_caller = caller
    return caller


def has_valid_token(request) -> bool:
    """Whether the caller holds a valid key or service token: only then is its X-Request-ID
    believed (REQUEST_ID_TRUSTED_FROM)."""
    try:
        return caller_of(request) is not None
    except keys.KeysUnavailable:
        return False


@lru_cache(maxsize=4)
def _proxies(configured: tuple[str, ...]):
    return parse_networks(list(configured), "BACKEND_TRUSTED_PROXIES")


def client_ip(request) -> str | None:
    """The caller's address as access control judges it (for the admin login's throttle);
    None when there is none to read (a login made in process, as the tests' force_login)."""
    address = client_address(
        request.META.get("REMOTE_ADDR", ""),
        _forwarded(request),
        _proxies(tuple(settings.BACKEND_TRUSTED_PROXIES)),
    )
    return str(address) if address is not None else None


class AccessControlMiddleware:
    """Refuse requests from outside the allowed networks (403), without a valid key (401),
    without the scope they need (403) or past the key's rate (429)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Parsed at start-up, so a typo stops the server instead of failing each request.
        self.allowed = parse_networks(settings.BACKEND_ALLOWED_NETWORKS, "BACKEND_ALLOWED_NETWORKS")
        self.proxies = parse_networks(settings.BACKEND_TRUSTED_PROXIES, "BACKEND_TRUSTED_PROXIES")
        # A caller sends the same peer address and forwarding chain on every request, and
        # parsing addresses and walking the networks is most of this middleware's cost:
        # remember the verdict for the latest thousand distinct pairs.
        self.verdict = lru_cache(maxsize=1024)(self._verdict)

    def _verdict(self, remote_addr: str, forwarded: str) -> tuple[Address | None, bool]:
        """The client's address and whether it is allowed in."""
        address = self.client_address(remote_addr, forwarded)
        return address, within(address, self.allowed)

    def client_address(self, remote_addr: str, forwarded: str) -> Address | None:
        """The TCP peer, or the nearest untrusted hop of X-Forwarded-For behind our proxies."""
        return client_address(remote_addr, forwarded, self.proxies)

    def caller(self, request) -> keys.Caller | None:
        caller = caller_of(request)
        no_token = not settings.BACKEND_SERVICE_TOKENS and not settings.BACKEND_READ_TOKENS
        if caller is None and no_token and settings.DEBUG and not keys.keys_exist():
            # Only with DEBUG on, before the first key: a first local run.
            caller = request.api_caller = DEVELOPMENT
        return caller

    def needs_token(self, path: str) -> bool:
        return path not in TOKEN_EXEMPT_PATHS and not path.startswith(TOKEN_EXEMPT_PREFIXES)

    def __call__(self, request):
        if request.path in OPEN_PATHS:
            return self.get_response(request)
        address, allowed = self.verdict(request.META.get("REMOTE_ADDR", ""), _forwarded(request))
        if not allowed:
            # The address is logged so an operator can tell a stranger from a missing range.
            logger.warning(
                "refused %s from %s: not in BACKEND_ALLOWED_NETWORKS (peer %s)",
                request.path,
                address or "an unreadable address",
                request.META.get("REMOTE_ADDR", "?"),
            )
            return error_response(403, "forbidden", "This service is private to its network.")
        if not self.needs_token(request.path):
            return self.get_response(request)
        try:
            caller = self.caller(request)
        except keys.KeysUnavailable:
            message = "API keys cannot be checked right now: try again in a second."
            return error_response(503, "unavailable", message, {"Retry-After": "1"})
        if caller is None:
            logger.warning(
                "refused %s from %s: missing or wrong service token", request.path, address
            )
            return error_response(
                401,
                "unauthorized",
                "A valid API key or service token is required (Authorization: Bearer).",
                {"WWW-Authenticate": 'Bearer realm="leaderboard-backend"'},
            )
        scope = scope_needed(request.method, request.path)
        if scope not in caller.scopes:
            logger.warning("refused %s %s to key %s: no %s scope", request.method, request.path,
                           caller.name, scope)  # fmt: skip
            return error_response(
                403,
                "insufficient_scope",
                f"This key lacks the {scope!r} scope that {request.method} {request.path} needs.",
            )
        quota = None
        if caller.rate is not None:
            try:
                quota = limits.key_take(caller.name, caller.rate)
            except RateLimited as exc:
                return api_error_response(exc)
        token = acting.key_name.set(caller.name)  # each history event names the key
        try:
            response = self.get_response(request)
        finally:
            acting.key_name.reset(token)
        limits.headers_add(response, quota)
        return response


def _forwarded(request) -> str:
    # META rather than request.headers, which would build a mapping of every header.
    return request.META.get("HTTP_X_FORWARDED_FOR", "")
