"""The components' answers (every error, by name, all of the one ``Error`` schema) and the
response headers they and the successes carry."""

from __future__ import annotations

from backend_site.rankings.api.openapi.parts import (
    RATE_LIMIT_HEADERS,
    RATE_LIMITED,
    error,
    json_content,
    ref,
)

_RATE_LIMIT_FIELDS = {
    "RateLimit-Limit": (
        "The quota: the key's requests a second (its burst is as many), or the board's "
        "submissions a minute per player.",
        1,
    ),
    "RateLimit-Remaining": ("Requests (or submissions) left in the quota.", 0),
    "RateLimit-Reset": ("Seconds until the quota is full again.", 0),
}
assert tuple(_RATE_LIMIT_FIELDS) == RATE_LIMIT_HEADERS


def _rate_limit_field(name: str, *, required: bool) -> dict:
    description, low = _RATE_LIMIT_FIELDS[name]
    if not required:
        description += (
            " Present when the key has a rate (and on a score submission's success on a board "
            "with a per-player limit): the limit with the fewest requests left."
        )
    return {
        "description": description,
        "required": required,
        "schema": {"type": "integer", "minimum": low},
    }


HEADERS = {
    "X-Request-ID": {
        "description": "The caller's X-Request-ID when well formed, else a new one.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,64}$"},
    },
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^\d+$"},
    },
    "WWW-Authenticate": {
        "description": 'The scheme to authenticate with: `Bearer realm="leaderboard-backend"`.',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    },
    # The IETF RateLimit header fields: optional on every answer past the access check, and
    # (a $ref cannot change a header's `required`) required ones for a 429.
    **{name: _rate_limit_field(name, required=False) for name in RATE_LIMIT_HEADERS},
    **{f"{name}-Required": _rate_limit_field(name, required=True) for name in RATE_LIMIT_HEADERS},
    "Allow": {
        "description": "The methods the path serves, comma-separated.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "Where what was made is: /api/v1/leaderboards/{slug} for a new board.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/api/v1/"},
    },
    "Idempotent-Replayed": {
        "description": "Present, `true`, on an answer replayed for a retried Idempotency-Key.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Content-Disposition": {
        "description": (
            '`attachment; filename="<slug>-<period id>.csv"`, `<slug>-all-time.csv` on a board '
            "that never resets."
        ),
        "required": True,
        "schema": {"type": "string", "pattern": r'^attachment; filename="[-A-Za-z0-9_]+\.csv"$'},
    },
}

FORBIDDEN = (
    "The caller is outside BACKEND_ALLOWED_NETWORKS (`forbidden`), or its key lacks the scope "
    "this operation needs (`insufficient_scope`; the message names the scope)"
)
# Refused by the server before the backend sees the request (common/refusals.py): no
# legitimate request comes near its limits (the longest URL is about 150 bytes).
BEFORE_THE_BACKEND = " Answered by the server before the backend: no X-Request-ID."


def _refused_before_the_backend(description: str, code: str) -> dict:
    return {
        "description": f"{description}{BEFORE_THE_BACKEND}\n\nError codes: `{code}`.",
        "x-error-codes": [code],
        "content": json_content(ref("schemas", "Error")),
    }


RESPONSES = {
    "Invalid": error(
        "The request is malformed: a parameter or body field is wrong (the message names it).",
        "invalid",
        "bad_request",
    ),
    "Unauthorized": error(
        "No valid bearer secret: missing, or an unknown, revoked or expired key or token.",
        "unauthorized",
        rate_limit=False,
        headers={"WWW-Authenticate": ref("headers", "WWW-Authenticate")},
    ),
    "Forbidden": error(f"{FORBIDDEN}.", "forbidden", "insufficient_scope", rate_limit=False),
    "SubmissionForbidden": error(
        f"{FORBIDDEN}, or a moderator has banned the player (`player_banned`: nothing is "
        "applied; a batch is refused whole, the message starting with `scores[<i>]:` for the "
        "first item of a banned player).",
        "forbidden",
        "insufficient_scope",
        "player_banned",
    ),
    "NotFound": error("No such leaderboard (or player on it), or no such path.", "not_found"),
    "PlayerNotFound": error(
        "No such leaderboard or period (`not_found`), or the player has no score on the board "
        "or is hidden by a moderator (`player_not_found`: the two look the same to a caller).",
        "not_found",
        "player_not_found",
    ),
    "PlayerUnknown": error("No such player, or no such path.", "not_found"),
    "SanctionNotFound": error(
        "No such player, or no sanction of theirs with this id, or no such path.", "not_found"
    ),
    "MethodNotAllowed": error(
        "Any method an operation does not list (HEAD is served wherever GET is).",
        "method_not_allowed",
        headers={"Allow": ref("headers", "Allow")},
    ),
    "LengthRequired": error(
        "The body came in chunks, without a Content-Length header; send its length.",
        "length_required",
    ),
    "TooLarge": error("The body is over 1 MiB.", "too_large"),
    "UriTooLong": _refused_before_the_backend(
        "The request line is over 4094 bytes.", "uri_too_long"
    ),
    "Unprocessable": error(
        "The Idempotency-Key was used with a different request (`idempotency_key_reused`), or "
        "a score is out of its board's bounds (`score_out_of_bounds`: nothing is applied, a "
        "batch is refused whole naming the item, and each refused score is kept for review).",
        "idempotency_key_reused",
        "score_out_of_bounds",
    ),
    "RateLimited": error(
        "Over a rate limit, nothing done: the key's requests a second, or on a score "
        "submission the board's submissions a minute for that player (a batch with any item "
        "over its player's limit is refused whole, the message naming the item's index). "
        "Retry after `Retry-After` seconds.",
        "rate_limited",
        rate_limit=False,  # required here, not optional
        headers=RATE_LIMITED,
    ),
    "HeadersTooLarge": _refused_before_the_backend(
        "A header field is over 8190 bytes, or there are over 100 of them.", "headers_too_large"
    ),
    "Unavailable": error(
        "Redis or the database is unreachable (an API key new to the server cannot be checked "
        "then either), or the board is being rebuilt, or the server is overloaded "
        "(`overloaded`); retry.",
        "unavailable",
        "redis_unavailable",
        "database_unavailable",
        "overloaded",
        headers={"Retry-After": ref("headers", "Retry-After")},
    ),
}
