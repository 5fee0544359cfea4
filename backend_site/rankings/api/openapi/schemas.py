"""The components' schemas of errors, boards, their pages and periods, players' standings and
history, and score submissions: every object an answer or a request body holds, by name."""

from __future__ import annotations

from backend_site.rankings.api import inputs
from backend_site.rankings.api.openapi.parts import (
    DATETIME,
    HIDDEN_RANK,
    METADATA,
    METADATA_READ,
    NAME,
    PERCENTILE,
    PERIOD_ID,
    PERIOD_OR_NULL,
    PLAYER_ID,
    RANK,
    RANK_CHANGE,
    RANK_OR_NULL,
    SCORE,
    SLUG,
    SUBSCORE_ORDERS,
    SUBSCORES,
    array_of,
    integer,
    nullable,
    object_schema,
    ref,
)
from backend_site.rankings.models import MAX_SCORE, Leaderboard
from backend_site.rankings.reads import history
from common import patterns

ERROR_SCHEMAS = {
    "Error": object_schema(
        {"error": ref("schemas", "ErrorDetail")},
        description=(
            'Every error answer: `{"error": {"code": "...", "message": "..."}}`. Each answer '
            "lists the codes it may carry (and as `x-error-codes`)."
        ),
    ),
    "ErrorDetail": object_schema(
        {
            "code": {
                "type": "string",
                "pattern": "^[a-z_]+$",
                "description": "What went wrong, stable: branch on it.",
            },
            "message": {"type": "string", "description": "What went wrong, for people."},
        }
    ),
}

BOARD_SCHEMAS = {
    "Metadata": {
        "type": "object",
        "description": (
            "What the game attaches to a score (a replay id, the car, a level seed): a JSON "
            f"object of at most {patterns.METADATA_MAX} bytes as compact JSON. The entry keeps "
            "the metadata of the submission that set its current score (on a `best` board, the "
            "best run's); a submission that sets it without metadata leaves none."
        ),
    },
    "SubscoreOrder": {
        "type": "string",
        "enum": ["asc", "desc"],
        "description": "A tie-break column's order: `asc`, lower is better; `desc`, higher.",
    },
    "Subscores": {
        "type": "array",
        "items": SCORE,
        "minItems": 1,
        "maxItems": 2,
        "description": (
            "The entry's tie-break values, one integer per column of its board's `subscores` "
            "(`Leaderboard.subscores`), in that order: a board with subscores requires them on "
            "every submission, sends them on every entry, and ranks equal scores by them "
            "(two entries share a rank only when the score and every subscore are equal). "
            "Refused on a board without subscores."
        ),
    },
    "Entry": object_schema(
        {
            "rank": RANK,
            "player_id": PLAYER_ID,
            "name": {"type": "string"},
            "score": SCORE,
            "rank_change": RANK_CHANGE,
            "subscores": SUBSCORES,
            "metadata": METADATA_READ,
        },
        optional=("subscores", "metadata"),
        description="One ranked row of a board.",
    ),
    "Period": object_schema(
        {"id": PERIOD_ID, "start": DATETIME, "end": DATETIME},
        description=(
            "A period of a board that resets, in its zone: `2026-11-25` (daily), `2026-W48` "
            "(weekly, from Monday 00:00) or `2026-11` (monthly); it ends where the next starts."
        ),
    ),
    "Page": object_schema(
        {
            "leaderboard": SLUG,
            "period": PERIOD_OR_NULL,
            "total": integer(0),
            "offset": integer(0),
            "limit": integer(1),
            "entries": array_of("Entry"),
        },
        description="A page of a board, best first.",
    ),
    "Standing": object_schema(
        {
            "leaderboard": SLUG,
            "period": PERIOD_OR_NULL,
            "player_id": PLAYER_ID,
            "name": {"type": "string"},
            "score": SCORE,
            "rank": RANK,
            "rank_change": RANK_CHANGE,
            "percentile": PERCENTILE,
            "total": integer(1),
            "subscores": SUBSCORES,
            "metadata": METADATA_READ,
            "around": array_of("Entry"),
        },
        optional=("subscores", "metadata"),
        description="A player's standing on a board, and the entries around them.",
    ),
    "GetdataEntry": object_schema(
        {"id": RANK, "name": {"type": "string"}, "score": SCORE},
        description="One row of `/getdata`, the original sample's format: `id` is the rank.",
    ),
    "BoardReset": {
        "type": "string",
        "enum": list(Leaderboard.Reset.values),
        "description": "When the board starts a new period: never, or each day, week or month.",
    },
    "BoardOrder": {
        "type": "string",
        "enum": list(Leaderboard.Order.values),
        "description": "`desc`: highest first; `asc`: lowest first (speed-runs).",
    },
    "BoardOperator": {
        "type": "string",
        "enum": list(Leaderboard.Operator.values),
        "description": (
            "What a submission does: keep the player's `best` score, the `latest` one, or add "
            "to it (`increment`)."
        ),
    },
    "Leaderboard": object_schema(
        {
            "slug": SLUG,
            "title": {"type": "string"},
            "order": ref("schemas", "BoardOrder"),
            "operator": ref("schemas", "BoardOperator"),
            "players": {**integer(0), "description": "Players in the current period."},
            "reset": ref("schemas", "BoardReset"),
            "timezone": {"type": "string", "description": "IANA name."},
            "source": {
                "type": ["string", "null"],
                "description": "The board whose every accepted score is also applied here.",
            },
            "subscores": SUBSCORE_ORDERS,
            "min_score": nullable(
                SCORE,
                description="The lowest score accepted (increment boards: total). null: none.",
            ),
            "max_score": nullable(
                SCORE,
                description="The highest score accepted (increment boards: total). null: none.",
            ),
            "max_increment": nullable(
                integer(1, MAX_SCORE),
                description="Increment boards: the largest single addition. null: none.",
            ),
            "max_submissions_per_minute": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": (
                    "Per player: the submissions to this board (single or batch items) taken "
                    "in any 60 seconds; more are a 429. null: unlimited."
                ),
            },
            "period": PERIOD_OR_NULL,
        },
        description="A board, with its settings, current period and player count.",
    ),
    "LeaderboardList": object_schema({"leaderboards": array_of("Leaderboard")}),
    "PeriodList": object_schema(
        {
            "leaderboard": SLUG,
            "reset": ref("schemas", "BoardReset"),
            "timezone": {"type": "string"},
            "periods": array_of("PeriodSummary"),
        },
        description="A board's periods, newest first.",
    ),
    "PeriodSummary": object_schema(
        {
            "id": PERIOD_ID,
            "start": DATETIME,
            "end": DATETIME,
            "players": integer(0),
            "winner": nullable(ref("schemas", "Winner"), description="null: no player."),
            "closed": {"type": "boolean", "description": "Archived: its ranks are final."},
        },
        description="A period of a board, with its players and winner.",
    ),
    "Winner": object_schema(
        {
            "player_id": nullable(PLAYER_ID, description="null once the winner is erased."),
            "name": {"type": ["string", "null"], "description": "null once the winner is erased."},
            "score": SCORE,
        },
        description="The best player of a period.",
    ),
    "PlayerHistory": object_schema(
        {
            "leaderboard": SLUG,
            "player_id": PLAYER_ID,
            "days": integer(1, history.DAYS_MAX),
            "points": array_of("HistoryPoint", maxItems=history.DAYS_MAX),
        },
        description="A player's score and rank at the end of each day, oldest first.",
    ),
    "HistoryPoint": object_schema(
        {"date": {"type": "string", "format": "date"}, "score": SCORE, "rank": RANK}
    ),
    "OpenApiDocument": {
        "type": "object",
        "description": "An OpenAPI 3.1 document: this one.",
    },
}

SCORE_SCHEMAS = {
    "ScoreSubmission": object_schema(
        {
            "player_id": PLAYER_ID,
            "score": SCORE,
            "name": NAME,
            "metadata": METADATA,
            "subscores": SUBSCORES,
        },
        optional=("name", "metadata", "subscores"),
    ),
    "ScoreResult": object_schema(
        {
            "player_id": PLAYER_ID,
            "score": {**SCORE, "description": "The entry's score after this submission."},
            "rank": {**RANK_OR_NULL, "description": HIDDEN_RANK},
            "previous_rank": {
                **RANK_OR_NULL,
                "description": "The rank just before; null for a new entry (or a 202).",
            },
            "updated": {"type": "boolean", "description": "Whether the stored score changed."},
            "also": array_of(
                "FedScore",
                description="The same score on each board this board feeds (their `source`).",
            ),
        },
        description="What a submission did.",
    ),
    "FedScore": object_schema(
        {
            "leaderboard": SLUG,
            "score": SCORE,
            "rank": RANK_OR_NULL,
            "updated": {"type": "boolean"},
        },
        description="A submission's score on a board the submitted board feeds.",
    ),
    "Batch": object_schema(
        {"scores": array_of("BatchItem", minItems=1, maxItems=inputs.BATCH_MAX)},
    ),
    "BatchItem": object_schema(
        {
            "leaderboard": {**SLUG, "maxLength": 50},
            "player_id": PLAYER_ID,
            "score": SCORE,
            "name": NAME,
            "metadata": METADATA,
            "subscores": SUBSCORES,
        },
        optional=("name", "metadata", "subscores"),
    ),
    "BatchResult": object_schema(
        {"results": array_of("BatchItemResult", description="In request order.")},
    ),
    "BatchItemResult": object_schema(
        {
            "leaderboard": SLUG,
            "player_id": PLAYER_ID,
            "score": {**SCORE, "description": "The score after this item."},
            "rank": {
                **RANK_OR_NULL,
                "description": "The rank after the whole batch; " + HIDDEN_RANK,
            },
            "updated": {"type": "boolean"},
            "also": array_of(
                "FedScore",
                description="The same score on each board this board feeds (their `source`).",
            ),
        },
        description="What one item of a batch did.",
    ),
}

SCHEMAS = {**ERROR_SCHEMAS, **BOARD_SCHEMAS, **SCORE_SCHEMAS}
