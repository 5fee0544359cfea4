"""JSON API of the ranking service: parse, call one selector or service, shape the answer."""

from functools import wraps

import orjson
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from backend_site.rankings import (
    batch,
    history,
    idempotency,
    inputs,
    openapi,
    selectors,
    services,
)
from backend_site.rankings.errors import LengthRequired, error_response
from backend_site.rankings.models import DEFAULT_BOARD


def json_response(data, status: int = 200) -> HttpResponse:
    # orjson: several times faster than json.dumps on the read paths, same output.
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def allow(*methods: str):
    """Answer other methods with a JSON 405 that lists the allowed ones."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response(
                    405, "method_not_allowed", f"Use {' or '.join(methods)} here."
                )
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorate


@allow("GET", "HEAD")
def getdata(request):
    """The original sample's endpoint: [{"id": rank, "name", "score"}] for the global board."""
    limit = inputs.query_int(
        request.GET, "limit", default=100, low=1, high=inputs.GETDATA_LIMIT_MAX
    )
    page = selectors.board_top(slug=DEFAULT_BOARD, offset=0, limit=limit)
    return json_response(
        [{"id": entry.rank, "name": entry.name, "score": entry.score} for entry in page.entries]
    )


@allow("GET", "HEAD")
def leaderboards(request):
    boards = selectors.leaderboards_overview()
    return json_response(
        {
            "leaderboards": [
                {
                    "slug": board.slug,
                    "title": board.title,
                    "order": board.order,
                    "operator": board.operator,
                    "players": board.players,
                }
                for board in boards
            ]
        }
    )


@allow("GET", "HEAD")
def entries(request, slug: str):
    offset = inputs.query_int(request.GET, "offset", default=0, low=0, high=inputs.MAX_OFFSET)
    limit = inputs.query_int(request.GET, "limit", default=10, low=1, high=inputs.PAGE_LIMIT_MAX)
    page = selectors.board_top(slug=slug, offset=offset, limit=limit)
    return json_response(
        {
            "leaderboard": slug,
            "total": page.total,
            "offset": offset,
            "limit": limit,
            # orjson writes each Entry as {"rank", "player_id", "name", "score"} (its fields,
            # in order) without a dict per row built here: that is the API's entry shape.
            "entries": page.entries,
        }
    )


@allow("GET", "HEAD")
def player(request, slug: str, player_id: str):
    player_id = inputs.player_id_clean(player_id)
    around = inputs.query_int(request.GET, "around", default=2, low=0, high=inputs.AROUND_MAX)
    standing = selectors.player_standing(slug=slug, player_id=player_id, around=around)
    return json_response(
        {
            "leaderboard": slug,
            "player_id": standing.player_id,
            "name": standing.name,
            "score": standing.score,
            "rank": standing.rank,
            "percentile": selectors.percentile(standing),
            "total": standing.total,
            "around": standing.around,
        }
    )


def idempotent(view):
    """Honour an Idempotency-Key: a retried POST is answered from the first, applied once.

    The view returns (write, answer): the write to run once and how to answer its result.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        write, answer = view(request, *args, **kwargs)
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return answer(write())
        return idempotency.run(
            key=inputs.idempotency_key_clean(key),
            fingerprint=idempotency.fingerprint(path=request.path, body=request.body),
            write=write,
            answer=answer,
            settle=lambda stored: services.entries_resync(_entries_answered(stored, kwargs)),
        )

    return wrapped


def _entries_answered(stored: bytes, kwargs: dict) -> list[tuple[str, str]]:
    """The (board, player) entries a stored answer of ``scores`` or ``scores_batch`` names."""
    data = orjson.loads(stored)
    if "results" in data:
        return [(row["leaderboard"], row["player_id"]) for row in data["results"]]
    return [(kwargs["slug"], data["player_id"])]


def _body(request) -> bytes:
    """The POST's body; LengthRequired for one sent in chunks, which Django reads as empty."""
    body = request.body
    if not body and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise LengthRequired()
    return body


def _ranked_status(rank: int | None) -> int:
    # 202: saved in the database, not ranked yet (Redis unreachable); it will be.
    return 200 if rank is not None else 202


@allow("POST")
@idempotent
def scores(request, slug: str):
    submission = inputs.submission_parse(_body(request))
    board = selectors.board_for_write(slug=slug)

    def write() -> services.SubmitResult:
        return services.score_submit(
            board=board,
            player_id=submission.player_id,
            score=submission.score,
            name=submission.name,
        )

    def answer(result: services.SubmitResult) -> HttpResponse:
        rank = result.rank
        body = {
            "player_id": result.player_id,
            "score": result.score,
            "rank": rank,
            "previous_rank": result.previous_rank,
            "updated": result.updated,
        }
        return json_response(body, status=_ranked_status(rank))

    return write, answer


@allow("POST")
@idempotent
def scores_batch(request):
    items = inputs.batch_parse(_body(request))

    def write() -> list[services.SubmitResult]:
        return batch.scores_submit_batch(items=items)

    def answer(results: list[services.SubmitResult]) -> HttpResponse:
        rows = [
            {
                "leaderboard": r.slug,
                "player_id": r.player_id,
                "score": r.score,
                "rank": r.rank,
                "updated": r.updated,
            }
            for r in results
        ]
        ranked = all(row["rank"] is not None for row in rows)
        return json_response({"results": rows}, status=200 if ranked else 202)

    return write, answer


@allow("GET", "HEAD")
def openapi_document(request):
    """This API's OpenAPI 3.1 document (rankings/openapi.py), behind the same token."""
    return HttpResponse(openapi.document_json(), content_type="application/json")


@csrf_exempt  # else a POST to an unknown path gets Django's HTML CSRF page, not a JSON 404
def not_found(request, *args, **kwargs):
    return error_response(404, "not_found", f"Nothing at {request.path}.")


def bad_request(request, exception=None):
    return error_response(400, "bad_request", "The request could not be understood.")


def forbidden(request, exception=None):
    return error_response(403, "forbidden", "Not allowed.")


def server_error(request):
    return error_response(500, "internal", "Something went wrong on our side.")


@allow("GET", "HEAD")
def player_history(request, slug: str, player_id: str):
    player_id = inputs.player_id_clean(player_id)
    days = inputs.query_int(
        request.GET, "days", default=history.DAYS_DEFAULT, low=1, high=history.DAYS_MAX
    )
    board = history.board_get(slug=slug)
    points = history.player_history(board=board, player_id=player_id, days=days)
    # orjson writes each Point as {"date": "YYYY-MM-DD", "score", "rank"}.
    return json_response(
        {"leaderboard": slug, "player_id": player_id, "days": days, "points": points}
    )
