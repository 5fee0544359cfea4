"""The boards themselves: made (POST /api/v1/leaderboards, whose GET is in board_paths.py),
read, changed and deleted (/api/v1/leaderboards/{slug}). Making, changing and deleting need
a `manage` key; reading, `read`. Every answer about a board is the listing's Leaderboard."""

from __future__ import annotations

from backend_site.rankings.api.openapi.parts import answer, error, no_content, operation, ref

BOARD = ref("schemas", "Leaderboard")

MANAGE_PATHS = {
    "/api/v1/leaderboards": {
        "post": operation(
            tag="leaderboards",
            operation_id="createLeaderboard",
            summary="Make a board.",
            scope="manage",
            body="LeaderboardCreate",
            responses={
                "201": answer(
                    "The board, as the listing shows it.",
                    BOARD,
                    headers={"Location": ref("headers", "Location")},
                ),
                "409": error("A board with this slug exists already.", "board_exists"),
            },
            description=(
                "Every setting but `slug` may be left out and takes its default. A board is "
                "ready at once, on every worker and instance. Recorded in the audit log as "
                "`board.create`, by the key's name."
            ),
        ),
    },
    "/api/v1/leaderboards/{slug}": {
        "parameters": [ref("parameters", "slug")],
        "get": operation(
            tag="leaderboards",
            operation_id="getLeaderboard",
            summary="One board with its settings, current period and player count.",
            scope="read",
            responses={"200": answer("The board, as the listing shows it.", BOARD)},
            errors=(404,),
        ),
        "patch": operation(
            tag="leaderboards",
            operation_id="changeLeaderboard",
            summary="Change some of a board's settings.",
            scope="manage",
            body="LeaderboardChange",
            responses={
                "200": answer("The board as changed.", BOARD),
                "409": error(
                    "The board has scores, and the change moves its `reset` or `timezone` "
                    "(the message starts with the field): nothing is changed.",
                    "board_setting_fixed",
                ),
            },
            errors=(404,),
            description=(
                "The settings left out stay as they are; the slug never changes (make a new "
                "board). A new title or order is seen by every read at once, new bounds and "
                "limits by submissions within 5 seconds on every worker. Recorded in the "
                "audit log as `board.change`, each changed setting before and after."
            ),
        ),
        "delete": operation(
            tag="leaderboards",
            operation_id="deleteLeaderboard",
            summary="Delete a board, with its scores, history and archives.",
            scope="manage",
            responses={
                "204": no_content(
                    "Deleted: off every read at once; the boards it fed keep their scores and "
                    "lose their source."
                ),
                "409": error(
                    "The default board, `global`, which is never deleted.", "board_protected"
                ),
            },
            errors=(404,),
            description="Recorded in the audit log as `board.delete`, with the settings it had.",
        ),
    },
}
