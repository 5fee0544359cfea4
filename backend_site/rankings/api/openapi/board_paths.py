"""The paths of the boards: entries, standings, history, periods, submissions, /getdata,
and this document."""

from __future__ import annotations

from backend_site.rankings.api import inputs
from backend_site.rankings.api.openapi.parts import (
    answer,
    array_of,
    operation,
    query_integer,
    ref,
)
from backend_site.rankings.reads import history

BOARD_PATHS = {
    "/api/v1/leaderboards/{slug}/entries": {
        "parameters": [ref("parameters", "slug")],
        "get": operation(
            tag="leaderboards",
            operation_id="getEntries",
            summary="A page of the board, best first.",
            scope="read",
            responses={
                "200": answer(
                    "The page; an offset past the end gives no entries.", ref("schemas", "Page")
                )
            },
            errors=(400, 404),
            parameters=[
                query_integer(
                    "offset",
                    "Position of the first entry.",
                    default=0,
                    low=0,
                    high=inputs.MAX_OFFSET,
                ),
                query_integer(
                    "limit", "Entries per page.", default=10, low=1, high=inputs.PAGE_LIMIT_MAX
                ),
                ref("parameters", "period"),
                ref("parameters", "include"),
            ],
        ),
    },
    "/api/v1/leaderboards/{slug}/players/{player_id}": {
        "parameters": [ref("parameters", "slug"), ref("parameters", "player_id")],
        "get": operation(
            tag="players",
            operation_id="getStanding",
            summary="A player's standing and the entries around them.",
            scope="read",
            responses={
                "200": answer(
                    "The standing; the window shifts at the board's edges.",
                    ref("schemas", "Standing"),
                ),
                "404": ref("responses", "PlayerNotFound"),
            },
            errors=(400,),
            description=(
                "404 `player_not_found` when the player has no score on the board (in that "
                "period), or is hidden by a moderator."
            ),
            parameters=[
                query_integer(
                    "around",
                    "Entries each side of the player.",
                    default=2,
                    low=0,
                    high=inputs.AROUND_MAX,
                ),
                ref("parameters", "period"),
                ref("parameters", "include"),
            ],
        ),
    },
    "/getdata": {
        "get": operation(
            tag="leaderboards",
            operation_id="getData",
            summary="The original sample's format: the global board, best first.",
            scope="read",
            responses={
                "200": answer("Up to `limit` entries; `id` is the rank.", array_of("GetdataEntry"))
            },
            errors=(400, 404),
            parameters=[
                query_integer(
                    "limit", "Entries.", default=100, low=1, high=inputs.GETDATA_LIMIT_MAX
                )
            ],
        ),
    },
    "/api/v1/leaderboards/{slug}/scores": {
        "parameters": [ref("parameters", "slug")],
        "post": operation(
            tag="scores",
            operation_id="submitScore",
            summary="Submit a player's score; the board's operator decides what is kept.",
            scope="write",
            body="ScoreSubmission",
            responses={
                "200": answer(
                    "Saved and ranked (a player a moderator has hidden: saved, `rank` null).",
                    ref("schemas", "ScoreResult"),
                    replayed=True,
                ),
                "202": answer(
                    "Saved in the database, not ranked yet (Redis away): `rank` is null.",
                    ref("schemas", "ScoreResult"),
                    replayed=True,
                ),
                "403": ref("responses", "SubmissionForbidden"),
            },
            errors=(404, 422),
            description=(
                "A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) "
                "is a 400. A board with `max_submissions_per_minute` takes that many "
                "submissions from each player in any 60 seconds, then answers 429. A player "
                "a moderator has banned is refused with 403 `player_banned`; one they have "
                "hidden is answered 200 with `rank` null (the score is stored and ranked "
                "nowhere until the sanction ends)."
            ),
            parameters=[ref("parameters", "Idempotency-Key")],
        ),
    },
    "/api/v1/scores/batch": {
        "post": operation(
            tag="scores",
            operation_id="submitScoreBatch",
            summary="Submit many scores, to any boards, in order and all or nothing.",
            scope="write",
            body="Batch",
            responses={
                "200": answer(
                    "Every item applied; results in request order.",
                    ref("schemas", "BatchResult"),
                    replayed=True,
                ),
                "202": answer(
                    "Saved, not all ranked yet (Redis away).",
                    ref("schemas", "BatchResult"),
                    replayed=True,
                ),
                "403": ref("responses", "SubmissionForbidden"),
            },
            errors=(404, 422),
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
            parameters=[ref("parameters", "Idempotency-Key")],
        ),
    },
    "/api/v1/leaderboards": {
        "get": operation(
            tag="leaderboards",
            operation_id="listLeaderboards",
            summary="Every board with its settings, current period and player count.",
            scope="read",
            responses={"200": answer("The boards.", ref("schemas", "LeaderboardList"))},
        ),
    },
    "/api/v1/leaderboards/{slug}/periods": {
        "parameters": [ref("parameters", "slug")],
        "get": operation(
            tag="leaderboards",
            operation_id="listPeriods",
            summary="The board's periods, newest first, with their players and winners.",
            scope="read",
            responses={
                "200": answer(
                    "The current period first (`closed` false), then the previous one while "
                    "it is not archived yet, then the archived ones. A board that never "
                    "resets has none.",
                    ref("schemas", "PeriodList"),
                )
            },
            errors=(400, 404),
            parameters=[
                query_integer("limit", "Periods.", default=20, low=1, high=inputs.PERIODS_LIMIT_MAX)
            ],
        ),
    },
    "/api/v1/openapi.json": {
        "get": operation(
            tag="meta",
            operation_id="getOpenApiDocument",
            summary="This document.",
            scope="read",
            responses={
                "200": answer("The OpenAPI 3.1 document.", ref("schemas", "OpenApiDocument"))
            },
        ),
    },
    "/api/v1/leaderboards/{slug}/players/{player_id}/history": {
        "parameters": [ref("parameters", "slug"), ref("parameters", "player_id")],
        "get": operation(
            tag="players",
            operation_id="getPlayerHistory",
            summary="A player's score and rank at the end of each of the last days.",
            scope="read",
            responses={
                "200": answer(
                    "Oldest first, one point per day on which the player had a score.",
                    ref("schemas", "PlayerHistory"),
                ),
                "404": ref("responses", "PlayerNotFound"),
            },
            errors=(400,),
            description=(
                "A day's point is the player's score and rank when it ended, in the board's "
                "time zone, in the period then in force; today's is their live standing. "
                "404 `player_not_found` when the player never had a score on the board, or "
                "is hidden by a moderator."
            ),
            parameters=[
                query_integer(
                    "days",
                    "Days covered, today included.",
                    default=history.DAYS_DEFAULT,
                    low=1,
                    high=history.DAYS_MAX,
                )
            ],
        ),
    },
}
