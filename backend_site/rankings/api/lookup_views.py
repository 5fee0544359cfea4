"""POST /api/v1/leaderboards/<slug>/players/lookup: where a list of players (friends, a clan)
stands on a board, in one call. A read, though a POST (the list goes in the body): it needs
the ``read`` scope (access.py) and changes nothing."""

from backend_site.rankings.api import inputs, views
from backend_site.rankings.api.views import allow, body_of, json_response
from backend_site.rankings.reads import selectors


@allow("GET", "HEAD", "POST")
def players_lookup(request, slug: str):
    if request.method != "POST":  # a player whose id is "lookup": their standing, as usual
        return views.player(request, slug, "lookup")
    asked = inputs.lookup_parse(body_of(request))
    found = selectors.players_lookup(
        slug=slug,
        player_ids=asked.player_ids,
        period=asked.period,
        metadata="metadata" in asked.include,
    )
    return json_response(
        {
            "leaderboard": slug,
            "period": views.period_json(found.period),
            "total": found.total,
            # orjson writes each LookedUp as {"rank", "group_rank", "player_id", "name",
            # "score", "rank_change", "percentile"}: the API's lookup entry shape.
            "entries": found.entries,
            "missing": found.missing,
        }
    )
