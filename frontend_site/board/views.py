"""Public pages: parse the query, read one snapshot, render it (stale or fresh)."""

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from common import patterns
from frontend_site import proxies
from frontend_site.board import etags, lookups, pages, snapshots
from frontend_site.board.backend_client import BackendNotFound, BackendUnavailable
from frontend_site.compression import Body

_SLUG_RE = re.compile(patterns.SLUG)
_PAGE_RE = re.compile(r"^[0-9]{1,7}$")
# "current", "previous", or a period id: 2026-12-02 (a day), 2026-W49 (a week), 2026-12.
_PERIOD_RE = re.compile(patterns.PERIOD)
RETRY_AFTER_SECONDS = "5"
# Files browsers and crawlers ask for at the root, without a link: the icons (made by
# scripts/make_icons.py) and robots.txt. Their URLs carry no hash, so a week's cache, not a year's.
ROOT_FILES_DIR = Path(__file__).resolve().parent / "root_files"
ROOT_FILES = {
    "favicon.ico": "image/x-icon",
    "apple-touch-icon.png": "image/png",
    "robots.txt": "text/plain; charset=utf-8",
}
ROOT_FILE_MAX_AGE = 7 * 24 * 3600
# How often an open page asks for its fragment again (static/board/refresh.js, which spreads
# each wait over 0.8-1.2 times this, and bench/live.py read it from here). A write shows within
# this, its jitter and FRONTEND_CACHE_SECONDS: 3.6 + 1 s at worst, under the 5 s promised.
LIVE_POLL_SECONDS = 3.0
# A page (and /data.json) depends only on its snapshots, so each snapshot is rendered once per
# worker, with its ETag (frontend_site/board/etags.py): a burst of views within the cache
# period costs one render, not one each, and the compressed copies are made once per body.
_RENDERED: dict[tuple, Body] = {}
RENDERED_MAX = 256
# A fresh answer may be served this much past its max-age while a cache fetches a new copy:
# enough to cover a revalidation's round trip, short enough that a viewer is never more than
# a couple of seconds behind (the self-updating page promises new scores within 5 s).
STALE_WHILE_REVALIDATE_SECONDS = 2
# An old copy (the backend is away) may be stored but must be revalidated before each use: a
# CDN then never hands it out on its own, so scores come back the moment the backend does,
# while a browser or a poller still gets a cheap 304 for the copy it has.
STALE_CACHE_CONTROL = "no-cache"
# Error pages: a 404 is believed for as long as the instance believes the backend's; a 429 is
# one visitor's, a 503 a passing state: neither is stored.
ERROR_CACHE_CONTROL = "no-store"


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
    board, period = _board_and_period(request)
    if board is None:
        return not_found(request)
    rid = request.request_id
    page = _page_number(request.GET.get("page", ""))
    try:
        snapshot = snapshots.board_page_snapshot(
            board=board, page=page, request_id=rid, period=period
        )
    except BackendNotFound:
        return not_found(request, what="period" if period else "leaderboard")
    lookups.known_add(entry.player_id for entry in snapshot.value.entries)
    ask = not snapshot.stale
    boards = _optional(lambda: snapshots.boards_snapshot(request_id=rid, ask_backend=ask))[0]
    info = next((b for b in boards.value if b.slug == board), None) if boards else None
    if period and info is not None and info.period is None:
        return not_found(request, what="period")  # a board that never resets has no periods
    periods = None
    if period and info is not None:  # a past period's page lists the others
        periods = _optional(
            lambda: snapshots.periods_snapshot(board=board, request_id=rid, ask_backend=ask)
        )[0]
    shown = snapshot.value.period
    resets = pages.resets_in(shown.end, timezone.now()) if shown and not period else ""
    parts = [part for part in (snapshot, boards, periods) if part is not None]

    def render() -> bytes:
        context = pages.board_context(
            snapshot.value,
            page=page,
            boards=boards.value if boards else (),
            period=period,
            periods=periods.value if periods else None,
            resets=resets,
        )
        return render_to_string(template, _with_snapshot(context, snapshot), request).encode()

    shown = (template, board, period, page, resets)
    return _answer(_rendered_once(shown, parts, render), *parts)


def _board_and_period(request) -> tuple[str | None, str]:
    """The board and period a page asks for ("" for the current one); None for a bad name."""
    board = request.GET.get("board", snapshots.DEFAULT_BOARD)
    period = request.GET.get("period", "")
    if not _SLUG_RE.match(board) or (period and not _PERIOD_RE.match(period)):
        return None, ""
    return board, "" if period == "current" else period


def _optional(read: Callable[[], snapshots.Snapshot]) -> tuple[snapshots.Snapshot | None, bool]:
    """Read a part a page can do without: (its snapshot, False); (None, False) if the backend
    has no such thing (one from before seasons lacks the endpoint); (None, True) if the backend
    cannot answer and no copy is left."""
    try:
        return read(), False
    except BackendNotFound:
        return None, False
    except BackendUnavailable:
        return None, True


def _rendered_once(
    shown: tuple, parts: list[snapshots.Snapshot], render: Callable[[], bytes]
) -> Body:
    """The body of the page ``shown`` (what the query selected) made of ``parts``, rendered
    once per worker for these snapshots, with its ETag: a digest of the parts' data and
    staleness, not of their fetch times, so a refetch of unchanged scores keeps the tag."""
    key = (shown, tuple((part.fetched_at, part.stale) for part in parts))
    body = _RENDERED.get(key)
    if body is None:
        data = tuple((part.value, part.stale) for part in parts)
        body = Body(render(), etags.etag_of((shown, data)))
        if len(_RENDERED) >= RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = body
    return body


@require_safe
def player(request, player_id: str):
    return _player(request, player_id, "board/player.html")


@require_safe
def player_part(request, player_id: str):
    """The changing part of a player's page (standing, neighbours), for the page to poll."""
    return _player(request, player_id, "board/_player_part.html")


@_backend_errors_as_pages("player")
def _player(request, player_id: str, template: str):
    board, period = _board_and_period(request)
    if board is None or set(player_id) == {"."}:
        return not_found(request, what="player")
    key = snapshots.standing_key(board=board, player_id=player_id, period=period)
    if not snapshots.held(key):  # this view would ask the backend: made-up ids are budgeted
        wait = lookups.admit(visitor=proxies.visitor_address(request), player_id=player_id)
        if wait:
            return too_many_lookups(request, wait)
    rid = request.request_id
    snapshot = snapshots.standing_snapshot(
        board=board, player_id=player_id, request_id=rid, period=period
    )
    lookups.known_add([player_id, *(entry.player_id for entry in snapshot.value.around)])
    ask = not snapshot.stale  # the parts a page can do without: not from a backend that failed
    history, history_unavailable = _optional(
        lambda: snapshots.history_snapshot(
            board=board, player_id=player_id, request_id=rid, ask_backend=ask
        )
    )
    boards = _optional(lambda: snapshots.boards_snapshot(request_id=rid, ask_backend=ask))[0]
    parts = [part for part in (snapshot, history, boards) if part is not None]

    def render() -> bytes:
        context = pages.player_context(
            snapshot.value,
            period=period,
            history=history.value if history else None,
            history_unavailable=history_unavailable,
            boards=boards.value if boards else (),
        )
        context = _with_snapshot(context, snapshot)
        return render_to_string(template, context, request).encode()

    shown = (template, board, period, player_id, history_unavailable)
    return _answer(_rendered_once(shown, parts, render), *parts)


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
        response["Cache-Control"] = ERROR_CACHE_CONTROL
        return response

    def render() -> bytes:
        entries = snapshot.value.entries
        return orjson.dumps([{"id": e.rank, "name": e.name, "score": e.score} for e in entries])

    body = _rendered_once(("data.json",), [snapshot], render)
    return _answer(body, snapshot, content_type="application/json")


@require_safe
def root_file(request, name: str):
    """/favicon.ico, /apple-touch-icon.png or /robots.txt, cached for a week."""
    response = HttpResponse(_root_file_bytes(name), content_type=ROOT_FILES[name])
    response["Cache-Control"] = f"public, max-age={ROOT_FILE_MAX_AGE}"
    return response


@functools.cache
def _root_file_bytes(name: str) -> bytes:
    return (ROOT_FILES_DIR / name).read_bytes()


def not_found(request, exception=None, *, what: str = "page"):
    response = render(request, "board/404.html", {"what": what}, status=404)
    seconds = int(settings.FRONTEND_NOT_FOUND_SECONDS)
    response["Cache-Control"] = f"public, max-age={seconds}" if seconds > 0 else "no-cache"
    return response


def too_many_lookups(request, wait: float):
    response = render(request, "board/429.html", status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    response["Cache-Control"] = ERROR_CACHE_CONTROL
    return response


def unavailable(request):
    response = render(request, "board/503.html", status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = ERROR_CACHE_CONTROL
    return response


def server_error(request):
    response = render(request, "board/500.html", status=500)
    response["Cache-Control"] = ERROR_CACHE_CONTROL
    return response


def _page_number(raw: str) -> int:
    return int(raw) if _PAGE_RE.match(raw) and int(raw) > 0 else 1


def _with_snapshot(context: dict, snapshot: snapshots.Snapshot) -> dict:
    return {
        **context,
        "fetched_at": snapshot.fetched_at,
        "stale": snapshot.stale,
        "live_seconds": LIVE_POLL_SECONDS,
    }


def _answer(
    body: Body, *parts: snapshots.Snapshot, content_type: str = "text/html; charset=utf-8"
) -> HttpResponse:
    """The response of ``body``, made of ``parts``, with its ETag and caching headers: stale
    (Age, Warning, revalidate before each use) if any part is an old copy, else public and
    fresh until the first part goes.

    SnapshotPageCache answers If-None-Match from the ETag and compresses ``body`` once.
    """
    response = HttpResponse(body.identity, content_type=content_type)
    response.page_body = body
    response["ETag"] = body.etag
    stale = [part for part in parts if part.stale]
    response["X-Data-Stale"] = "true" if stale else "false"
    if stale:
        oldest = min(part.fetched_at for part in stale)
        response["Age"] = str(max(0, int((timezone.now() - oldest).total_seconds())))
        response["Warning"] = '110 - "Response is Stale"'
        response["Cache-Control"] = STALE_CACHE_CONTROL
    else:
        response["Cache-Control"] = fresh_cache_control()
        # The same URL gets these same bytes until the snapshot goes (SnapshotPageCache).
        response.fresh_until = min(part.fresh_until for part in parts)
    return response


@functools.cache
def _fresh_cache_control(cache_seconds: float, stale_seconds: float) -> str:
    # Whole seconds, rounded down: never promise a copy fresh for longer than the instance
    # keeps it (under a second gives max-age=0: a cache revalidates, which costs a 304).
    return (
        f"public, max-age={int(cache_seconds)}, "
        f"stale-while-revalidate={STALE_WHILE_REVALIDATE_SECONDS}, "
        f"stale-if-error={int(stale_seconds)}"
    )


def fresh_cache_control() -> str:
    """The Cache-Control of a fresh page or /data.json."""
    return _fresh_cache_control(settings.FRONTEND_CACHE_SECONDS, settings.FRONTEND_STALE_SECONDS)


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
