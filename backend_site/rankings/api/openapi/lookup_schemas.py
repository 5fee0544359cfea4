"""The components' schemas of a players lookup: what it asks, and what it answers."""

from __future__ import annotations

from backend_site.rankings.api import inputs
from backend_site.rankings.api.openapi.parts import (
    METADATA_READ,
    PERCENTILE,
    PERIOD_OR_NULL,
    PLAYER_ID,
    RANK,
    RANK_CHANGE,
    SCORE,
    SLUG,
    SUBSCORES,
    array_of,
    integer,
    object_schema,
)
from common import patterns

SCHEMAS = {
    "LookupRequest": object_schema(
        {
            "player_ids": {
                "type": "array",
                "items": PLAYER_ID,
                "minItems": 1,
                "maxItems": inputs.LOOKUP_MAX,
                "description": "The players to find; an id given twice is looked up once.",
            },
            "period": {"type": "string", "pattern": patterns.PERIOD, "default": "current"},
            "include": {
                "type": "array",
                "items": {"type": "string", "enum": ["metadata"]},
                "description": "`metadata`: send each entry's metadata (none by default).",
            },
        },
        optional=("period", "include"),
        description="Where a list of players (friends, a clan) stands on a board.",
    ),
    "LookedUp": object_schema(
        {
            "rank": RANK,
            "group_rank": {
                **RANK,
                "description": "Competition rank within the players found (equal scores share it).",
            },
            "player_id": PLAYER_ID,
            "name": {"type": "string"},
            "score": SCORE,
            "rank_change": RANK_CHANGE,
            "percentile": PERCENTILE,
            "subscores": SUBSCORES,
            "metadata": METADATA_READ,
        },
        optional=("subscores", "metadata"),
        description="One player of a lookup.",
    ),
    "Lookup": object_schema(
        {
            "leaderboard": SLUG,
            "period": PERIOD_OR_NULL,
            "total": integer(0),
            "entries": array_of("LookedUp"),
            "missing": {
                "type": "array",
                "items": PLAYER_ID,
                "description": "Asked for, with no score there (or hidden), in the order asked.",
            },
        },
        description="The players with an entry in rank order; the others in `missing`.",
    ),
}
