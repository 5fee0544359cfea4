"""The components' schemas of a board as a `manage` key sends it: a new board, or a change of
some of its settings (what the answers hold is the listing's ``Leaderboard``)."""

from __future__ import annotations

from backend_site.rankings.api.openapi.parts import (
    SCORE,
    SLUG,
    SUBSCORE_ORDERS,
    integer,
    nullable,
    object_schema,
    ref,
)
from backend_site.rankings.fields import TITLE_MAX
from backend_site.rankings.models import MAX_SCORE, MAX_SUBMISSIONS_PER_MINUTE, Leaderboard

TIMEZONE_MAX = Leaderboard._meta.get_field("timezone").max_length

# Each setting as a caller sends it; what a schema cannot say (a title with something
# visible, a zone that exists, a source that exists and has no source, the lowest score not
# above the highest, max_increment on increment boards only) is a 400 naming the field.
SETTINGS = {
    "title": {
        "type": "string",
        "minLength": 1,
        "maxLength": TITLE_MAX,
        "pattern": r"^[^\x00-\x1f\x7f-\x9f]*$",
        "description": (
            f"Up to {TITLE_MAX} characters, not all spaces (trimmed), no control characters. "
            "Absent on a new board: its slug."
        ),
    },
    # Absent on a new board: `desc`, `best`, `never`; the reset is fixed once it has scores.
    "order": ref("schemas", "BoardOrder"),
    "operator": ref("schemas", "BoardOperator"),
    "reset": ref("schemas", "BoardReset"),
    "timezone": {
        "type": "string",
        "minLength": 1,
        "maxLength": TIMEZONE_MAX,
        "description": (
            "An IANA name (`UTC`, the default; `Europe/Paris`): where the periods' midnights "
            "are. Fixed once the board has scores."
        ),
    },
    "source": nullable(
        SLUG,
        description=(
            "The board whose every accepted score is also applied here, with this board's own "
            "operator; null: none. It must exist and have no source itself, and a board that "
            "feeds others takes none."
        ),
    ),
    "subscores": {
        **SUBSCORE_ORDERS,
        "description": SUBSCORE_ORDERS["description"].replace(
            "Empty: none.", "Absent or empty on a new board: none."
        ),
    },
    "min_score": nullable(
        SCORE, description="The lowest score accepted (increment boards: total). null: none."
    ),
    "max_score": nullable(
        SCORE, description="The highest score accepted (increment boards: total). null: none."
    ),
    "max_increment": nullable(
        integer(1, MAX_SCORE),
        description="Increment boards only: the largest single addition. null: none.",
    ),
    "max_submissions_per_minute": nullable(
        integer(1, MAX_SUBMISSIONS_PER_MINUTE),
        description="Per player: the submissions to this board taken in any 60 seconds; "
        "null: unlimited.",
    ),
}

SCHEMAS = {
    "LeaderboardCreate": object_schema(
        {"slug": SLUG, **SETTINGS},
        optional=tuple(SETTINGS),
        description="A new board: its slug, and any settings (the others take their defaults).",
    ),
    "LeaderboardChange": object_schema(
        SETTINGS,
        optional=tuple(SETTINGS),
        description="Some of a board's settings, each to its new value; the slug never changes.",
    ),
}
