"""The moderation paths: players (sanctions, rollback, erasure), reviews and the audit log,
all to a `moderate` key."""

from __future__ import annotations

from backend_site.audit import inputs as audit_inputs
from backend_site.rankings.api.openapi.parts import (
    DATETIME,
    PLAYER_ID,
    SLUG,
    answer,
    no_content,
    operation,
    query_integer,
    ref,
)
from backend_site.rankings.writes import reviews

MODERATION_PATHS = {
    "/api/v1/players/{player_id}": {
        "parameters": [ref("parameters", "player_id")],
        "delete": operation(
            tag="moderation",
            operation_id="erasePlayer",
            summary="Erase a player and everything held about them.",
            scope="moderate",
            responses={
                "204": no_content(
                    "Erased: their row, scores on every board and period (and so their "
                    "entries), history, daily ranks, reviews and stored idempotent answers. An "
                    "archived period they won keeps its score, with its winner's id and name "
                    "null. The id is free for a new player."
                )
            },
            errors=(400, 404),
        ),
    },
    "/api/v1/players/{player_id}/rollback": {
        "parameters": [ref("parameters", "player_id")],
        "post": operation(
            tag="moderation",
            operation_id="rollbackPlayer",
            summary="Roll a player's scores back to a moment, on every board or the one named.",
            scope="moderate",
            body="RollbackRequest",
            responses={
                "200": answer(
                    "What was rolled back: each board and period whose score changed after "
                    "`since`, its score before and after (null: the entry was removed, the "
                    "player had no score then). Empty when nothing changed after `since`.",
                    ref("schemas", "RollbackResult"),
                )
            },
            errors=(404,),
            description=(
                "Each score the player changed after `since` goes back to its value then, "
                "taken from the history; with none then, the entry is removed. The rollback "
                "is a history event of its own, everyone's ranks follow at once, a closed "
                "period's archive (players, winner) is summed up again, and it is audited."
            ),
        ),
    },
    "/api/v1/players/{player_id}/sanctions": {
        "parameters": [ref("parameters", "player_id")],
        "get": operation(
            tag="moderation",
            operation_id="listSanctions",
            summary="A player's sanctions, newest first, those ended included.",
            scope="moderate",
            responses={
                "200": answer("The sanctions (the newest 200).", ref("schemas", "SanctionList")),
                "404": ref("responses", "PlayerUnknown"),
            },
            errors=(400,),
        ),
        "post": operation(
            tag="moderation",
            operation_id="createSanction",
            summary="Hide or ban a player, from now until lifted or until `until`.",
            scope="moderate",
            body="SanctionRequest",
            responses={
                "201": answer("The sanction, in force.", ref("schemas", "Sanction")),
                "404": ref("responses", "PlayerUnknown"),
            },
            description=(
                "At once, a hidden player (`hide`, and `ban`) leaves every read: their entries "
                "on every board and period, the boards' and periods' counts and winners, and "
                "their standing and history (404 `player_not_found`, as for a player without a "
                "score). Their submissions are still taken, answered with `rank` null; a "
                "banned player's are refused with 403 `player_banned`. When the sanction ends "
                "(lifted, or its `until` passed) and no other is in force, the player comes "
                "back as the database holds them, scores taken while hidden included. Audited."
            ),
        ),
    },
    "/api/v1/players/{player_id}/sanctions/{sanction_id}": {
        "parameters": [ref("parameters", "player_id"), ref("parameters", "sanction_id")],
        "delete": operation(
            tag="moderation",
            operation_id="liftSanction",
            summary="Lift one of a player's sanctions.",
            scope="moderate",
            responses={
                "204": no_content(
                    "Lifted (audited), or it had ended already, lifted or past its `until` "
                    "(nothing lifted)."
                ),
                "404": ref("responses", "SanctionNotFound"),
            },
            errors=(400,),
            description=(
                "The player stays hidden (or banned) while another of their sanctions is in "
                "force; a sanction whose `until` passed has ended already."
            ),
        ),
    },
    "/api/v1/reviews": {
        "get": operation(
            tag="moderation",
            operation_id="listReviews",
            summary="Submissions refused as out of their board's bounds, newest first.",
            scope="moderate",
            responses={"200": answer("The reviews.", ref("schemas", "ReviewList"))},
            errors=(400,),
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
            tag="audit",
            operation_id="listAuditEntries",
            summary="The audit log, newest first: who created or revoked a key, changed what in "
            "the admin, and so on.",
            scope="moderate",
            responses={
                "200": answer("Up to `limit` entries, newest first.", ref("schemas", "AuditLog"))
            },
            errors=(400,),
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
