"""API errors: one exception type, one JSON shape, and no 500 page ever reaching a caller."""

import logging

import redis
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError
from django.http import JsonResponse

logger = logging.getLogger("backend_site.errors")


class ApiError(Exception):
    """An answer for the caller: HTTP status, a stable code and a readable message."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class NotFound(ApiError):
    def __init__(self, message: str, *, code: str = "not_found"):
        super().__init__(404, code, message)


class PlayerNotFound(NotFound):
    """A player absent from a board's reads: no score there, or hidden by a moderator (the
    two look the same to a caller)."""

    def __init__(self, message: str):
        super().__init__(message, code="player_not_found")


class PlayerBanned(ApiError):
    """A banned player's submission (sanctions.py); ``index``: the batch item's, if any."""

    def __init__(self, player_id: str, *, index: int | None = None):
        where = "" if index is None else f"scores[{index}]: "
        super().__init__(403, "player_banned", f"{where}player {player_id!r} is banned.")
        self.player_id = player_id
        self.index = index


class InvalidInput(ApiError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(400, "invalid", message)
        self.field = field


class LengthRequired(ApiError):
    """A body sent in chunks (no Content-Length): Django reads it as empty, so say why."""

    def __init__(self):
        super().__init__(
            411,
            "length_required",
            "Send the body with a Content-Length header; chunked request bodies are not read.",
        )


class Unavailable(ApiError):
    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(503, "unavailable", message, headers={"Retry-After": str(retry_after)})


class RateLimited(ApiError):
    """Over a rate limit (backend_site/limits.py): 429 with Retry-After and RateLimit-*."""

    def __init__(self, message: str, *, headers: dict):
        super().__init__(429, "rate_limited", message, headers=headers)


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def api_error_response(exc: ApiError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


# Redis is unreachable: redis-py's cluster client raises RedisClusterException, which is not a
# RedisError, when it cannot reach any node to learn the cluster's layout.
REDIS_ERRORS = (redis.RedisError, redis.exceptions.RedisClusterException)

# A dependency that fails makes a 503 the caller may retry: (exception, name in the log,
# error code, what the message calls it).
_DEPENDENCIES = (
    (REDIS_ERRORS, "Redis", "redis_unavailable", "The ranking store"),
    (DatabaseError, "Database", "database_unavailable", "The database"),
)


class ApiErrorMiddleware:
    """Turn what a view raises into a JSON answer: 4xx for the caller's mistakes,
    503 while Redis or the database is unreachable, and a JSON 500 (logged) for our bugs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not request.path.startswith(("/getdata", "/api/")):
            return None  # the admin keeps Django's own error handling
        if isinstance(exc, ApiError):
            return api_error_response(exc)
        if isinstance(exc, RequestDataTooBig):
            return error_response(413, "too_large", "The request body is too large.")
        if isinstance(exc, (SuspiciousOperation, BadRequest)):
            return error_response(400, "bad_request", "The request could not be understood.")
        for kind, name, code, what in _DEPENDENCIES:
            if isinstance(exc, kind):
                logger.warning("%s unavailable for %s: %s", name, request.path, exc)
                return error_response(
                    503,
                    code,
                    f"{what} is unavailable; try again shortly.",
                    {"Retry-After": "1"},
                )
        logger.exception("Unexpected error on %s", request.path)
        return error_response(500, "internal", "Something went wrong on our side.")
