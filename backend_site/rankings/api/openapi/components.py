"""The document's components: schemas, parameters, headers and responses."""

from __future__ import annotations

from backend_site.rankings import fields
from backend_site.rankings.api import inputs
from backend_site.rankings.api.openapi.parts import (
    DATETIME,
    DATETIME_OR_NULL,
    HIDDEN_RANK,
    NAME,
    PERIOD_ID,
    PLAYER_ID,
    RANK,
    RANK_CHANGE,
    RANK_OR_NULL,
    RATE_LIMITED,
    REASON,
    SANCTION_ACTION,
    SANCTION_ID_MAX,
    SCORE,
    SLUG,
    error,
    error_schema,
    integer,
    json_content,
    object_schema,
    ref,
)
from backend_site.rankings.models import MAX_SCORE, Leaderboard
from common import patterns

SCHEMAS = {
    "Entry": object_schema(
        {
            "rank": RANK,
            "player_id": PLAYER_ID,
            "name": {"type": "string"},
            "score": SCORE,
            "rank_change": RANK_CHANGE,
        }
    ),
    "Period": {
        **object_schema({"id": PERIOD_ID, "start": DATETIME, "end": DATETIME}),
        "description": (
            "A period of a board that resets, in its zone: `2026-11-25` (daily), `2026-W48` "
            "(weekly, from Monday 00:00) or `2026-11` (monthly); it ends where the next starts."
        ),
    },
    "PeriodOrNull": {
        "anyOf": [ref("schemas", "Period"), {"type": "null"}],
        "description": "The period read; null on a board that never resets.",
    },
    "Leaderboard": object_schema(
        {
            "slug": SLUG,
            "title": {"type": "string"},
            "order": {"type": "string", "enum": list(Leaderboard.Order.values)},
            "operator": {"type": "string", "enum": list(Leaderboard.Operator.values)},
            "players": {**integer(0), "description": "Players in the current period."},
            "reset": {"type": "string", "enum": list(Leaderboard.Reset.values)},
            "timezone": {"type": "string", "description": "IANA name."},
            "source": {
                "type": ["string", "null"],
                "description": "The board whose every accepted score is also applied here.",
            },
            "min_score": {
                **SCORE,
                "type": ["integer", "null"],
                "description": "The lowest score accepted (increment boards: total). null: none.",
            },
            "max_score": {
                **SCORE,
                "type": ["integer", "null"],
                "description": "The highest score accepted (increment boards: total). null: none.",
            },
            "max_increment": {
                **integer(1, MAX_SCORE),
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
            "period": ref("schemas", "PeriodOrNull"),
        }
    ),
    "Also": {
        "type": "array",
        "description": "The same score on each board this board feeds (their `source`).",
        "items": object_schema(
            {
                "leaderboard": SLUG,
                "score": SCORE,
                "rank": RANK_OR_NULL,
                "updated": {"type": "boolean"},
            }
        ),
    },
    "Submission": object_schema(
        {"player_id": PLAYER_ID, "score": SCORE, "name": NAME}, optional=("name",)
    ),
    "SubmissionResult": object_schema(
        {
            "player_id": PLAYER_ID,
            "score": {**SCORE, "description": "The entry's score after this submission."},
            "rank": {**RANK_OR_NULL, "description": HIDDEN_RANK},
            "previous_rank": {
                **RANK_OR_NULL,
                "description": "The rank just before; null for a new entry (or a 202).",
            },
            "updated": {"type": "boolean", "description": "Whether the stored score changed."},
            "also": ref("schemas", "Also"),
        }
    ),
    "BatchItem": object_schema(
        {
            "leaderboard": {**SLUG, "maxLength": 50},
            "player_id": PLAYER_ID,
            "score": SCORE,
            "name": NAME,
        },
        optional=("name",),
    ),
    "Batch": object_schema(
        {
            "scores": {
                "type": "array",
                "minItems": 1,
                "maxItems": inputs.BATCH_MAX,
                "items": ref("schemas", "BatchItem"),
            }
        }
    ),
    "AuditEntry": {
        **object_schema(
            {
                "at": DATETIME,
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
    "BatchResult": object_schema(
        {
            "results": {
                "type": "array",
                "items": object_schema(
                    {
                        "leaderboard": SLUG,
                        "player_id": PLAYER_ID,
                        "score": {**SCORE, "description": "The score after this item."},
                        "rank": {
                            **RANK_OR_NULL,
                            "description": "The rank after the whole batch; " + HIDDEN_RANK,
                        },
                        "updated": {"type": "boolean"},
                        "also": ref("schemas", "Also"),
                    }
                ),
            }
        }
    ),
    "Sanction": {
        **object_schema(
            {
                "id": {
                    **integer(1, SANCTION_ID_MAX),
                    "description": (
                        "Lift it with DELETE `/api/v1/players/{player_id}/sanctions/{id}`."
                    ),
                },
                "player_id": PLAYER_ID,
                "action": SANCTION_ACTION,
                "reason": {"type": "string", "description": "Empty when none was given."},
                "until": {
                    **DATETIME_OR_NULL,
                    "description": "When it ends on its own; null: when lifted.",
                },
                "created_at": DATETIME,
                "created_by": {
                    "type": "string",
                    "description": "Who: an API key's name, or `admin:<username>`.",
                },
                "ended_at": {
                    **DATETIME_OR_NULL,
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
    "SanctionRequest": object_schema(
        {
            "action": SANCTION_ACTION,
            "reason": {
                **REASON,
                "description": (
                    f"Why, for the audit log and other moderators: up to "
                    f"{fields.REASON_MAX} characters, no control characters but tab "
                    "and newline, no lone surrogates. Absent: empty."
                ),
            },
            "until": {
                **DATETIME_OR_NULL,
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
        "schema": SLUG,
    },
    "player_id": {"name": "player_id", "in": "path", "required": True, "schema": PLAYER_ID},
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
        "schema": integer(1, SANCTION_ID_MAX),
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
    "Invalid": error(
        "The request is malformed: a parameter or body field is wrong (the message names it).",
        "invalid",
        "bad_request",
    ),
    "Unauthorized": error(
        "No valid bearer secret: missing, or an unknown, revoked or expired key or token.",
        "unauthorized",
        rate_limit=False,
        **{"WWW-Authenticate": ref("headers", "WWW-Authenticate")},
    ),
    "Forbidden": error(
        "The caller is outside BACKEND_ALLOWED_NETWORKS (`forbidden`), or its key lacks the "
        "scope this operation needs (`insufficient_scope`; the message names the scope).",
        "forbidden",
        "insufficient_scope",
        rate_limit=False,
    ),
    "RateLimited": error(
        "Over a rate limit, nothing done: the key's requests a second, or on a score "
        "submission the board's submissions a minute for that player (a batch with any item "
        "over its player's limit is refused whole, the message naming the item's index). "
        "Retry after `Retry-After` seconds.",
        "rate_limited",
        rate_limit=False,  # required here, not optional
        **RATE_LIMITED,
    ),
    "NotFound": error("No such leaderboard (or player on it), or no such path.", "not_found"),
    "PlayerNotFound": error(
        "No such leaderboard or period (`not_found`), or the player has no score on the board "
        "or is hidden by a moderator (`player_not_found`: the two look the same to a caller).",
        "not_found",
        "player_not_found",
    ),
    "PlayerUnknown": error("No such player, or no such path.", "not_found"),
    "SubmissionForbidden": error(
        "The caller is outside BACKEND_ALLOWED_NETWORKS (`forbidden`), or its key lacks the "
        "scope this operation needs (`insufficient_scope`; the message names the scope), or "
        "a moderator has banned the player (`player_banned`: nothing is applied; a batch is "
        "refused whole, the message starting with `scores[<i>]:` for the first item of a "
        "banned player).",
        "forbidden",
        "insufficient_scope",
        "player_banned",
    ),
    "MethodNotAllowed": error(
        "Any method an operation does not list (HEAD is served wherever GET is).",
        "method_not_allowed",
        Allow=ref("headers", "Allow"),
    ),
    "TooLarge": error("The body is over 1 MiB.", "too_large"),
    "LengthRequired": error(
        "The body came in chunks, without a Content-Length header; send its length.",
        "length_required",
    ),
    "Unprocessable": error(
        "The Idempotency-Key was used with a different request (`idempotency_key_reused`), or "
        "a score is out of its board's bounds (`score_out_of_bounds`: nothing is applied, a "
        "batch is refused whole naming the item, and each refused score is kept for review).",
        "idempotency_key_reused",
        "score_out_of_bounds",
    ),
    "Unavailable": error(
        "Redis or the database is unreachable (an API key new to the server cannot be checked "
        "then either), or the board is being rebuilt; retry.",
        "unavailable",
        "redis_unavailable",
        "database_unavailable",
        **{"Retry-After": ref("headers", "Retry-After")},
    ),
    # The server refuses these before the backend sees the request (common/refusals.py): no
    # legitimate request comes near its limits (the longest URL is about 150 bytes).
    "UriTooLong": {
        "description": "The request line is over 4094 bytes (answered by the server before "
        "the backend, without X-Request-ID).",
        "content": json_content(error_schema("uri_too_long")),
    },
    "HeadersTooLarge": {
        "description": "A header field is over 8190 bytes, or there are over 100 (answered by "
        "the server before the backend, without X-Request-ID).",
        "content": json_content(error_schema("headers_too_large")),
    },
}
