"""The frontend's cache of backend answers: fresh snapshots, and last good copies for outages.

Each read is keyed by what it asks (board and page, board and player). A fresh answer is
reused for FRONTEND_CACHE_SECONDS, so a burst of page views costs the backend one call per
worker; the last good answer is kept for FRONTEND_STALE_SECONDS and served, marked stale,
while the backend is down, slow or talking nonsense. A failure is remembered for the fresh
period too, so an outage does not make every request wait for the timeouts.

Fresh answers are kept as the objects themselves in this process's memory; the Django cache
(which pickles) holds only the last good copies, read while the backend is away. Unpickling
a page of entries on every view cost more than the rest of the view.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from frontend_site.board import backend_client
from frontend_site.board.backend_client import BackendNotFound, BackendUnavailable

T = TypeVar("T")

PAGE_SIZE = 25
DATA_JSON_LIMIT = 100
AROUND = 3
DEFAULT_BOARD = "global"

_UNAVAILABLE = "unavailable"
_NOT_FOUND = "not-found"
# Striped locks: one thread per key asks the backend while the others wait for its answer.
_LOCKS = [threading.Lock() for _ in range(64)]
# key -> (monotonic time it expires, a Snapshot, _NOT_FOUND or _UNAVAILABLE).
_FRESH: dict[str, tuple[float, object]] = {}
FRESH_MAX = 5000


@dataclass(frozen=True, slots=True)
class Snapshot(Generic[T]):
    """An answer from the backend, when it was fetched, and whether it is an old copy.

    ``fresh_until`` is the time.monotonic() moment a fresh snapshot stops being served
    (0 for an old copy): until then, everything rendered from it may be served again as is.
    """

    value: T
    fetched_at: datetime
    stale: bool = False
    fresh_until: float = 0.0


def board_page_snapshot(
    *, board: str, page: int, request_id: str
) -> Snapshot[backend_client.BoardPage]:
    """Return page ``page`` (from 1) of ``board``, PAGE_SIZE rows: a fresh or last good snapshot."""
    offset = (page - 1) * PAGE_SIZE
    return _cached(
        f"board:{board}:{offset}:{PAGE_SIZE}",
        lambda: backend_client.board_page_fetch(
            board=board, offset=offset, limit=PAGE_SIZE, request_id=request_id
        ),
    )


def board_top_snapshot(*, board: str, request_id: str) -> Snapshot[backend_client.BoardPage]:
    """Return a snapshot of the first DATA_JSON_LIMIT rows of ``board`` (for /data.json)."""
    return _cached(
        f"board:{board}:0:{DATA_JSON_LIMIT}",
        lambda: backend_client.board_page_fetch(
            board=board, offset=0, limit=DATA_JSON_LIMIT, request_id=request_id
        ),
    )


def standing_snapshot(
    *, board: str, player_id: str, request_id: str
) -> Snapshot[backend_client.Standing]:
    """Return a snapshot of the player's standing on ``board`` with AROUND neighbours each side."""
    return _cached(
        f"player:{board}:{player_id}",
        lambda: backend_client.standing_fetch(
            board=board, player_id=player_id, around=AROUND, request_id=request_id
        ),
    )


def _cached(key: str, fetch: Callable[[], T]) -> Snapshot[T]:
    found = _fresh(key)
    if found is not None:
        return found
    budget = settings.BACKEND_CONNECT_TIMEOUT + settings.BACKEND_READ_TIMEOUT
    lock = _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]
    if not lock.acquire(timeout=budget):
        return _last_good_or_raise(key)
    try:
        found = _fresh(key)  # another thread may have fetched it while we waited
        if found is not None:
            return found
        try:
            value = fetch()
        except BackendNotFound:
            _remember(key, _NOT_FOUND, _fresh_until())
            cache.delete(f"good:{key}")
            raise
        except BackendUnavailable:
            _remember(key, _UNAVAILABLE, _fresh_until())
            return _last_good_or_raise(key)
        snapshot = Snapshot(value=value, fetched_at=timezone.now(), fresh_until=_fresh_until())
        _remember(key, snapshot, snapshot.fresh_until)
        cache.set(f"good:{key}", snapshot, settings.FRONTEND_STALE_SECONDS)
        return snapshot
    finally:
        lock.release()


def _fresh_until() -> float:
    return time.monotonic() + settings.FRONTEND_CACHE_SECONDS


def _remember(key: str, found: object, until: float) -> None:
    """Keep ``found`` (a Snapshot, _NOT_FOUND or _UNAVAILABLE) for ``key`` until ``until``."""
    if len(_FRESH) >= FRESH_MAX:
        now = time.monotonic()
        for stale_key in [k for k, (expires, _) in list(_FRESH.items()) if expires <= now]:
            _FRESH.pop(stale_key, None)
        if len(_FRESH) >= FRESH_MAX:
            _FRESH.clear()
    _FRESH[key] = (until, found)


def _fresh(key: str) -> Snapshot | None:
    memo = _FRESH.get(key)
    if memo is None or memo[0] <= time.monotonic():
        return None
    found = memo[1]
    if found is _NOT_FOUND:
        raise BackendNotFound(key)
    if found is _UNAVAILABLE:
        return _last_good_or_raise(key)
    return found


def _last_good_or_raise(key: str) -> Snapshot:
    good = cache.get(f"good:{key}")
    if good is None:
        raise BackendUnavailable(f"nothing cached for {key}")
    return Snapshot(value=good.value, fetched_at=good.fetched_at, stale=True)  # never reused
