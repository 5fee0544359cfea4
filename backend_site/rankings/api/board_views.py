"""The boards themselves: listed and read (the `read` scope), made, changed and deleted (the
`manage` scope, access.py). Parse, call one function of reads/ or writes/boards.py, answer
with the board as the listing shows it."""

from django.http import HttpResponse
from django.urls import reverse

from backend_site.audit import log as audit
from backend_site.rankings.api import board_inputs
from backend_site.rankings.api.views import allow, body_of, json_response, period_json
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import boards


def board_json(row: selectors.BoardOverview) -> dict:
    """A board as every answer about boards shows it (the document's Leaderboard schema)."""
    board = row.board
    return {
        "slug": board.slug,
        "title": board.title,
        "order": board.order,
        "operator": board.operator,
        "players": row.players,
        "reset": board.reset,
        "timezone": board.timezone,
        "min_score": board.min_score,
        "max_score": board.max_score,
        "max_increment": board.max_increment,
        "max_submissions_per_minute": board.max_submissions_per_minute,
        "source": row.source,
        "subscores": list(board.subscore_orders),
        "period": period_json(row.period),
    }


@allow("GET", "HEAD", "POST")
def leaderboards(request):
    """Every board (GET), or a new one (POST, the manage scope: 201 with its Location)."""
    if request.method == "POST":
        slug, settings = board_inputs.board_create_parse(body_of(request))
        board = boards.board_create(slug=slug, settings=settings, actor=audit.key_actor())
        response = json_response(board_json(selectors.board_made_overview(board)), status=201)
        response["Location"] = reverse("rankings:leaderboard", kwargs={"slug": slug})
        return response
    overview = selectors.leaderboards_overview()
    return json_response({"leaderboards": [board_json(row) for row in overview]})


@allow("GET", "HEAD", "PATCH", "DELETE")
def leaderboard(request, slug: str):
    """One board (GET); a change of its settings (PATCH), or its deletion (DELETE: 204),
    both to the manage scope."""
    if request.method == "PATCH":
        changes = board_inputs.board_change_parse(body_of(request))
        boards.board_change(slug=slug, changes=changes, actor=audit.key_actor())
    elif request.method == "DELETE":
        boards.board_delete(slug=slug, actor=audit.key_actor())
        return HttpResponse(status=204)
    return json_response(board_json(selectors.board_overview(slug=slug)))
