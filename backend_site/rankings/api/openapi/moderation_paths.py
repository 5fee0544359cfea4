"""The moderation paths: players (sanctions, rollback, erasure), reviews and the audit log,
all to a `moderate` key."""

from __future__ import annotations

from backend_site.audit import inputs as audit_inputs
from backend_site.rankings.api.openapi.parts import (
    BODY_ERRORS,
    DATETIME,
    GUARDED,
    PLAYER_ID,
    REQUEST_ID,
    SCORE,
    SLUG,
    answer,
    error,
    json_content,
    object_schema,
    operation,
    query_integer,
    rate_limit_optional,
    ref,
)
from backend_site.rankings.writes import reviews, sanctions

MODERATION_PATHS = {
    "/api/v1/players/{player_id}": {
        "parameters": [ref("parameters", "player_id")],
        "delete": operation(
            "player_erase",
            "Erase a player and everything held about them.",
            {
                "204": {
                    "description": "Erased: their row, scores on every board and period (and "
                    "so their entries), history, daily ranks, reviews and stored idempotent "
                    "answers. An archived period they won keeps its score, with its winner's "
                    "id and name null. The id is free for a new player.",
                    "headers": {**REQUEST_ID, **rate_limit_optional()},
                },
                "400": ref("responses", "Invalid"),
                **GUARDED,
                "404": ref("responses", "NotFound"),
            },
            scope="moderate",
        ),
    },
    "/api/v1/players/{player_id}/rollback": {
        "parameters": [ref("parameters", "player_id")],
        "post": operation(
            "player_rollback",
            "Roll a player's scores back to a moment, on every board or the one named.",
            {
                "200": answer(
                    "What was rolled back: each board and period whose score changed after "
                    "`since`, its score before and after (null: the entry was removed, the "
                    "player had no score then). Empty when nothing changed after `since`.",
                    object_schema(
                        {
                            "player_id": PLAYER_ID,
                            "since": DATETIME,
                            "leaderboard": {"anyOf": [SLUG, {"type": "null"}]},
                            "rolled_back": {
                                "type": "array",
                                "items": object_schema(
                                    {
                                        "leaderboard": SLUG,
                                        "period": {"type": "string"},
                                        "before": SCORE,
                                        "after": {"anyOf": [SCORE, {"type": "null"}]},
                                    }
                                ),
                            },
                        }
                    ),
                ),
                **GUARDED,
                "400": ref("responses", "Invalid"),
                "404": ref("responses", "NotFound"),
                "411": ref("responses", "LengthRequired"),
                "413": ref("responses", "TooLarge"),
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
                "content": json_content(
                    object_schema(
                        {
                            "since": DATETIME,
                            "leaderboard": {"anyOf": [SLUG, {"type": "null"}]},
                        },
                        optional=("leaderboard",),
                    )
                ),
            },
        ),
    },
    "/api/v1/players/{player_id}/sanctions": {
        "parameters": [ref("parameters", "player_id")],
        "get": operation(
            "player_sanctions",
            "A player's sanctions, newest first, those ended included.",
            {
                "200": answer(
                    "The sanctions (the newest 200).",
                    object_schema(
                        {
                            "player_id": PLAYER_ID,
                            "sanctions": {
                                "type": "array",
                                "maxItems": sanctions.LIST_MAX,
                                "items": ref("schemas", "Sanction"),
                            },
                        }
                    ),
                ),
                "400": ref("responses", "Invalid"),
                **GUARDED,
                "404": ref("responses", "PlayerUnknown"),
            },
            scope="moderate",
        ),
        "post": operation(
            "player_sanction_create",
            "Hide or ban a player, from now until lifted or until `until`.",
            {
                "201": answer("The sanction, in force.", ref("schemas", "Sanction")),
                "400": ref("responses", "Invalid"),
                **GUARDED,
                "404": ref("responses", "PlayerUnknown"),
                **BODY_ERRORS,
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
            requestBody={
                "required": True,
                "content": json_content(ref("schemas", "SanctionRequest")),
            },
        ),
    },
    "/api/v1/players/{player_id}/sanctions/{sanction_id}": {
        "parameters": [ref("parameters", "player_id"), ref("parameters", "sanction_id")],
        "delete": operation(
            "player_sanction_lift",
            "Lift one of a player's sanctions.",
            {
                "204": {
                    "description": (
                        "Lifted (audited), or it had ended already, lifted or past its `until` "
                        "(nothing lifted)."
                    ),
                    "headers": {**REQUEST_ID, **rate_limit_optional()},
                },
                "400": ref("responses", "Invalid"),
                **GUARDED,
                "404": error(
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
        "get": operation(
            "reviews",
            "Submissions refused as out of their board's bounds, newest first.",
            {
                "200": answer(
                    "The reviews.",
                    object_schema(
                        {
                            "reviews": {
                                "type": "array",
                                "maxItems": reviews.LIMIT_MAX,
                                "items": object_schema(
                                    {
                                        "leaderboard": SLUG,
                                        "player_id": PLAYER_ID,
                                        "score": SCORE,
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
                "400": ref("responses", "Invalid"),
                **GUARDED,
            },
            scope="moderate",
            parameters=[
                {
                    "name": "leaderboard",
                    "in": "query",
                    "required": False,
                    "description": "Only this board's.",
                    "schema": SLUG,
                },
                {
                    "name": "player_id",
                    "in": "query",
                    "required": False,
                    "description": "Only this player's.",
                    "schema": PLAYER_ID,
                },
                query_integer(
                    "limit",
                    "Reviews.",
                    default=reviews.LIMIT_DEFAULT,
                    low=1,
                    high=reviews.LIMIT_MAX,
                ),
            ],
        ),
    },
    "/api/v1/audit": {
        "get": operation(
            "audit",
            "The audit log, newest first: who created or revoked a key, changed what in the "
            "admin, and so on.",
            {
                "200": answer(
                    "Up to `limit` entries, newest first.",
                    object_schema(
                        {
                            "entries": {
                                "type": "array",
                                "maxItems": audit_inputs.LIMIT_MAX,
                                "items": ref("schemas", "AuditEntry"),
                            }
                        }
                    ),
                ),
                "400": ref("responses", "Invalid"),
                **GUARDED,
            },
            scope="moderate",
            description=(
                "Page back through the log with `before` set to the last entry's `at`. "
                "Entries are kept for AUDIT_RETENTION_DAYS."
            ),
            parameters=[
                query_integer(
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
                    "schema": {"anyOf": [DATETIME, {"const": ""}]},
                },
            ],
        ),
    },
}
