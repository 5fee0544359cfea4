"""JSON API of the ranking service: parse, call one selector or service, shape the answer."""

from functools import wraps

import orjson
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from backend_site import limits
from backend_site.rankings import subscores
from backend_site.rankings.api import idempotency, inputs
from backend_site.rankings.api.openapi import document
from backend_site.rankings.calendar import boards
from backend_site.rankings.errors import LengthRequired, error_response
from backend_site.rankings.models import DEFAULT_BOARD
from backend_site.rankings.reads import history, selectors
from backend_site.rankings.writes import (
    batch,
    bounds,
    reviews,
    sanctions,
    services,
)


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
    page = selectors.board_top(slug=DEFAULT_BOARD, offset=0, limit=limit, movement=False)
    return json_response(
        [{"id": entry.rank, "name": entry.name, "score": entry.score} for entry in page.entries]
    )


def period_json(period) -> dict | None:
    return period.as_json() if period is not None else None


@allow("GET", "HEAD")
def entries(request, slug: str):
    offset = inputs.query_int(request.GET, "offset", default=0, low=0, high=inputs.MAX_OFFSET)
    limit = inputs.query_int(request.GET, "limit", default=10, low=1, high=inputs.PAGE_LIMIT_MAX)
    period = inputs.period_param(request.GET)
    include = inputs.include_param(request.GET)
    page = selectors.board_top(
        slug=slug, offset=offset, limit=limit, period=period, metadata="metadata" in include
    )
    return json_response(
        {
            "leaderboard": slug,
            "period": period_json(page.period),
            "total": page.total,
            "offset": offset,
            "limit": limit,
            # orjson writes each Entry as {"rank", "player_id", "name", "score",
            # "rank_change"} (its fields, in order; "metadata" last when asked) without a
            # dict per row built here: that is the API's entry shape.
            "entries": page.entries,
        }
    )


@allow("GET", "HEAD")
def player(request, slug: str, player_id: str):
    player_id = inputs.player_id_clean(player_id)
    around = inputs.query_int(request.GET, "around", default=2, low=0, high=inputs.AROUND_MAX)
    period = inputs.period_param(request.GET)
    with_metadata = "metadata" in inputs.include_param(request.GET)
    standing = selectors.player_standing(
        slug=slug, player_id=player_id, around=around, period=period, metadata=with_metadata
    )
    own: dict = {}
    if standing.subscores is not None:
        own["subscores"] = standing.subscores
    if with_metadata:
        own["metadata"] = standing.metadata
    return json_response(
        {
            "leaderboard": slug,
            "period": period_json(standing.period),
            "player_id": standing.player_id,
            "name": standing.name,
            "score": standing.score,
            "rank": standing.rank,
            "rank_change": standing.rank_change,
            "percentile": selectors.percentile(standing),
            "total": standing.total,
            **own,
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
    rows = data["results"] if "results" in data else [{**data, "leaderboard": kwargs["slug"]}]
    entries = []
    for row in rows:
        entries.append((row["leaderboard"], row["player_id"]))
        entries += [(also["leaderboard"], row["player_id"]) for also in row.get("also", ())]
    return entries


def body_of(request) -> bytes:
    """The POST's body; LengthRequired for one sent in chunks, which Django reads as empty."""
    body = request.body
    if not body and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise LengthRequired()
    return body


def _also(result: services.SubmitResult) -> list[dict]:
    """The submission's outcome on each board its board feeds."""
    return [
        {"leaderboard": fed.slug, "score": fed.score, "rank": fed.rank, "updated": fed.updated}
        for fed in result.also
    ]


def reviewed(view):
    """Keep every submission refused as out of bounds for review, whether the view refused it
    before writing or the write's transaction did (and rolled back)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except bounds.ScoreOutOfBounds as exc:
            reviews.reviews_record(exc.refusals)
            raise

    return wrapped


@allow("POST")
@reviewed
@idempotent
def scores(request, slug: str):
    submission = inputs.submission_parse(body_of(request))
    sanctions.expire_due()
    board = boards.board_known(slug).board
    ties = subscores.values_clean(submission.subscores, board.subscore_orders)
    problem = board.bounded and bounds.score_problem(board, submission.score)
    if problem:
        refusal = bounds.Refusal(None, slug, submission.player_id, submission.score, problem)
        raise bounds.ScoreOutOfBounds([refusal])

    def write() -> services.SubmitResult:
        # Counted against the board's per-player limit only when it runs: a replayed retry
        # is not a new submission.
        with limits.submissions([(board.slug, submission.player_id)]) as quota:
            request.rate_quota = quota
            return services.score_submit(
                board=board,
                player_id=submission.player_id,
                score=submission.score,
                name=submission.name,
                metadata=submission.metadata,
                ties=ties,
            )

    def answer(result: services.SubmitResult) -> HttpResponse:
        rank = result.rank
        body = {
            "player_id": result.player_id,
            "score": result.score,
            "rank": rank,
            "previous_rank": result.previous_rank,
            "updated": result.updated,
            "also": _also(result),
        }
        # A hidden player's score is stored and ranked nowhere: that is final, not pending.
        ranked = result.hidden or (
            rank is not None and all(row["rank"] is not None for row in body["also"])
        )
        response = json_response(body, status=200 if ranked else 202)
        limits.headers_add(response, getattr(request, "rate_quota", None))
        return response

    return write, answer


@allow("POST")
@reviewed
@idempotent
def scores_batch(request):
    items = inputs.batch_parse(body_of(request))
    sanctions.expire_due()
    refusals = batch.bounds_check(items)
    if refusals:
        raise bounds.ScoreOutOfBounds(refusals)

    def write() -> list[services.SubmitResult]:
        counted = [(item.leaderboard, item.player_id) for item in items]
        with limits.submissions(counted, batch=True):
            return batch.scores_submit_batch(items=items)

    def answer(results: list[services.SubmitResult]) -> HttpResponse:
        rows = [
            {
                "leaderboard": r.slug,
                "player_id": r.player_id,
                "score": r.score,
                "rank": r.rank,
                "updated": r.updated,
                "also": _also(r),
            }
            for r in results
        ]
        # 202: saved in the database, not ranked yet (Redis unreachable); it will be.
        ranked = all(
            result.hidden
            or (row["rank"] is not None and all(also["rank"] is not None for also in row["also"]))
            for result, row in zip(results, rows, strict=True)
        )
        return json_response({"results": rows}, status=200 if ranked else 202)

    return write, answer


@allow("GET", "HEAD")
def periods(request, slug: str):
    """The board's periods, newest first, with their players and winners."""
    limit = inputs.query_int(request.GET, "limit", default=20, low=1, high=inputs.PERIODS_LIMIT_MAX)
    board, found = selectors.periods_overview(slug=slug, limit=limit)
    return json_response(
        {
            "leaderboard": board.slug,
            "reset": board.reset,
            "timezone": board.timezone,
            "periods": [
                {
                    **summary.period.as_json(),
                    "players": summary.players,
                    "winner": (
                        {
                            "player_id": summary.winner.player_id or None,  # erased: None
                            "name": summary.winner.name or None,
                            "score": summary.winner.score,
                        }
                        if summary.winner
                        else None
                    ),
                    "closed": summary.closed,
                }
                for summary in found
            ],
        }
    )


@allow("GET", "HEAD")
def openapi_document(request):
    """This API's OpenAPI 3.1 document (api/openapi/), behind the same token."""
    return HttpResponse(document.document_json(), content_type="application/json")


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
    board = boards.board_known(slug, fresh=True).board
    points = history.player_history(board=board, player_id=player_id, days=days)
    # orjson writes each Point as {"date": "YYYY-MM-DD", "score", "rank"}.
    return json_response(
        {"leaderboard": slug, "player_id": player_id, "days": days, "points": points}
    )
