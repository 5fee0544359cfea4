"""The one module that talks HTTP to the private backend.

One pooled ``requests.Session`` per process, connect and read timeouts on every call, the
service token and the caller's request id on every request; every way a call can fail
(timeout, refused connection, error status, garbage body) becomes ``BackendUnavailable``.
Answers come back as small frozen dataclasses, checked field by field.

Each call holds one of the instance's FRONTEND_BACKEND_CONCURRENCY slots (shared by all its
workers, ``instance_locks.backend_slot``): every distinct page a visitor makes up is a cache
miss, and a flood of them must not become a flood of backend calls. A call that finds no slot
free within SLOT_WAIT_SECONDS is not made (``BackendBusy``), so the excess is answered at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


class BackendUnavailable(Exception):
    """The backend did not give a usable answer in time."""


class BackendBusy(BackendUnavailable):
    """The instance's FRONTEND_BACKEND_CONCURRENCY calls are all in flight: none was made."""


class BackendNotFound(Exception):
    """The backend answered that the board or player does not exist."""


@dataclass(frozen=True, slots=True)
class BoardPage:
    board: str
    total: int
    offset: int
    limit: int
    entries: tuple[Entry, ...]


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
    if settings.BACKEND_SERVICE_TOKEN:
        headers["Authorization"] = f"Bearer {settings.BACKEND_SERVICE_TOKEN}"
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
    if response.status_code == 404 and _error_code(response) == "not_found":
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


def _entries(rows) -> tuple[Entry, ...]:
    if not isinstance(rows, list):
        raise TypeError("not a list")
    return tuple(
        Entry(
            rank=_int(row["rank"]),
            player_id=_str(row["player_id"]),
            name=_str(row["name"]),
            score=_int(row["score"]),
        )
        for row in rows
    )


def board_page_fetch(*, board: str, offset: int, limit: int, request_id: str) -> BoardPage:
    """Return ``limit`` entries of ``board`` from position ``offset``, best first."""
    path = f"/api/v1/leaderboards/{quote(board, safe='')}/entries"
    data = _get(path, params={"offset": offset, "limit": limit}, request_id=request_id)
    try:
        return BoardPage(
            board=board,
            total=_int(data["total"]),
            offset=offset,
            limit=limit,
            entries=_entries(data["entries"]),
        )
    except (KeyError, TypeError) as exc:
        raise _shape_error(path) from exc


def standing_fetch(*, board: str, player_id: str, around: int, request_id: str) -> Standing:
    """Return the player's rank, score, percentile and up to ``around`` neighbours each side."""
    path = f"/api/v1/leaderboards/{quote(board, safe='')}/players/{quote(player_id, safe='')}"
    data = _get(path, params={"around": around}, request_id=request_id)
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
        )
    except (KeyError, TypeError) as exc:
        raise _shape_error(path) from exc
