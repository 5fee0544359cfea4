"""The path of a players lookup: a list of players on a board in one call (a read, though a
POST: the list goes in the body)."""

from __future__ import annotations

from backend_site.rankings.api.openapi.board_paths import BOARD_PATHS
from backend_site.rankings.api.openapi.parts import answer, operation, ref

# A player may be called "lookup": a GET of the lookup's path is their standing.
_STANDING = BOARD_PATHS["/api/v1/leaderboards/{slug}/players/{player_id}"]["get"]

LOOKUP_PATHS = {
    "/api/v1/leaderboards/{slug}/players/lookup": {
        "parameters": [ref("parameters", "slug")],
        "get": {
            **_STANDING,
            "operationId": "getStandingOfPlayerNamedLookup",
            "summary": "The standing of the player whose id is `lookup`, as for any player.",
        },
        "post": operation(
            tag="players",
            operation_id="lookupPlayers",
            summary="Where a list of players (friends, a clan) stands on the board.",
            scope="read",
            body="LookupRequest",
            responses={
                "200": answer(
                    "The players with an entry in rank order; the others in `missing`.",
                    ref("schemas", "Lookup"),
                ),
            },
            errors=(404,),
            description=(
                "A read, though a POST (the list goes in the body): it needs the `read` "
                "scope and changes nothing. One round trip to Redis, O(k log N) for k ids. "
                "404 for an unknown board or a period it never had."
            ),
        ),
    },
}
