"""Public pages: parse the query, read one snapshot, render it (stale or fresh)."""

import functools
import re
from collections.abc import Callable

import orjson
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from frontend_site.board import pages, snapshots
from frontend_site.board.backend_client import BackendNotFound, BackendUnavailable

_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
_PAGE_RE = re.compile(r"^[0-9]{1,7}$")
RETRY_AFTER_SECONDS = "5"
# A board page (and /data.json) depends only on its snapshot, so each snapshot is rendered
# once per worker: a burst of views within the cache period costs one render, not one each.
_RENDERED: dict[tuple, bytes] = {}
RENDERED_MAX = 256


@require_safe
def leaderboard(request):
    return _board(request, "board/leaderboard.html")


@require_safe
def leaderboard_table(request):
    """The table part of the leaderboard, for the Refresh Scores button."""
    return _board(request, "board/_board.html")


def _backend_errors_as_pages(what: str):
    """A view that reads a snapshot: the backend's 404 becomes ours, its absence our 503."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except BackendNotFound:
                return not_found(request, what=what)
            except BackendUnavailable:
                return unavailable(request)

        return wrapped

    return decorate


@_backend_errors_as_pages("leaderboard")
def _board(request, template: str):
    board = request.GET.get("board", snapshots.DEFAULT_BOARD)
    if not _SLUG_RE.match(board):
        return not_found(request)
    page = _page_number(request.GET.get("page", ""))
    snapshot = snapshots.board_page_snapshot(board=board, page=page, request_id=request.request_id)

    def render() -> bytes:
        context = pages.board_context(snapshot.value, page=page)
        return render_to_string(template, _with_snapshot(context, snapshot), request).encode()

    body = _rendered_once((template, board, page, snapshot.fetched_at, snapshot.stale), render)
    return _mark_stale(HttpResponse(body), snapshot)


def _rendered_once(key: tuple, render: Callable[[], bytes]) -> bytes:
    body = _RENDERED.get(key)
    if body is None:
        body = render()
        if len(_RENDERED) >= RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = body
    return body


@require_safe
@_backend_errors_as_pages("player")
def player(request, player_id: str):
    board = request.GET.get("board", snapshots.DEFAULT_BOARD)
    if not _SLUG_RE.match(board) or set(player_id) == {"."}:
        return not_found(request, what="player")
    snapshot = snapshots.standing_snapshot(
        board=board, player_id=player_id, request_id=request.request_id
    )
    context = pages.player_context(snapshot.value)
    return _render_snapshot(request, "board/player.html", context, snapshot)


@require_safe
def data_json(request):
    """The sample's endpoint: [{"id": rank, "name", "score"}], best first."""
    try:
        snapshot = snapshots.board_top_snapshot(
            board=snapshots.DEFAULT_BOARD, request_id=request.request_id
        )
    except (BackendNotFound, BackendUnavailable):
        error = {"code": "unavailable", "message": "Live scores are temporarily unavailable."}
        response = _json({"error": error}, status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    def render() -> bytes:
        entries = snapshot.value.entries
        return orjson.dumps([{"id": e.rank, "name": e.name, "score": e.score} for e in entries])

    body = _rendered_once(("data.json", snapshot.fetched_at, snapshot.stale), render)
    return _mark_stale(HttpResponse(body, content_type="application/json"), snapshot)


def not_found(request, exception=None, *, what: str = "page"):
    return render(request, "board/404.html", {"what": what}, status=404)


def unavailable(request):
    response = render(request, "board/503.html", status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def server_error(request):
    return render(request, "board/500.html", status=500)


def _page_number(raw: str) -> int:
    return int(raw) if _PAGE_RE.match(raw) and int(raw) > 0 else 1


def _with_snapshot(context: dict, snapshot: snapshots.Snapshot) -> dict:
    return {**context, "fetched_at": snapshot.fetched_at, "stale": snapshot.stale}


def _render_snapshot(request, template: str, context: dict, snapshot: snapshots.Snapshot):
    response = render(request, template, _with_snapshot(context, snapshot))
    return _mark_stale(response, snapshot)


def _mark_stale(response: HttpResponse, snapshot: snapshots.Snapshot) -> HttpResponse:
    response["X-Data-Stale"] = "true" if snapshot.stale else "false"
    if snapshot.stale:
        response["Cache-Control"] = "no-store"
    else:
        # The same URL gets these same bytes until the snapshot goes (SnapshotPageCache).
        response.fresh_until = snapshot.fresh_until
    return response


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
