"""The components' parameters: those several paths share."""

from __future__ import annotations

from backend_site.rankings.api.openapi.parts import PLAYER_ID, SANCTION_ID_MAX, SLUG, integer
from common import patterns

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
    "include": {
        "name": "include",
        "in": "query",
        "required": False,
        "description": "`metadata`: send each entry's metadata (none by default).",
        "schema": {"type": "string", "enum": ["metadata"]},
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
