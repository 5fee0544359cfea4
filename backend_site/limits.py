"""Rate limits, kept in Redis so every worker of every instance shares them.

Two limits, each answered over its quota with a 429 ``rate_limited`` carrying Retry-After and
the RateLimit-Limit, -Remaining and -Reset fields of the IETF RateLimit header draft:

* **Per API key** (``ApiKey.rate``): requests per second with a burst of as many, a token
  bucket kept as one timestamp (GCRA) under ``rl:{key:<name>}``. A process takes tokens from
  Redis a few at a time (a lease of ``rate // 20``, at most 50, for at most half a second)
  and spends them locally, so a key with a high rate costs its reads one Redis round trip in
  dozens. Leased tokens count as used: the limit is never exceeded, and near it a client may
  get its 429 a few requests early.
* **Per player and board** (``Leaderboard.max_submissions_per_minute``): every submission of a
  player to the board (single or batch item) is one entry in a sorted set of the last minute,
  ``rl:{<slug>}:p:<player_id>``, so no player ever has more than the limit in any 60 seconds.
  The board's hash tag puts all of a board's counters in one cluster slot: a batch's items on
  one board are checked and counted in one script, all or none.

Both use Redis's clock (TIME), the same for every instance. While Redis is unreachable they
fail open for a second at a time: an outage never turns into 429s (the write path saves and
answers 202 then, the read path answers 503 anyway).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError

from backend_site.rankings.calendar import boards
from backend_site.rankings.errors import REDIS_ERRORS, NotFound, RateLimited
from backend_site.rankings.ranking_index import connections, scripts

logger = logging.getLogger("backend_site.limits")

WINDOW_MS = 60_000  # a board's per-player limit counts the last minute
LEASE_DIVISOR = 20  # a process takes up to rate // 20 tokens at a time...
LEASE_MAX = 50
LEASE_SECONDS = 0.5  # ...and spends them within half a second, or they lapse
OPEN_SECONDS = 1.0  # after a Redis error, how long limits stay open before trying again


@dataclass(frozen=True, slots=True)
class Quota:
    """A limit's state for the RateLimit header fields: its size, what is left, and the
    seconds until it is full again."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(self.remaining, 0)),
            "RateLimit-Reset": str(max(self.reset, 0)),
        }


def refused(message: str, quota: Quota, retry_after: float) -> RateLimited:
    return RateLimited(
        message, headers={"Retry-After": str(max(1, math.ceil(retry_after))), **quota.headers()}
    )


def headers_add(response, quota: Quota | None) -> None:
    """Put ``quota``'s fields on ``response``, unless it already has those of a limit with
    fewer requests left (the draft: show the one closest to running out)."""
    if quota is None:
        return
    shown = response.get("RateLimit-Remaining")
    if shown is None or int(shown) > quota.remaining:
        for name, value in quota.headers().items():
            response[name] = value


# --- Redis, failing open --------------------------------------------------------------------

_open_until = [0.0]  # monotonic time before which Redis is not asked (it just failed)
_warned_at = [0.0]


def _redis_usable() -> bool:
    return time.monotonic() >= _open_until[0]


def _redis_failed(exc: Exception) -> None:
    now = time.monotonic()
    _open_until[0] = now + OPEN_SECONDS
    if now - _warned_at[0] > 10:
        _warned_at[0] = now
        logger.warning("Rate limits open (not enforced) while Redis is unreachable: %s", exc)


def forget() -> None:
    """Drop every lease and the open circuit (tests)."""
    with _leases_lock:
        _leases.clear()
    _open_until[0] = 0.0


LUA = Path(__file__).with_name("lua")  # the limits' Lua scripts (scripts.py loads them)


# --- per API key: a token bucket, leased a few tokens at a time ----------------------------

_KEY_TAKE = scripts.source("key_take", {}, folder=LUA)


@dataclass(slots=True)
class _Lease:
    tokens: int
    until: float  # monotonic
    remaining: int  # what Redis said was left when it was taken
    full_at: float  # monotonic time the bucket would be full again


_leases: dict[str, _Lease] = {}
_leases_lock = threading.Lock()


def key_bucket(name: str) -> str:
    return f"rl:{{key:{name}}}"


def lease_size(rate: int) -> int:
    return max(1, min(rate // LEASE_DIVISOR, LEASE_MAX))


def key_take(name: str, rate: int) -> Quota | None:
    """Spend one of the key's tokens: its quota after that, or None while Redis is away.
    RateLimited when the key has none left."""
    now = time.monotonic()
    with _leases_lock:
        lease = _leases.get(name)
        if lease is not None and lease.tokens > 0 and now < lease.until:
            lease.tokens -= 1
            return Quota(rate, lease.remaining + lease.tokens, math.ceil(lease.full_at - now))
    if not _redis_usable():
        return None
    try:
        granted, remaining, wait_us, full_us = connections.run(
            _KEY_TAKE, [key_bucket(name)], [rate, rate, lease_size(rate)], None
        )
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return None
    full_at = now + full_us / 1_000_000
    quota = Quota(rate, int(remaining), math.ceil(full_us / 1_000_000))
    if granted < 1:
        raise refused(
            f"This key may make {rate} requests a second; slow down.",
            quota,
            wait_us / 1_000_000,
        )
    with _leases_lock:
        _leases[name] = _Lease(granted - 1, now + LEASE_SECONDS, int(remaining), full_at)
    return Quota(rate, int(remaining) + granted - 1, quota.reset)


# --- per player and board: a sliding minute ------------------------------------------------

_SUBMISSIONS_TAKE = scripts.source("submissions_take", {}, folder=LUA)


def player_bucket(slug: str, player_id: str) -> str:
    return f"rl:{{{slug}}}:p:{player_id}"


@dataclass(slots=True)
class _Board:
    slug: str
    limit: int
    players: dict[str, list[int]]  # player id -> indexes of its submissions, in order
    batch: bool = False  # whether a refusal names the item (scores[3])


@contextmanager
def submissions(items: Sequence[tuple[str, str]], *, batch: bool = False) -> Iterator[Quota | None]:
    """Count submissions ``(board slug, player id)`` against their boards' per-player limits,
    all or none: RateLimited naming the first item over. Gives the quota of a single
    submission (None for a batch, an unlimited board, or while Redis is away). If the block
    raises, the submissions are given back: a refused write does not count."""
    taken: list[tuple[_Board, str]] = []
    quota = None
    try:
        for board in _limited_boards(items, batch):
            call = os.urandom(6).hex()  # unique enough among one player's minute
            found = _take(board, call)
            if found is None:
                continue
            taken.append((board, call))
            if not batch:
                used = found[0][0]
                quota = Quota(board.limit, board.limit - used - 1, WINDOW_MS // 1000)
    except BaseException:
        _give_back(taken)
        raise
    try:
        yield quota
    except BaseException:
        _give_back(taken)
        raise


def _limited_boards(items: Sequence[tuple[str, str]], batch: bool) -> list[_Board]:
    found: dict[str, _Board | None] = {}
    for index, (slug, player_id) in enumerate(items):
        if slug not in found:
            found[slug] = _board_limit(slug, batch)
        board = found[slug]
        if board is not None:
            board.players.setdefault(player_id, []).append(index)
    return [board for board in found.values() if board is not None]


def _board_limit(slug: str, batch: bool) -> _Board | None:
    try:
        limit = boards.board_known(slug).board.max_submissions_per_minute
    except (NotFound, DatabaseError):
        return None  # the write itself answers for a board that is not there
    return _Board(slug, limit, {}, batch) if limit else None


def _take(board: _Board, call: str) -> list[tuple[int, int]] | None:
    """Count the board's submissions; None while Redis is away. RateLimited if over."""
    if not _redis_usable():
        return None
    players = list(board.players)
    try:
        reply = connections.run(
            _SUBMISSIONS_TAKE,
            [player_bucket(board.slug, player_id) for player_id in players],
            [board.limit, WINDOW_MS, call, *(len(board.players[p]) for p in players)],
            None,
        )
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return None
    found = [(int(used), int(wait)) for used, wait in reply[1]]
    if reply[0] == 1:
        return found
    # The first item over: each refused player's submission past what the minute has left.
    over = [
        (board.players[player_id][max(board.limit - used, 0)], player_id, used, wait)
        for player_id, (used, wait) in zip(players, found, strict=True)
        if wait > 0  # so used + its submissions > limit: one of them is past it
    ]
    index, player_id, used, wait = min(over)
    where = f"scores[{index}]: " if board.batch else ""
    raise refused(
        f"{where}player {player_id!r} may submit {board.limit} scores a minute to "
        f"{board.slug!r}; {used} in the last minute.",
        Quota(board.limit, board.limit - used, WINDOW_MS // 1000),
        wait / 1000,
    )


def _give_back(taken: list[tuple[_Board, str]]) -> None:
    for board, call in taken:
        try:
            client = connections.connection()
            for player_id, indexes in board.players.items():
                client.zrem(
                    player_bucket(board.slug, player_id),
                    *(f"{call}:{j}" for j in range(1, len(indexes) + 1)),
                )
        except REDIS_ERRORS as exc:
            _redis_failed(exc)
