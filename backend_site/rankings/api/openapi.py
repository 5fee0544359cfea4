"""The API's OpenAPI 3.1 document, served at GET /api/v1/openapi.json (to a `read` key).

Written as Python rather than kept as a JSON file so that every bound in it (page sizes,
the score range, the player id pattern, the batch size, name length) is the very constant
``inputs.py`` checks: the two cannot drift. The rest is kept true by tests:
``tests/backend/api/test_openapi.py`` compares the paths, their parameters and methods with the
URL configuration and validates the document against the OpenAPI 3.1 schema, and
``tests/backend/api/test_api_fuzz.py`` fuzzes a served backend with schemathesis and checks
every answer against it.

The health probes (/healthz, /readyz) are not in it: they are answered by middleware before
the URL configuration, take no token and serve load balancers, not the API's callers.

Each operation names the scope it needs (``security``: the bearer scheme with the scope as
its role name, which OpenAPI 3.1 allows for any scheme) and documents what
``backend_site/access.py`` answers before any view runs: 401 (no valid key), 403 (outside
the networks, or without the scope), 429 (over the key's rate, ``backend_site/limits.py``)
and 503 (keys not checkable while the database is away).
"""

from __future__ import annotations

import copy
import functools

import orjson

from backend_site.api_keys.keys import PREFIX as KEY_PREFIX
from backend_site.audit import inputs as audit_inputs
from backend_site.rankings.api import inputs
from backend_site.rankings.models import MAX_SCORE, PLAYER_ID_PATTERN, Leaderboard
from backend_site.rankings.reads import history
from backend_site.rankings.writes import reviews, sanctions
from common import patterns

TITLE = "Leaderboard ranking API (private backend)"
VERSION = "1"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


# Every answer carries the request id (the caller's X-Request-ID when well formed, else a
# new one), so it is documented, and checked, on every response.
_REQUEST_ID = {"X-Request-ID": _ref("headers", "X-Request-ID")}


# The IETF RateLimit header fields: required on a 429; optional on every other answer the
# backend makes past the access check (present when the key has a rate, and on a score
# submission's success on a board with a per-player limit).
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_RATE_LIMITED = {name: _ref("headers", name) for name in ("Retry-After", *RATE_LIMIT_HEADERS)}


def _rate_limit_optional() -> dict:
    """The RateLimit fields as optional headers: a $ref cannot change a header's `required`,
    so these are copies of the components' headers."""
    return {
        name: {
            **HEADERS[name],
            "required": False,
            "description": (
                HEADERS[name]["description"] + " Present when the key has a rate (and on a "
                "score submission's success on a board with a per-player limit): the limit "
                "with the fewest requests left."
            ),
        }
        for name in RATE_LIMIT_HEADERS
    }


def _answer(description: str, schema: dict, *, rate_limit: bool = True, **headers: dict) -> dict:
    """A JSON answer with the request id, and the optional RateLimit fields unless the access
    check (which comes before the rate is counted) is what answers."""
    return {
        "description": description,
        "headers": {
            **_REQUEST_ID,
            **(_rate_limit_optional() if rate_limit else {}),
            **headers,
        },
        "content": _json(schema),
    }


def _error_schema(*codes: str) -> dict:
    """The one error shape, {"error": {"code", "message"}}, with the codes this status uses."""
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": list(codes)},
                    "message": {"type": "string"},
                },
            }
        },
    }


def _error(description: str, *codes: str, rate_limit: bool = True, **headers: dict) -> dict:
    return _answer(description, _error_schema(*codes), rate_limit=rate_limit, **headers)


def _integer(low: int, high: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def _query_integer(name: str, description: str, *, default: int, low: int, high: int) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{description} Empty or absent means {default}.",
        # The empty value is the default too: a form's blank field must not be an error.
        "schema": {"anyOf": [_integer(low, high), {"const": ""}], "default": default},
    }


_PLAYER_ID = {
    "type": "string",
    "pattern": PLAYER_ID_PATTERN,
    "description": "1–64 letters, digits, '_', '.', ':' or '-'.",
}
_SLUG = {"type": "string", "pattern": patterns.SLUG}
_SCORE = {**_integer(-MAX_SCORE, MAX_SCORE), "description": "An integer within ±(2^53 − 1)."}
# Control characters, and the invisible formatting ones most used to pass for another name
# (the server refuses every Unicode format character but the joiner and tags of emoji).
_UNSEEN = r"\x00-\x1f\x7f-\x9f\xad\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff"
_NAME = {
    "type": ["string", "null"],
    "minLength": 1,
    "maxLength": inputs.NAME_MAX,
    # At least one visible character, none unseen (the server also trims spaces).
    "pattern": rf"^[^{_UNSEEN}]*[^\s{_UNSEEN}][^{_UNSEEN}]*$",
    "description": (
        f"The player's display name, 1–{inputs.NAME_MAX} characters after trimming, no control "
        "characters and no invisible formatting ones (direction overrides, zero-width spaces; "
        "the joiner and tags of emoji sequences are allowed); required for a player the "
        "backend has not seen (a 400 otherwise), and renames the player when it differs."
    ),
}
_RANK = _integer(1)
_RANK_OR_NULL = {"type": ["integer", "null"], "minimum": 1}


_RANK_CHANGE = {
    "type": ["integer", "null"],
    "description": (
        "Places gained since the board's last daily snapshot (00:00 in its zone): negative "
        "means fallen, null means new on the board since then."
    ),
}
_PERIOD_ID = {"type": "string", "pattern": patterns.PERIOD_ID}
_DATETIME = {"type": "string", "format": "date-time"}
_DATETIME_OR_NULL = {"anyOf": [_DATETIME, {"type": "null"}]}
# A sanction id in a path: inputs.sanction_id_clean takes 1 to 18 digits, no leading zero
# (tests/backend/api/test_openapi.py checks the two agree).
SANCTION_ID_MAX = 10**18 - 1
# A sanction's reason: no control character but tab and newline (inputs.sanction_parse also
# refuses lone surrogates, which a pattern cannot say).
_REASON = {
    "type": "string",
    "maxLength": inputs.SANCTION_REASON_MAX,
    "pattern": r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$",
}
_SANCTION_ACTION = {
    "type": "string",
    "enum": list(inputs.SANCTION_ACTIONS),
    "description": (
        "`hide`: off every read (boards, counts, periods, the player's standing and history), "
        "their submissions still taken and answered with `rank` null; `ban`: hidden, and their "
        "submissions refused with 403 `player_banned`."
    ),
}
_HIDDEN_RANK = (
    "null while Redis is away (status 202), and for a player a moderator has hidden (status "
    "200: the score is stored, and ranked nowhere until the sanction ends)."
)


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
    }


SCHEMAS = {
    "Entry": _object(
        {
            "rank": _RANK,
            "player_id": _PLAYER_ID,
            "name": {"type": "string"},
            "score": _SCORE,
            "rank_change": _RANK_CHANGE,
        }
    ),
    "Period": {
        **_object({"id": _PERIOD_ID, "start": _DATETIME, "end": _DATETIME}),
        "description": (
            "A period of a board that resets, in its zone: `2026-11-25` (daily), `2026-W48` "
            "(weekly, from Monday 00:00) or `2026-11` (monthly); it ends where the next starts."
        ),
    },
    "PeriodOrNull": {
        "anyOf": [_ref("schemas", "Period"), {"type": "null"}],
        "description": "The period read; null on a board that never resets.",
    },
    "Leaderboard": _object(
        {
            "slug": _SLUG,
            "title": {"type": "string"},
            "order": {"type": "string", "enum": list(Leaderboard.Order.values)},
            "operator": {"type": "string", "enum": list(Leaderboard.Operator.values)},
            "players": {**_integer(0), "description": "Players in the current period."},
            "reset": {"type": "string", "enum": list(Leaderboard.Reset.values)},
            "timezone": {"type": "string", "description": "IANA name."},
            "source": {
                "type": ["string", "null"],
                "description": "The board whose every accepted score is also applied here.",
            },
            "min_score": {
                **_SCORE,
                "type": ["integer", "null"],
                "description": "The lowest score accepted (increment boards: total). null: none.",
            },
            "max_score": {
                **_SCORE,
                "type": ["integer", "null"],
                "description": "The highest score accepted (increment boards: total). null: none.",
            },
            "max_increment": {
                **_integer(1, MAX_SCORE),
                "type": ["integer", "null"],
                "description": "Increment boards: the largest single addition. null: none.",
            },
            "max_submissions_per_minute": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": (
                    "Per player: the submissions to this board (single or batch items) taken "
                    "in any 60 seconds; more are a 429. null: unlimited."
                ),
            },
            "period": _ref("schemas", "PeriodOrNull"),
        }
    ),
    "Also": {
        "type": "array",
        "description": "The same score on each board this board feeds (their `source`).",
        "items": _object(
            {
                "leaderboard": _SLUG,
                "score": _SCORE,
                "rank": _RANK_OR_NULL,
                "updated": {"type": "boolean"},
            }
        ),
    },
    "Submission": _object(
        {"player_id": _PLAYER_ID, "score": _SCORE, "name": _NAME}, optional=("name",)
    ),
    "SubmissionResult": _object(
        {
            "player_id": _PLAYER_ID,
            "score": {**_SCORE, "description": "The entry's score after this submission."},
            "rank": {**_RANK_OR_NULL, "description": _HIDDEN_RANK},
            "previous_rank": {
                **_RANK_OR_NULL,
                "description": "The rank just before; null for a new entry (or a 202).",
            },
            "updated": {"type": "boolean", "description": "Whether the stored score changed."},
            "also": _ref("schemas", "Also"),
        }
    ),
    "BatchItem": _object(
        {
            "leaderboard": {**_SLUG, "maxLength": 50},
            "player_id": _PLAYER_ID,
            "score": _SCORE,
            "name": _NAME,
        },
        optional=("name",),
    ),
    "Batch": _object(
        {
            "scores": {
                "type": "array",
                "minItems": 1,
                "maxItems": inputs.BATCH_MAX,
                "items": _ref("schemas", "BatchItem"),
            }
        }
    ),
    "AuditEntry": {
        **_object(
            {
                "at": _DATETIME,
                "actor": {
                    "type": "string",
                    "description": (
                        "Who: an API key's name, `admin:<username>` or `command:<name>`."
                    ),
                },
                "action": {
                    "type": "string",
                    "description": (
                        "What, as `<noun>.<verb>`: `key.create`, `key.revoke`, `admin.add`, "
                        "`admin.change`, `admin.delete`, `audit.prune`, and more to come."
                    ),
                },
                "target": {
                    "type": "string",
                    "description": (
                        "To what: `key:<name>`, or `<app>.<model>:<id>` for an admin change "
                        "(`rankings.leaderboard:3`)."
                    ),
                },
                "detail": {"type": "object", "description": "The action's particulars."},
            }
        ),
        "description": "One recorded change.",
    },
    "BatchResult": _object(
        {
            "results": {
                "type": "array",
                "items": _object(
                    {
                        "leaderboard": _SLUG,
                        "player_id": _PLAYER_ID,
                        "score": {**_SCORE, "description": "The score after this item."},
                        "rank": {
                            **_RANK_OR_NULL,
                            "description": "The rank after the whole batch; " + _HIDDEN_RANK,
                        },
                        "updated": {"type": "boolean"},
                        "also": _ref("schemas", "Also"),
                    }
                ),
            }
        }
    ),
    "Sanction": {
        **_object(
            {
                "id": {
                    **_integer(1, SANCTION_ID_MAX),
                    "description": (
                        "Lift it with DELETE `/api/v1/players/{player_id}/sanctions/{id}`."
                    ),
                },
                "player_id": _PLAYER_ID,
                "action": _SANCTION_ACTION,
                "reason": {"type": "string", "description": "Empty when none was given."},
                "until": {
                    **_DATETIME_OR_NULL,
                    "description": "When it ends on its own; null: when lifted.",
                },
                "created_at": _DATETIME,
                "created_by": {
                    "type": "string",
                    "description": "Who: an API key's name, or `admin:<username>`.",
                },
                "ended_at": {
                    **_DATETIME_OR_NULL,
                    "description": "When it was lifted or its `until` passed; null while in force.",
                },
                "ended_by": {
                    "type": ["string", "null"],
                    "description": (
                        "Who lifted it (an API key's name, or `admin:<username>`), or `expiry` "
                        "when its `until` passed; null while in force."
                    ),
                },
            }
        ),
        "description": (
            "A moderator's hide or ban of a player, in force from `created_at` until it is "
            "lifted or its `until` passes (it then ends at the first request after that time)."
        ),
    },
    "SanctionRequest": _object(
        {
            "action": _SANCTION_ACTION,
            "reason": {
                **_REASON,
                "description": (
                    f"Why, for the audit log and other moderators: up to "
                    f"{inputs.SANCTION_REASON_MAX} characters, no control characters but tab "
                    "and newline, no lone surrogates. Absent: empty."
                ),
            },
            "until": {
                **_DATETIME_OR_NULL,
                "description": (
                    "When it ends on its own: an ISO 8601 time with its offset, in the future "
                    "(one in the past, or one with no UTC date such as "
                    "`0001-01-01T00:00:00+14:00`, is a 400). null or absent: until lifted."
                ),
            },
        },
        optional=("reason", "until"),
    ),
}

PARAMETERS = {
    "slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The leaderboard's slug (`global` always exists).",
        "schema": _SLUG,
    },
    "player_id": {"name": "player_id", "in": "path", "required": True, "schema": _PLAYER_ID},
    "period": {
        "name": "period",
        "in": "query",
        "required": False,
        "description": (
            "`current` (the default), `previous`, or a period id. A board that never resets "
            "has only `current`; a period the board never had is a 404."
        ),
        "schema": {"type": "string", "pattern": patterns.PERIOD, "default": "current"},
    },
    "sanction_id": {
        "name": "sanction_id",
        "in": "path",
        "required": True,
        "description": "The sanction's `id`.",
        "schema": _integer(1, SANCTION_ID_MAX),
    },
    "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            "1–255 printable ASCII characters (HTTP drops spaces at either end). The same key "
            "with the same path and body within 24 hours answers the first answer again, "
            "with `Idempotent-Replayed: true`, and applies nothing; the same key with another "
            "request is a 422 `idempotency_key_reused`."
        ),
        "schema": {"type": "string", "pattern": r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"},
    },
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
    "RateLimit-Limit": {
        "description": (
            "The quota: the key's requests a second (its burst is as many), or the board's "
            "submissions a minute per player."
        ),
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "Requests (or submissions) left in the quota.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the quota is full again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Allow": {"required": True, "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "Present, `true`, on an answer replayed for a retried Idempotency-Key.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
}

RESPONSES = {
    "Invalid": _error(
        "The request is malformed: a parameter or body field is wrong (the message names it).",
        "invalid",
        "bad_request",
    ),
    "Unauthorized": _error(
        "No valid bearer secret: missing, or an unknown, revoked or expired key or token.",
        "unauthorized",
        rate_limit=False,
        **{"WWW-Authenticate": _ref("headers", "WWW-Authenticate")},
    ),
    "Forbidden": _error(
        "The caller is outside BACKEND_ALLOWED_NETWORKS (`forbidden`), or its key lacks the "
        "scope this operation needs (`insufficient_scope`; the message names the scope).",
        "forbidden",
        "insufficient_scope",
        rate_limit=False,
    ),
    "RateLimited": _error(
        "Over a rate limit, nothing done: the key's requests a second, or on a score "
        "submission the board's submissions a minute for that player (a batch with any item "
        "over its player's limit is refused whole, the message naming the item's index). "
        "Retry after `Retry-After` seconds.",
        "rate_limited",
        rate_limit=False,  # required here, not optional
        **_RATE_LIMITED,
    ),
    "NotFound": _error("No such leaderboard (or player on it), or no such path.", "not_found"),
    "PlayerNotFound": _error(
        "No such leaderboard or period (`not_found`), or the player has no score on the board "
        "or is hidden by a moderator (`player_not_found`: the two look the same to a caller).",
        "not_found",
        "player_not_found",
    ),
    "PlayerUnknown": _error("No such player, or no such path.", "not_found"),
    "SubmissionForbidden": _error(
        "The caller is outside BACKEND_ALLOWED_NETWORKS (`forbidden`), or its key lacks the "
        "scope this operation needs (`insufficient_scope`; the message names the scope), or "
        "a moderator has banned the player (`player_banned`: nothing is applied; a batch is "
        "refused whole, the message starting with `scores[<i>]:` for the first item of a "
        "banned player).",
        "forbidden",
        "insufficient_scope",
        "player_banned",
    ),
    "MethodNotAllowed": _error(
        "Any method an operation does not list (HEAD is served wherever GET is).",
        "method_not_allowed",
        Allow=_ref("headers", "Allow"),
    ),
    "TooLarge": _error("The body is over 1 MiB.", "too_large"),
    "LengthRequired": _error(
        "The body came in chunks, without a Content-Length header; send its length.",
        "length_required",
    ),
    "Unprocessable": _error(
        "The Idempotency-Key was used with a different request (`idempotency_key_reused`), or "
        "a score is out of its board's bounds (`score_out_of_bounds`: nothing is applied, a "
        "batch is refused whole naming the item, and each refused score is kept for review).",
        "idempotency_key_reused",
        "score_out_of_bounds",
    ),
    "Unavailable": _error(
        "Redis or the database is unreachable (an API key new to the server cannot be checked "
        "then either), or the board is being rebuilt; retry.",
        "unavailable",
        "redis_unavailable",
        "database_unavailable",
        **{"Retry-After": _ref("headers", "Retry-After")},
    ),
    # gunicorn refuses these before the backend sees the request, with a page of its own:
    # no legitimate request comes near its limits (the longest URL is about 150 bytes).
    "UriTooLong": {
        "description": "The request line is over 4094 bytes (answered by gunicorn, as HTML).",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
    "HeadersTooLarge": {
        "description": "A header is over 8190 bytes (answered by gunicorn, as HTML).",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
}

# Every operation may answer these: gunicorn's refusals, then the access check's (a 503 when
# a key cannot be checked).
_GUARDED = {
    "401": _ref("responses", "Unauthorized"),
    "403": _ref("responses", "Forbidden"),
    "414": _ref("responses", "UriTooLong"),
    "429": _ref("responses", "RateLimited"),
    "431": _ref("responses", "HeadersTooLarge"),
    "503": _ref("responses", "Unavailable"),
}
_READ_ERRORS = {
    "400": _ref("responses", "Invalid"),
    **_GUARDED,
    "404": _ref("responses", "NotFound"),
}
# A player's standing and history: their 404 says whether the player is the one missing.
_STANDING_ERRORS = {**_READ_ERRORS, "404": _ref("responses", "PlayerNotFound")}
_BODY_ERRORS = {
    "411": _ref("responses", "LengthRequired"),
    "413": _ref("responses", "TooLarge"),
}
# Score submissions: a banned player's is a 403 too.
_WRITE_ERRORS = {
    **_READ_ERRORS,
    "403": _ref("responses", "SubmissionForbidden"),
    **_BODY_ERRORS,
    "422": _ref("responses", "Unprocessable"),
}
_REPLAYED = {"Idempotent-Replayed": _ref("headers", "Idempotent-Replayed")}


SECURITY_SCHEME = "bearerAuth"


def _operation(operation_id: str, summary: str, responses: dict, *, scope: str, **rest) -> dict:
    """An operation that needs a bearer secret with ``scope`` (what access.py's scope_needed
    requires: `moderate` under the moderation paths, else `read` for GET, `write` for POST)."""
    return {
        "operationId": operation_id,
        "summary": summary,
        **rest,
        "security": [{SECURITY_SCHEME: [scope]}],
        "responses": responses,
    }


PATHS = {
    "/api/v1/leaderboards/{slug}/entries": {
        "parameters": [_ref("parameters", "slug")],
        "get": _operation(
            "entries",
            "A page of the board, best first.",
            {
                "200": _answer(
                    "The page; an offset past the end gives no entries.",
                    _object(
                        {
                            "leaderboard": _SLUG,
                            "period": _ref("schemas", "PeriodOrNull"),
                            "total": _integer(0),
                            "offset": _integer(0),
                            "limit": _integer(1),
                            "entries": {"type": "array", "items": _ref("schemas", "Entry")},
                        }
                    ),
                ),
                **_READ_ERRORS,
            },
            scope="read",
            parameters=[
                _query_integer(
                    "offset",
                    "Position of the first entry.",
                    default=0,
                    low=0,
                    high=inputs.MAX_OFFSET,
                ),
                _query_integer(
                    "limit", "Entries per page.", default=10, low=1, high=inputs.PAGE_LIMIT_MAX
                ),
                _ref("parameters", "period"),
            ],
        ),
    },
    "/api/v1/leaderboards/{slug}/players/{player_id}": {
        "parameters": [_ref("parameters", "slug"), _ref("parameters", "player_id")],
        "get": _operation(
            "player",
            "A player's standing and the entries around them.",
            {
                "200": _answer(
                    "The standing; the window shifts at the board's edges.",
                    _object(
                        {
                            "leaderboard": _SLUG,
                            "period": _ref("schemas", "PeriodOrNull"),
                            "player_id": _PLAYER_ID,
                            "name": {"type": "string"},
                            "score": _SCORE,
                            "rank": _RANK,
                            "rank_change": _RANK_CHANGE,
                            "percentile": {
                                "type": "number",
                                "minimum": 0,
                                "maximum": 100,
                                "description": "Share of players with a strictly worse score.",
                            },
                            "total": _integer(1),
                            "around": {"type": "array", "items": _ref("schemas", "Entry")},
                        }
                    ),
                ),
                **_STANDING_ERRORS,
            },
            scope="read",
            description=(
                "404 `player_not_found` when the player has no score on the board (in that "
                "period), or is hidden by a moderator."
            ),
            parameters=[
                _query_integer(
                    "around",
                    "Entries each side of the player.",
                    default=2,
                    low=0,
                    high=inputs.AROUND_MAX,
                ),
                _ref("parameters", "period"),
            ],
        ),
    },
    "/getdata": {
        "get": _operation(
            "getdata",
            "The original sample's format: the global board, best first.",
            {
                "200": _answer(
                    "Up to `limit` entries; `id` is the rank.",
                    {
                        "type": "array",
                        "items": _object(
                            {"id": _RANK, "name": {"type": "string"}, "score": _SCORE}
                        ),
                    },
                ),
                **_READ_ERRORS,
            },
            scope="read",
            parameters=[
                _query_integer(
                    "limit", "Entries.", default=100, low=1, high=inputs.GETDATA_LIMIT_MAX
                )
            ],
        ),
    },
    "/api/v1/leaderboards/{slug}/scores": {
        "parameters": [_ref("parameters", "slug")],
        "post": _operation(
            "scores",
            "Submit a player's score; the board's operator decides what is kept.",
            {
                "200": _answer(
                    "Saved and ranked (a player a moderator has hidden: saved, `rank` null).",
                    _ref("schemas", "SubmissionResult"),
                    **_REPLAYED,
                ),
                "202": _answer(
                    "Saved in the database, not ranked yet (Redis away): `rank` is null.",
                    _ref("schemas", "SubmissionResult"),
                    **_REPLAYED,
                ),
                **_WRITE_ERRORS,
            },
            scope="write",
            description=(
                "A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) "
                "is a 400. A board with `max_submissions_per_minute` takes that many "
                "submissions from each player in any 60 seconds, then answers 429. A player "
                "a moderator has banned is refused with 403 `player_banned`; one they have "
                "hidden is answered 200 with `rank` null (the score is stored and ranked "
                "nowhere until the sanction ends)."
            ),
            parameters=[_ref("parameters", "Idempotency-Key")],
            requestBody={"required": True, "content": _json(_ref("schemas", "Submission"))},
        ),
    },
    "/api/v1/scores/batch": {
        "post": _operation(
            "scores_batch",
            "Submit many scores, to any boards, in order and all or nothing.",
            {
                "200": _answer(
                    "Every item applied; results in request order.",
                    _ref("schemas", "BatchResult"),
                    **_REPLAYED,
                ),
                "202": _answer(
                    "Saved, not all ranked yet (Redis away).",
                    _ref("schemas", "BatchResult"),
                    **_REPLAYED,
                ),
                **_WRITE_ERRORS,
            },
            scope="write",
            description=(
                "Every item is checked first: one bad item (an unknown board, a new player "
                "without a name, a total out of range) is a 400 naming its index, e.g. "
                "`scores[3].score`, and nothing is applied. Then the items are applied in "
                "order with each board's operator, in one transaction. Each item counts "
                "against its board's per-player limit (`max_submissions_per_minute`): a batch "
                "with any item over it is a 429 naming the item's index, and nothing is "
                "applied or counted. A batch with an item of a player a moderator has banned "
                "is a 403 `player_banned` whose message starts with that item's `scores[<i>]:`, "
                "and nothing is applied; a hidden player's items are applied, with `rank` null."
            ),
            parameters=[_ref("parameters", "Idempotency-Key")],
            requestBody={"required": True, "content": _json(_ref("schemas", "Batch"))},
        ),
    },
    "/api/v1/leaderboards": {
        "get": _operation(
            "leaderboards",
            "Every board with its settings, current period and player count.",
            {
                "200": _answer(
                    "The boards.",
                    _object(
                        {
                            "leaderboards": {
                                "type": "array",
                                "items": _ref("schemas", "Leaderboard"),
                            }
                        }
                    ),
                ),
                **_GUARDED,
            },
            scope="read",
        ),
    },
    "/api/v1/leaderboards/{slug}/periods": {
        "parameters": [_ref("parameters", "slug")],
        "get": _operation(
            "periods",
            "The board's periods, newest first, with their players and winners.",
            {
                "200": _answer(
                    "The current period first (`closed` false), then the previous one while "
                    "it is not archived yet, then the archived ones. A board that never "
                    "resets has none.",
                    _object(
                        {
                            "leaderboard": _SLUG,
                            "reset": {"type": "string", "enum": list(Leaderboard.Reset.values)},
                            "timezone": {"type": "string"},
                            "periods": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "id": _PERIOD_ID,
                                        "start": _DATETIME,
                                        "end": _DATETIME,
                                        "players": _integer(0),
                                        "winner": {
                                            "anyOf": [
                                                _object(
                                                    {
                                                        # null once the winner is erased
                                                        "player_id": {
                                                            "anyOf": [_PLAYER_ID, {"type": "null"}]
                                                        },
                                                        "name": {"type": ["string", "null"]},
                                                        "score": _SCORE,
                                                    }
                                                ),
                                                {"type": "null"},
                                            ]
                                        },
                                        "closed": {"type": "boolean"},
                                    }
                                ),
                            },
                        }
                    ),
                ),
                **_READ_ERRORS,
            },
            scope="read",
            parameters=[
                _query_integer(
                    "limit", "Periods.", default=20, low=1, high=inputs.PERIODS_LIMIT_MAX
                )
            ],
        ),
    },
    "/api/v1/openapi.json": {
        "get": _operation(
            "openapi",
            "This document.",
            {
                "200": _answer("The OpenAPI 3.1 document.", {"type": "object"}),
                **_GUARDED,
            },
            scope="read",
        ),
    },
    "/api/v1/players/{player_id}": {
        "parameters": [_ref("parameters", "player_id")],
        "delete": _operation(
            "player_erase",
            "Erase a player and everything held about them.",
            {
                "204": {
                    "description": "Erased: their row, scores on every board and period (and "
                    "so their entries), history, daily ranks, reviews and stored idempotent "
                    "answers. An archived period they won keeps its score, with its winner's "
                    "id and name null. The id is free for a new player.",
                    "headers": {**_REQUEST_ID, **_rate_limit_optional()},
                },
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
                "404": _ref("responses", "NotFound"),
            },
            scope="moderate",
        ),
    },
    "/api/v1/players/{player_id}/rollback": {
        "parameters": [_ref("parameters", "player_id")],
        "post": _operation(
            "player_rollback",
            "Roll a player's scores back to a moment, on every board or the one named.",
            {
                "200": _answer(
                    "What was rolled back: each board and period whose score changed after "
                    "`since`, its score before and after (null: the entry was removed, the "
                    "player had no score then). Empty when nothing changed after `since`.",
                    _object(
                        {
                            "player_id": _PLAYER_ID,
                            "since": _DATETIME,
                            "leaderboard": {"anyOf": [_SLUG, {"type": "null"}]},
                            "rolled_back": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "leaderboard": _SLUG,
                                        "period": {"type": "string"},
                                        "before": _SCORE,
                                        "after": {"anyOf": [_SCORE, {"type": "null"}]},
                                    }
                                ),
                            },
                        }
                    ),
                ),
                **_GUARDED,
                "400": _ref("responses", "Invalid"),
                "404": _ref("responses", "NotFound"),
                "411": _ref("responses", "LengthRequired"),
                "413": _ref("responses", "TooLarge"),
            },
            scope="moderate",
            description=(
                "Each score the player changed after `since` goes back to its value then, "
                "taken from the history; with none then, the entry is removed. The rollback "
                "is a history event of its own, everyone's ranks follow at once, a closed "
                "period's archive (players, winner) is summed up again, and it is audited."
            ),
            requestBody={
                "required": True,
                "content": _json(
                    _object(
                        {
                            "since": _DATETIME,
                            "leaderboard": {"anyOf": [_SLUG, {"type": "null"}]},
                        },
                        optional=("leaderboard",),
                    )
                ),
            },
        ),
    },
    "/api/v1/players/{player_id}/sanctions": {
        "parameters": [_ref("parameters", "player_id")],
        "get": _operation(
            "player_sanctions",
            "A player's sanctions, newest first, those ended included.",
            {
                "200": _answer(
                    "The sanctions (the newest 200).",
                    _object(
                        {
                            "player_id": _PLAYER_ID,
                            "sanctions": {
                                "type": "array",
                                "maxItems": sanctions.LIST_MAX,
                                "items": _ref("schemas", "Sanction"),
                            },
                        }
                    ),
                ),
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
                "404": _ref("responses", "PlayerUnknown"),
            },
            scope="moderate",
        ),
        "post": _operation(
            "player_sanction_create",
            "Hide or ban a player, from now until lifted or until `until`.",
            {
                "201": _answer("The sanction, in force.", _ref("schemas", "Sanction")),
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
                "404": _ref("responses", "PlayerUnknown"),
                **_BODY_ERRORS,
            },
            scope="moderate",
            description=(
                "At once, a hidden player (`hide`, and `ban`) leaves every read: their entries "
                "on every board and period, the boards' and periods' counts and winners, and "
                "their standing and history (404 `player_not_found`, as for a player without a "
                "score). Their submissions are still taken, answered with `rank` null; a "
                "banned player's are refused with 403 `player_banned`. When the sanction ends "
                "(lifted, or its `until` passed) and no other is in force, the player comes "
                "back as the database holds them, scores taken while hidden included. Audited."
            ),
            requestBody={"required": True, "content": _json(_ref("schemas", "SanctionRequest"))},
        ),
    },
    "/api/v1/players/{player_id}/sanctions/{sanction_id}": {
        "parameters": [_ref("parameters", "player_id"), _ref("parameters", "sanction_id")],
        "delete": _operation(
            "player_sanction_lift",
            "Lift one of a player's sanctions.",
            {
                "204": {
                    "description": (
                        "Lifted (audited), or it had ended already, lifted or past its `until` "
                        "(nothing lifted)."
                    ),
                    "headers": {**_REQUEST_ID, **_rate_limit_optional()},
                },
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
                "404": _error(
                    "No such player, or no sanction of theirs with this id, or no such path.",
                    "not_found",
                ),
            },
            scope="moderate",
            description=(
                "The player stays hidden (or banned) while another of their sanctions is in "
                "force; a sanction whose `until` passed has ended already."
            ),
        ),
    },
    "/api/v1/reviews": {
        "get": _operation(
            "reviews",
            "Submissions refused as out of their board's bounds, newest first.",
            {
                "200": _answer(
                    "The reviews.",
                    _object(
                        {
                            "reviews": {
                                "type": "array",
                                "maxItems": reviews.LIMIT_MAX,
                                "items": _object(
                                    {
                                        "leaderboard": _SLUG,
                                        "player_id": _PLAYER_ID,
                                        "score": _SCORE,
                                        "reason": {"type": "string"},
                                        "key": {
                                            "type": "string",
                                            "description": "The API key that sent it.",
                                        },
                                        "at": {"type": "string", "format": "date-time"},
                                    }
                                ),
                            }
                        }
                    ),
                ),
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
            },
            scope="moderate",
            parameters=[
                {
                    "name": "leaderboard",
                    "in": "query",
                    "required": False,
                    "description": "Only this board's.",
                    "schema": _SLUG,
                },
                {
                    "name": "player_id",
                    "in": "query",
                    "required": False,
                    "description": "Only this player's.",
                    "schema": _PLAYER_ID,
                },
                _query_integer(
                    "limit",
                    "Reviews.",
                    default=reviews.LIMIT_DEFAULT,
                    low=1,
                    high=reviews.LIMIT_MAX,
                ),
            ],
        ),
    },
    "/api/v1/leaderboards/{slug}/players/{player_id}/history": {
        "parameters": [_ref("parameters", "slug"), _ref("parameters", "player_id")],
        "get": _operation(
            "player_history",
            "A player's score and rank at the end of each of the last days.",
            {
                "200": _answer(
                    "Oldest first, one point per day on which the player had a score.",
                    _object(
                        {
                            "leaderboard": _SLUG,
                            "player_id": _PLAYER_ID,
                            "days": _integer(1, history.DAYS_MAX),
                            "points": {
                                "type": "array",
                                "maxItems": history.DAYS_MAX,
                                "items": _object(
                                    {
                                        "date": {"type": "string", "format": "date"},
                                        "score": _SCORE,
                                        "rank": _RANK,
                                    }
                                ),
                            },
                        }
                    ),
                ),
                **_STANDING_ERRORS,
            },
            scope="read",
            description=(
                "A day's point is the player's score and rank when it ended, in the board's "
                "time zone, in the period then in force; today's is their live standing. "
                "404 `player_not_found` when the player never had a score on the board, or "
                "is hidden by a moderator."
            ),
            parameters=[
                _query_integer(
                    "days",
                    "Days covered, today included.",
                    default=history.DAYS_DEFAULT,
                    low=1,
                    high=history.DAYS_MAX,
                )
            ],
        ),
    },
    "/api/v1/audit": {
        "get": _operation(
            "audit",
            "The audit log, newest first: who created or revoked a key, changed what in the "
            "admin, and so on.",
            {
                "200": _answer(
                    "Up to `limit` entries, newest first.",
                    _object(
                        {
                            "entries": {
                                "type": "array",
                                "maxItems": audit_inputs.LIMIT_MAX,
                                "items": _ref("schemas", "AuditEntry"),
                            }
                        }
                    ),
                ),
                "400": _ref("responses", "Invalid"),
                **_GUARDED,
            },
            scope="moderate",
            description=(
                "Page back through the log with `before` set to the last entry's `at`. "
                "Entries are kept for AUDIT_RETENTION_DAYS."
            ),
            parameters=[
                _query_integer(
                    "limit",
                    "Entries.",
                    default=audit_inputs.LIMIT_DEFAULT,
                    low=1,
                    high=audit_inputs.LIMIT_MAX,
                ),
                {
                    "name": "before",
                    "in": "query",
                    "required": False,
                    "description": (
                        "Only entries strictly older than this time, ISO 8601 with its offset "
                        "(`2026-12-01T08:00:00Z`; in a URL, `+` is `%2B`). Empty or absent: "
                        "from the newest."
                    ),
                    "schema": {"anyOf": [_DATETIME, {"const": ""}]},
                },
            ],
        ),
    },
}

DESCRIPTION = """\
The private ranking service. Every path needs `Authorization: Bearer <secret>`, an API key or
a service token (401 `unauthorized` without a valid one, with `WWW-Authenticate`), holding the
scope the operation names in its `security`: `read` for every GET (and HEAD), `write` for
score submissions, `moderate` for every method under the moderation paths, the audit log's
included (403 `insufficient_scope` otherwise). The caller must also be inside
`BACKEND_ALLOWED_NETWORKS` (403 `forbidden` otherwise).

A key may have a rate (requests a second, with a burst of as many), and a board a number of
submissions a minute each player may make to it (`max_submissions_per_minute`): over either
is a 429 `rate_limited` with `Retry-After` and the IETF RateLimit header fields
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (whole seconds). Answers to a
key with a rate, and a submission's success on a board with a limit, carry the RateLimit
fields too, for the limit with the fewest requests left.

A moderator may hide or ban a player (`/api/v1/players/{player_id}/sanctions`). A hidden
player is left out of every read, their standing and history answering 404
`player_not_found` as for a player without a score there, and their submissions are stored
but ranked nowhere (200 with `rank` null); a banned player is hidden and their submissions
are refused with 403 `player_banned`.

Errors are always JSON, `{"error": {"code": "...", "message": "..."}}`. A method an operation
does not list is a 405 `method_not_allowed` with an `Allow` header (HEAD is served wherever
GET is); an unknown path is a 404 `not_found`. 503s carry `Retry-After`. Unknown query
parameters are ignored. The one exception to JSON: a request line over 4094 bytes (414) or
a header over 8190 bytes (431) is refused by gunicorn, with an HTML page, before the
backend sees it.

The health probes `/healthz` (open) and `/readyz` (allowlist only, no token) are outside this
API; see the README.
"""


SECURITY_SCHEME_OBJECT = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "`Authorization: Bearer <secret>`, one of three kinds of secret: an API key "
        f"(`{KEY_PREFIX}...`, made with `manage.py api_keys create`, with its own scopes "
        "and perhaps a rate and an expiry; revocable); a BACKEND_SERVICE_TOKEN (the legacy "
        "shared secret: scopes `read` and `write`); or a BACKEND_READ_TOKEN (`read` only). Each "
        "setting may list several, comma-separated, to rotate. The scopes an operation needs "
        "are its `security` requirement's role names: `read` (every GET and HEAD, this "
        "document included), `write` (score submissions and batches), `moderate` (every "
        "method under the moderation paths, the audit log's included); `manage` exists for "
        "endpoints to come."
    ),
}


def document() -> dict:
    """The OpenAPI 3.1 document, as a new dict (tools that read it may write to it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
            "paths": PATHS,
            "components": {
                "securitySchemes": {SECURITY_SCHEME: SECURITY_SCHEME_OBJECT},
                "schemas": SCHEMAS,
                "parameters": PARAMETERS,
                "headers": HEADERS,
                "responses": RESPONSES,
            },
        }
    )


@functools.cache
def document_json() -> bytes:
    """The document as JSON bytes, built once per process."""
    return orjson.dumps(document(), option=orjson.OPT_INDENT_2)
