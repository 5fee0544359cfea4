"""The components' schemas of moderation: rollbacks, sanctions, reviews and the audit log."""

from __future__ import annotations

from backend_site.audit import inputs as audit_inputs
from backend_site.rankings import fields
from backend_site.rankings.api import inputs
from backend_site.rankings.api.openapi.parts import (
    DATETIME,
    DATETIME_OR_NULL,
    PLAYER_ID,
    REASON,
    SANCTION_ID_MAX,
    SCORE,
    SLUG,
    array_of,
    integer,
    nullable,
    object_schema,
    ref,
)
from backend_site.rankings.writes import reviews, sanctions

ROLLBACK_SCHEMAS = {
    "RollbackRequest": object_schema(
        {
            "since": {**DATETIME, "description": "Scores changed after this time go back."},
            "leaderboard": nullable(SLUG, description="Only this board; null or absent: all."),
        },
        optional=("leaderboard",),
    ),
    "RollbackResult": object_schema(
        {
            "player_id": PLAYER_ID,
            "since": DATETIME,
            "leaderboard": nullable(SLUG),
            "rolled_back": array_of(
                "RolledBackScore", description="Empty when nothing changed after `since`."
            ),
        },
        description="What a rollback changed.",
    ),
    "RolledBackScore": object_schema(
        {
            "leaderboard": SLUG,
            "period": {"type": "string"},
            "before": SCORE,
            "after": nullable(
                SCORE, description="null: the entry was removed (no score at `since`)."
            ),
        },
        description="A board and period whose score changed after `since`, before and after.",
    ),
}

SANCTION_SCHEMAS = {
    "SanctionAction": {
        "type": "string",
        "enum": list(inputs.SANCTION_ACTIONS),
        "description": (
            "`hide`: off every read (boards, counts, periods, the player's standing and "
            "history), their submissions still taken and answered with `rank` null; `ban`: "
            "hidden, and their submissions refused with 403 `player_banned`."
        ),
    },
    "Sanction": object_schema(
        {
            "id": {
                **integer(1, SANCTION_ID_MAX),
                "description": "Lift it with DELETE `/api/v1/players/{player_id}/sanctions/{id}`.",
            },
            "player_id": PLAYER_ID,
            "action": ref("schemas", "SanctionAction"),
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
        },
        description=(
            "A moderator's hide or ban of a player, in force from `created_at` until it is "
            "lifted or its `until` passes (it then ends at the first request after that time)."
        ),
    ),
    "SanctionRequest": object_schema(
        {
            "action": ref("schemas", "SanctionAction"),
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
    "SanctionList": object_schema(
        {
            "player_id": PLAYER_ID,
            "sanctions": array_of("Sanction", maxItems=sanctions.LIST_MAX),
        },
        description=f"A player's sanctions, newest first (the newest {sanctions.LIST_MAX}).",
    ),
}

REVIEW_SCHEMAS = {
    "Review": object_schema(
        {
            "leaderboard": SLUG,
            "player_id": PLAYER_ID,
            "score": SCORE,
            "reason": {"type": "string"},
            "key": {"type": "string", "description": "The API key that sent it."},
            "at": DATETIME,
        },
        description="A submission refused as out of its board's bounds, kept for review.",
    ),
    "ReviewList": object_schema({"reviews": array_of("Review", maxItems=reviews.LIMIT_MAX)}),
}

AUDIT_SCHEMAS = {
    "AuditEntry": object_schema(
        {
            "at": DATETIME,
            "actor": {
                "type": "string",
                "description": "Who: an API key's name, `admin:<username>` or `command:<name>`.",
            },
            "action": {
                "type": "string",
                "description": (
                    "What, as `<noun>.<verb>`: `key.create`, `key.revoke`, `board.create`, "
                    "`board.change`, `board.delete`, `admin.add`, `admin.change`, "
                    "`admin.delete`, `audit.prune`, and more to come."
                ),
            },
            "target": {
                "type": "string",
                "description": (
                    "To what: `key:<name>`, `board:<slug>`, `player:<id>`, or "
                    "`<app>.<model>:<id>` for another admin change (`rankings.player:p1`)."
                ),
            },
            "detail": {"type": "object", "description": "The action's particulars."},
        },
        description="One recorded change.",
    ),
    "AuditLog": object_schema(
        {"entries": array_of("AuditEntry", maxItems=audit_inputs.LIMIT_MAX)},
        description="Audit entries, newest first.",
    ),
}

SCHEMAS = {**ROLLBACK_SCHEMAS, **SANCTION_SCHEMAS, **REVIEW_SCHEMAS, **AUDIT_SCHEMAS}
