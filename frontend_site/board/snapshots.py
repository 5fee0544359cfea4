"""The frontend's cache of backend answers: fresh snapshots, and last good copies for outages.

Each read is keyed by what it asks (board and page, board and player). A fresh answer is
reused for FRONTEND_CACHE_SECONDS by every worker of the instance, so a burst of page views
costs the backend one call per instance, however many workers take it; the last good answer
is kept for FRONTEND_STALE_SECONDS and served, marked stale, while the backend is down, slow,
busy or talking nonsense. A failure is remembered for the fresh period too, so an outage does
not make every request wait for the timeouts, and the backend's 404 for
FRONTEND_NOT_FOUND_SECONDS, so made-up URLs do not each cost a call.

An answer is looked for in three places, cheapest first:

1. This process's memory (``_FRESH``): the objects themselves, until their fresh time ends.
   Unpickling a page of entries on every view cost more than the rest of the view, so a hot
   page does not touch the disk.
2. The instance's shared cache, Django's FileBasedCache in FRONTEND_CACHE_DIR (two caches,
   see ``frontend_site.settings.instance_caches``): what another worker fetched in the fresh
   period, the failures and 404s it met, and the last good copies. Files, so that the copy
   outlives a worker that is killed, recycled or reloaded, and every worker falls back on the
   same one.
3. The backend, asked by one worker of the instance at a time for a key (an flock per key
   stripe, ``instance_locks.key_lock``), the others waiting for its answer at most the
   backend's timeouts; the backend client adds the instance's limit on calls in flight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from common import overload
from frontend_site.board import backend_client, instance_locks
from frontend_site.board.backend_client import BackendBusy, BackendNotFound, BackendUnavailable

T = TypeVar("T")
logger = logging.getLogger("frontend_site.board")

PAGE_SIZE = 25
DATA_JSON_LIMIT = 100
AROUND = 3
DEFAULT_BOARD = "global"
PERIODS_LIMIT = 12
HISTORY_DAYS = 30

# The caches (settings.CACHES) of the last good copies: board first pages, the ones an outage
# must keep, apart from the many other pages; the failures and 404s go with the latter.
FIRST_PAGES = "default"
OTHER_PAGES = "pages"

_UNAVAILABLE = "unavailable"
_NOT_FOUND = "not-found"
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
    *, board: str, page: int, request_id: str, period: str = ""
) -> Snapshot[backend_client.BoardPage]:
    """Return page ``page`` (from 1) of ``board``, PAGE_SIZE rows: a fresh or last good snapshot;
    of the current period, or of ``period`` ("previous" or an id) on a board that resets."""
    offset = (page - 1) * PAGE_SIZE
    # The first page of the current and of the previous period are the ones an outage must keep.
    first = page == 1 and period in ("", "previous")
    return _cached(
        f"board:{_with_period(board, period)}:{offset}:{PAGE_SIZE}",
        lambda: backend_client.board_page_fetch(
            board=board, offset=offset, limit=PAGE_SIZE, request_id=request_id, period=period
        ),
        keep_in=FIRST_PAGES if first else OTHER_PAGES,
    )


def board_top_snapshot(*, board: str, request_id: str) -> Snapshot[backend_client.BoardPage]:
    """Return a snapshot of the first DATA_JSON_LIMIT rows of ``board`` (for /data.json)."""
    return _cached(
        f"board:{board}:0:{DATA_JSON_LIMIT}",
        lambda: backend_client.board_page_fetch(
            board=board, offset=0, limit=DATA_JSON_LIMIT, request_id=request_id
        ),
        keep_in=FIRST_PAGES,
    )


def standing_snapshot(
    *, board: str, player_id: str, request_id: str, period: str = ""
) -> Snapshot[backend_client.Standing]:
    """Return a snapshot of the player's standing on ``board`` with AROUND neighbours each side."""
    return _cached(
        standing_key(board=board, player_id=player_id, period=period),
        lambda: backend_client.standing_fetch(
            board=board, player_id=player_id, around=AROUND, request_id=request_id, period=period
        ),
        keep_in=OTHER_PAGES,
    )


# The parts of a page besides its main read. ``ask_backend=False`` (the page's main read just
# got an old copy: the backend is failing) takes only what the instance already has, so a page
# never waits for the backend's timeouts twice.


def boards_snapshot(
    *, request_id: str, ask_backend: bool = True
) -> Snapshot[tuple[backend_client.BoardInfo, ...]]:
    """Return a snapshot of the backend's list of boards (how each resets, what feeds it)."""
    return _cached(
        "boards",
        lambda: backend_client.boards_fetch(request_id=request_id),
        keep_in=FIRST_PAGES,
        ask_backend=ask_backend,
    )


def periods_snapshot(
    *, board: str, request_id: str, ask_backend: bool = True
) -> Snapshot[backend_client.PeriodList]:
    """Return a snapshot of the newest PERIODS_LIMIT periods of ``board``, with their winners."""
    return _cached(
        f"periods:{board}:{PERIODS_LIMIT}",
        lambda: backend_client.periods_fetch(
            board=board, limit=PERIODS_LIMIT, request_id=request_id
        ),
        keep_in=OTHER_PAGES,
        ask_backend=ask_backend,
    )


def history_snapshot(
    *, board: str, player_id: str, request_id: str, ask_backend: bool = True
) -> Snapshot[backend_client.History]:
    """Return a snapshot of the player's rank and score by day over the last HISTORY_DAYS."""
    return _cached(
        f"history:{board}:{player_id}:{HISTORY_DAYS}",
        lambda: backend_client.history_fetch(
            board=board, player_id=player_id, days=HISTORY_DAYS, request_id=request_id
        ),
        keep_in=OTHER_PAGES,
        ask_backend=ask_backend,
    )


def standing_key(*, board: str, player_id: str, period: str = "") -> str:
    return f"player:{_with_period(board, period)}:{player_id}"


def held(key: str) -> bool:
    """Whether this worker has an answer for ``key`` within its fresh period (a snapshot or
    a believed 404): serving it costs the backend nothing."""
    memo = _FRESH.get(key)
    return memo is not None and memo[0] > time.monotonic()


def _with_period(board: str, period: str) -> str:
    """The part of a key naming the board and its period ("@" is not in slugs or period ids)."""
    return f"{board}@{period}" if period else board


def _cached(
    key: str, fetch: Callable[[], T], *, keep_in: str, ask_backend: bool = True
) -> Snapshot[T]:
    found = _fresh(key, keep_in)
    if found is not None:
        return found
    if not ask_backend or not overload.backend_calls_allowed.get():
        return _last_good_or_raise(key, keep_in)
    budget = settings.BACKEND_CONNECT_TIMEOUT + settings.BACKEND_READ_TIMEOUT
    try:
        with instance_locks.key_lock(key, within=budget):
            # Another worker, or thread, may have fetched it while we waited.
            found = _fresh(key, keep_in)
            return found if found is not None else _fetched(key, fetch, keep_in)
    except instance_locks.LockBusy:  # its fetch is taking all the time we have
        return _last_good_or_raise(key, keep_in)


def _fetched(key: str, fetch: Callable[[], T], keep_in: str) -> Snapshot[T]:
    """Ask the backend, and share what it answered with the instance's other workers."""
    try:
        value = fetch()
    except BackendNotFound:
        _share(key, _NOT_FOUND, settings.FRONTEND_NOT_FOUND_SECONDS)
        _shared_delete(keep_in, f"good:{key}")
        raise
    except BackendBusy:
        # Not remembered: the backend is well, only asked enough already; the next view tries.
        return _last_good_or_raise(key, keep_in)
    except BackendUnavailable:
        _share(key, _UNAVAILABLE, settings.FRONTEND_CACHE_SECONDS)
        return _last_good_or_raise(key, keep_in)
    snapshot = Snapshot(value=value, fetched_at=timezone.now(), fresh_until=_fresh_until())
    # Others work out their own deadline from fetched_at: this one is on our clock.
    shared = replace(snapshot, fresh_until=0.0)
    _shared_set(keep_in, f"good:{key}", shared, settings.FRONTEND_STALE_SECONDS)
    _remember(key, snapshot, snapshot.fresh_until)
    return snapshot


def _fresh_until() -> float:
    return time.monotonic() + settings.FRONTEND_CACHE_SECONDS


def _share(key: str, outcome: str, seconds: float) -> None:
    """Remember, here and for the instance's other workers, that ``key`` was ``outcome``
    (_NOT_FOUND or _UNAVAILABLE) for ``seconds``."""
    if seconds <= 0:
        return
    _shared_set(OTHER_PAGES, f"outcome:{key}", (outcome, time.time() + seconds), seconds)
    _remember(key, outcome, time.monotonic() + seconds)


def _remember(key: str, found: object, until: float) -> tuple[float, object]:
    """Keep ``found`` (a Snapshot, _NOT_FOUND or _UNAVAILABLE) for ``key`` until ``until``."""
    if len(_FRESH) >= FRESH_MAX:
        now = time.monotonic()
        for stale_key in [k for k, (expires, _) in list(_FRESH.items()) if expires <= now]:
            _FRESH.pop(stale_key, None)
        if len(_FRESH) >= FRESH_MAX:
            _FRESH.clear()
    memo = _FRESH[key] = (until, found)
    return memo


def _fresh(key: str, keep_in: str) -> Snapshot | None:
    """What the instance knows of ``key`` from within the fresh period: a fresh snapshot, the
    last good copy after a failure, BackendNotFound; None if the backend must be asked."""
    memo = _FRESH.get(key)
    if memo is None or memo[0] <= time.monotonic():
        memo = _shared_answer(key, keep_in)
        if memo is None:
            return None
    found = memo[1]
    if isinstance(found, Snapshot):
        return found
    # Equal, not identical: an outcome another worker shared comes back unpickled.
    if found == _NOT_FOUND:
        raise BackendNotFound(key)
    return _last_good_or_raise(key, keep_in)  # _UNAVAILABLE


def _shared_answer(key: str, keep_in: str) -> tuple[float, object] | None:
    """What another worker learnt of ``key`` within its fresh period, now remembered here too;
    None if nobody did."""
    good = _shared_get(keep_in, f"good:{key}")
    if good is not None:
        age = (timezone.now() - good.fetched_at).total_seconds()
        if age < settings.FRONTEND_CACHE_SECONDS:
            until = time.monotonic() + settings.FRONTEND_CACHE_SECONDS - age
            return _remember(key, replace(good, fresh_until=until), until)
    outcome = _shared_get(OTHER_PAGES, f"outcome:{key}")
    if outcome is not None:
        found, until_by_the_wall = outcome
        left = until_by_the_wall - time.time()
        if left > 0:
            return _remember(key, found, time.monotonic() + left)
    return None


def _last_good_or_raise(key: str, keep_in: str) -> Snapshot:
    good = _shared_get(keep_in, f"good:{key}")
    if good is None:
        raise BackendUnavailable(f"nothing cached for {key}")
    return Snapshot(value=good.value, fetched_at=good.fetched_at, stale=True)  # never reused


# The shared cache is a help, never a reason for an error page: a folder that cannot be
# written (a full disk, wrong owner) or a file that no longer unpickles (a deploy that changed
# a snapshot's shape) reads as nothing cached, and the page is answered as a worker alone would.


def _shared_get(cache: str, key: str):
    try:
        return caches[cache].get(key)
    except Exception as exc:  # OSError, or any error unpickling an old file
        _shared_failed("read", key, exc)
        return None


def _shared_set(cache: str, key: str, value, seconds: float) -> None:
    try:
        caches[cache].set(key, value, seconds)
    except OSError as exc:
        _shared_failed("write", key, exc)


def _shared_delete(cache: str, key: str) -> None:
    try:
        caches[cache].delete(key)
    except OSError as exc:
        _shared_failed("delete", key, exc)


def _shared_failed(action: str, key: str, exc: Exception) -> None:
    logger.warning(
        "Shared cache in %s: could not %s %s: %s", settings.FRONTEND_CACHE_DIR, action, key, exc
    )
