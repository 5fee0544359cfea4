"""The one module that talks HTTP to the private backend.

One pooled ``requests.Session`` per process, connect and read timeouts on every call, our
read-only secret (BACKEND_API_KEY) and the caller's request id on every request; every way a
call can fail (timeout, refused connection, error status, garbage body) becomes
``BackendUnavailable``.
Answers come back as small frozen dataclasses, checked field by field.

Each call holds one of the instance's FRONTEND_BACKEND_CONCURRENCY slots (shared by all its
workers, ``instance_locks.backend_slot``): every distinct page a visitor makes up is a cache
miss, and a flood of them must not become a flood of backend calls. A call that finds no slot
free within SLOT_WAIT_SECONDS is not made (``BackendBusy``), so the excess is answered at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from common.entries import Entry
from common.middleware import REQUEST_ID_HEADER
from frontend_site.board import instance_locks

logger = logging.getLogger("frontend_site.backend")

# gthread workers run a few threads each; keep a connection per thread and some spare.
POOL_SIZE = 16
# How long a call may wait for a slot: long enough for a fast call in flight to end, short
# enough that a visitor beyond the limit gets the last good copy or a 503 without delay.
SLOT_WAIT_SECONDS = 0.05
# The error codes of the backend's 404s that mean "no such thing": the board or period
# (not_found), or a player with no score there or hidden by a moderator (player_not_found).
# Any other 404 (a proxy's, a wrong path) is a failure, not an answer.
NOT_FOUND_CODES = frozenset({"not_found", "player_not_found"})


class BackendUnavailable(Exception):
    """The backend did not give a usable answer in time."""


class BackendBusy(BackendUnavailable):
    """The instance's FRONTEND_BACKEND_CONCURRENCY calls are all in flight: none was made."""


class BackendNotFound(Exception):
    """The backend answered that the board or player does not exist (for a player: has no
    score there, or is hidden or banned); the snapshot cache drops its last good copy."""


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a board that resets; ``end`` is the moment the next one starts."""

    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class BoardPage:
    board: str
    total: int
    offset: int
    limit: int
    entries: tuple[Entry, ...]
    period: Period | None = None
    # False when the backend sends no rank_change at all (one from before seasons).
    has_moves: bool = False


@dataclass(frozen=True, slots=True)
class Standing:
    board: str
    player_id: str
    name: str
    score: int
    rank: int
    percentile: float
    total: int
    around: tuple[Entry, ...]
    period: Period | None = None
    rank_change: int | None = None
    has_moves: bool = False


@dataclass(frozen=True, slots=True)
class BoardInfo:
    """A board as the overview lists it; an older backend's boards read as never resetting."""

    slug: str
    title: str
    reset: str = "never"
    timezone: str = "UTC"
    source: str | None = None
    period: Period | None = None


@dataclass(frozen=True, slots=True)
class Winner:
    player_id: str
    name: str
    score: int


@dataclass(frozen=True, slots=True)
class PastPeriod:
    id: str
    start: datetime
    end: datetime
    players: int
    winner: Winner | None
    closed: bool


@dataclass(frozen=True, slots=True)
class PeriodList:
    board: str
    reset: str
    periods: tuple[PastPeriod, ...]


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    date: date
    score: int
    rank: int


@dataclass(frozen=True, slots=True)
class History:
    board: str
    player_id: str
    days: int
    points: tuple[HistoryPoint, ...]


def _session() -> requests.Session:
    session = requests.Session()
    # No retries: a retry would stretch a failing call beyond the timeouts we promise.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept"] = "application/json"
    session.headers["User-Agent"] = "leaderboard-frontend"
    return session


_SESSION = _session()


def _get(path: str, *, params: dict, request_id: str) -> dict:
    """GET a backend path and return its JSON object; raise on any failure."""
    headers = {REQUEST_ID_HEADER: request_id}
    if settings.BACKEND_API_KEY:
        headers["Authorization"] = f"Bearer {settings.BACKEND_API_KEY}"
    url = f"{settings.BACKEND_URL}{path}"
    try:
        with instance_locks.backend_slot(within=SLOT_WAIT_SECONDS):
            response = _SESSION.get(
                url,
                params=params,
                headers=headers,
                timeout=(settings.BACKEND_CONNECT_TIMEOUT, settings.BACKEND_READ_TIMEOUT),
                allow_redirects=False,
            )
    except instance_locks.LockBusy as exc:
        logger.info("Backend not asked for %s: the instance's calls are all in flight", path)
        raise BackendBusy(str(exc)) from exc
    except requests.RequestException as exc:
        logger.warning("Backend unreachable for %s: %s", path, exc)
        raise BackendUnavailable(str(exc)) from exc
    if response.status_code == 404 and _error_code(response) in NOT_FOUND_CODES:
        raise BackendNotFound(path)
    if response.status_code != 200:
        logger.warning("Backend answered %s for %s", response.status_code, path)
        raise BackendUnavailable(f"status {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        logger.warning("Backend sent invalid JSON for %s", path)
        raise BackendUnavailable("invalid JSON") from exc
    if not isinstance(data, dict):
        raise _shape_error(path)
    return data


def _error_code(response: requests.Response) -> str:
    """The backend's error code, so a 404 from something else is not taken for one."""
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _shape_error(path: str) -> BackendUnavailable:
    logger.warning("Backend answer for %s has an unexpected shape", path)
    return BackendUnavailable("unexpected answer")


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an integer")
    return value


def _str(value) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def _optional_int(value) -> int | None:
    return None if value is None else _int(value)


def _moment(value) -> datetime:
    """An ISO 8601 moment with its offset (without one it would be read in our zone)."""
    moment = datetime.fromisoformat(_str(value))
    if moment.tzinfo is None:
        raise TypeError("a moment without an offset")
    return moment


def _period(value) -> Period | None:
    """A period object, or None for null or absent (a board that never resets, an older backend)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return Period(id=_str(value["id"]), start=_moment(value["start"]), end=_moment(value["end"]))


def _entries(rows) -> tuple[Entry, ...]:
    if not isinstance(rows, list):
        raise TypeError("not a list")
    return tuple(
        Entry(
            rank=_int(row["rank"]),
            player_id=_str(row["player_id"]),
            name=_str(row["name"]),
            score=_int(row["score"]),
            # Absent from an older backend's rows: None, and _has_moves says why.
            rank_change=_optional_int(row.get("rank_change")),
        )
        for row in rows
    )


def _has_moves(rows: list) -> bool:
    """Whether the backend sends rank_change (null is "new"), so absent is not read as new."""
    return any("rank_change" in row for row in rows)


# A parse of a backend answer fails with one of these: a missing key, a wrong type, a date
# or moment that does not parse (ValueError), a row that is not an object (AttributeError).
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def _period_params(period: str) -> dict:
    return {"period": period} if period else {}


def board_page_fetch(
    *, board: str, offset: int, limit: int, request_id: str, period: str = ""
) -> BoardPage:
    """Return ``limit`` entries of ``board`` from position ``offset``, best first; of the
    current period unless ``period`` ("previous" or an id) names another."""
    path = f"/api/v1/leaderboards/{quote(board, safe='')}/entries"
    params = {"offset": offset, "limit": limit, **_period_params(period)}
    data = _get(path, params=params, request_id=request_id)
    try:
        return BoardPage(
            board=board,
            total=_int(data["total"]),
            offset=offset,
            limit=limit,
            entries=_entries(data["entries"]),
            period=_period(data.get("period")),
            has_moves=_has_moves(data["entries"]),
        )
    except _SHAPE_ERRORS as exc:
        raise _shape_error(path) from exc


def standing_fetch(
    *, board: str, player_id: str, around: int, request_id: str, period: str = ""
) -> Standing:
    """Return the player's rank, score, percentile and up to ``around`` neighbours each side."""
    path = f"/api/v1/leaderboards/{quote(board, safe='')}/players/{quote(player_id, safe='')}"
    data = _get(path, params={"around": around, **_period_params(period)}, request_id=request_id)
    try:
        percentile = data["percentile"]
        if isinstance(percentile, bool) or not isinstance(percentile, int | float):
            raise TypeError("percentile is not a number")
        return Standing(
            board=board,
            player_id=_str(data["player_id"]),
            name=_str(data["name"]),
            score=_int(data["score"]),
            rank=_int(data["rank"]),
            percentile=float(percentile),
            total=_int(data["total"]),
            around=_entries(data["around"]),
            period=_period(data.get("period")),
            rank_change=_optional_int(data.get("rank_change")),
            has_moves=_has_moves(data["around"]) or "rank_change" in data,
        )
    except _SHAPE_ERRORS as exc:
        raise _shape_error(path) from exc


def boards_fetch(*, request_id: str) -> tuple[BoardInfo, ...]:
    """Return every board with how it resets, the board that feeds it and its current period."""
    path = "/api/v1/leaderboards"
    data = _get(path, params={}, request_id=request_id)
    try:
        boards = data["leaderboards"]
        if not isinstance(boards, list):
            raise TypeError("not a list")
        return tuple(
            BoardInfo(
                slug=_str(board["slug"]),
                title=_str(board["title"]),
                reset=_str(board.get("reset", "never")),
                timezone=_str(board.get("timezone", "UTC")),
                source=None if board.get("source") is None else _str(board["source"]),
                period=_period(board.get("period")),
            )
            for board in boards
        )
    except _SHAPE_ERRORS as exc:
        raise _shape_error(path) from exc


def periods_fetch(*, board: str, limit: int, request_id: str) -> PeriodList:
    """Return up to ``limit`` periods of ``board``, newest (the current one) first, with winners."""
    path = f"/api/v1/leaderboards/{quote(board, safe='')}/periods"
    data = _get(path, params={"limit": limit}, request_id=request_id)
    try:
        periods = data["periods"]
        if not isinstance(periods, list):
            raise TypeError("not a list")
        return PeriodList(
            board=board,
            reset=_str(data["reset"]),
            periods=tuple(_past_period(period) for period in periods),
        )
    except _SHAPE_ERRORS as exc:
        raise _shape_error(path) from exc


def _past_period(value: dict) -> PastPeriod:
    winner = value["winner"]
    return PastPeriod(
        id=_str(value["id"]),
        start=_moment(value["start"]),
        end=_moment(value["end"]),
        players=_int(value["players"]),
        winner=None
        if winner is None
        else Winner(
            player_id=_str(winner["player_id"]),
            name=_str(winner["name"]),
            score=_int(winner["score"]),
        ),
        closed=_bool(value["closed"]),
    )


def history_fetch(*, board: str, player_id: str, days: int, request_id: str) -> History:
    """Return the player's score and rank at the end of each of the last ``days`` days on
    which they had one, oldest first."""
    board_path = quote(board, safe="")
    path = f"/api/v1/leaderboards/{board_path}/players/{quote(player_id, safe='')}/history"
    data = _get(path, params={"days": days}, request_id=request_id)
    try:
        points = data["points"]
        if not isinstance(points, list):
            raise TypeError("not a list")
        return History(
            board=board,
            player_id=player_id,
            days=_int(data["days"]),
            points=tuple(
                HistoryPoint(
                    date=date.fromisoformat(_str(point["date"])),
                    score=_int(point["score"]),
                    rank=_int(point["rank"]),
                )
                for point in points
            ),
        )
    except _SHAPE_ERRORS as exc:
        raise _shape_error(path) from exc
