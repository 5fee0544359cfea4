"""Rebuilding a board's Redis ranking from the database, aside and under the board's lock.

A rebuild streams the board's rows into keys of its own and swaps them in with one script.
Writes applied while it runs are journaled under the lock's token and replayed by the swap,
so a rebuild never loses them (builds.py). A board Redis has lost is rebuilt by the first
request that needs it, once across all workers.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from redis import Redis
from redis.exceptions import LockError, LockNotOwnedError
from redis.lock import Lock

from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.calendar.boards import Ranking, boards_forget, ranking_of
from backend_site.rankings.db import history_rows
from backend_site.rankings.errors import NotFound, Unavailable
from backend_site.rankings.models import Leaderboard, Score
from backend_site.rankings.ranking_index import builds, connections, layout, store
from backend_site.rankings.values import LoadRow

logger = logging.getLogger("backend_site.rankings")

# Short, and renewed as the rebuild progresses: a worker that dies mid-rebuild (or loses
# Redis before it can unlock) holds the board up for seconds, not minutes.
REBUILD_LOCK_SECONDS = 15
REBUILD_WAIT_SECONDS = 5.0
# A past period loaded back from the database stays this long after its last load.
PAST_PERIOD_SECONDS = 3600
T = TypeVar("T")


# A score row as a load (and verify_rankings) reads it: load_row makes it a LoadRow.
ROW_COLUMNS = (
    "player_id",
    "player__name",
    "value",
    "achieved_at",
    "version",
    "metadata",
    "tie_1",
    "tie_2",
)


def load_row(board: Leaderboard, row: tuple) -> LoadRow:
    """A row of ROW_COLUMNS as a LoadRow, its ties those of the board's columns."""
    player_id, name, value, achieved_at, version, metadata, tie_1, tie_2 = row
    ties = board.ranked_ties((tie_1, tie_2))
    return LoadRow(player_id, name, value, achieved_at, version, metadata, ties)


def board_rows(*, ranking: Ranking, chunk: int = 20_000) -> Iterator[LoadRow]:
    """Stream a ranking's scores with player names, without loading them all at once;
    hidden players' scores (sanctions.py) stay out."""
    rows = (
        Score.objects.filter(board=ranking.board, period=ranking.period_id, player__hidden=False)
        .values_list(*ROW_COLUMNS)
        .order_by()
        .iterator(chunk_size=chunk)
    )
    for row in rows:
        yield load_row(ranking.board, row)


class BoardLock:
    """A ranking's rebuild lock: redis-py's ``Lock`` on ``layout.lock_key``, with the build's
    ``tag`` as its token. Writes made while it is held are journaled under that tag
    (``store.entries_apply``), and the swap that puts the build in place lets the lock go in
    the same step (``builds.ranking_swap``)."""

    def __init__(self, slug: str, *, client: Redis | None = None):
        self.slug = slug
        self.tag = secrets.token_hex(8)
        self._lock = Lock(
            client or connections.connection(),
            layout.lock_key(slug),
            timeout=REBUILD_LOCK_SECONDS,
            sleep=0.05,
            thread_local=False,  # a seed's build is swapped in by an on_commit hook
        )

    def acquire(self, *, wait: float) -> bool:
        """Take the lock, waiting up to ``wait`` seconds (0: try once); whether it was."""
        return self._lock.acquire(blocking=wait > 0, blocking_timeout=wait, token=self.tag)

    def renew(self) -> None:
        """Push out the lock's expiry, and its journal's, while a long rebuild progresses."""
        try:
            self._lock.extend(REBUILD_LOCK_SECONDS, replace_ttl=True)
        except LockNotOwnedError:
            return  # it expired (and maybe another took it): nothing of ours to keep
        builds.journal_keep(ranking=self.slug, tag=self.tag, client=self._lock.redis)

    def release(self) -> None:
        """Let the lock go if it is still ours (a swap has let it go already)."""
        with contextlib.suppress(LockError):
            self._lock.release()


def lock_take(*, ranking: Ranking, wait: float = 30.0) -> BoardLock:
    """Take the ranking's rebuild lock, waiting up to ``wait`` seconds (else Unavailable)."""
    lock = BoardLock(ranking.name)
    if not lock.acquire(wait=wait):
        raise Unavailable(f"Leaderboard {ranking.name!r} is being rebuilt; try again shortly.")
    return lock


def ranking_build_aside(
    *, ranking: Ranking, lock: BoardLock, progress: Callable[[int], None] | None = None
) -> int:
    """Stream the ranking's rows from the database into keys of their own, holding ``lock``
    (renewed as it goes); builds.ranking_swap puts them in place. Their count."""

    def step(done: int) -> None:
        lock.renew()
        if progress is not None:
            progress(done)

    board = ranking.board
    return builds.ranking_build(
        ranking=ranking.name,
        title=board.title,
        order=board.order,
        operator=board.operator,
        rows=board_rows(ranking=ranking),
        tag=lock.tag,
        subscores=len(board.subscore_orders),
        progress=step,
    )


def _swap(ranking: Ranking, tag: str) -> None:
    """Put the build in place; a past period's ranking is kept only PAST_PERIOD_SECONDS, a
    current one gets today's snapshot of rank movement from the history events."""
    builds.ranking_swap(ranking=ranking.name, tag=tag)
    if ranking.is_current(clock.now()):
        snapshot_restore(ranking)
    else:
        builds.ranking_expire(ranking=ranking.name, seconds=PAST_PERIOD_SECONDS)


def snapshot_start(ranking: Ranking) -> None:
    """Take the ranking's snapshot now: every player's movement counts from here today."""
    board = ranking.board
    today = periods.day_id(board.timezone, clock.now())
    builds.snapshot_seed(ranking=ranking.name, order=board.order, today=today, before=[])


def snapshot_restore(ranking: Ranking) -> None:
    """Give a ranking just loaded the snapshot it would have had since 00:00 (its board's
    day): every player with a history event since then is set back, for the snapshot, to
    their last event before it (or to no entry). Without this, a ranking loaded during the
    day (a new period's first write, Redis restarted) would count movement from its load."""
    board = ranking.board
    day = periods.local_date(board.timezone, clock.now())
    midnight, _ = periods.day_bounds(board.timezone, day)
    builds.snapshot_seed(
        ranking=ranking.name,
        order=board.order,
        today=day.isoformat(),
        before=history_rows.events_before(board=board, period=ranking.period_id, moment=midnight),
    )


def ranking_rebuild(
    *, ranking: Ranking, progress: Callable[[int], None] | None = None, wait: float = 30.0
) -> int:
    """Rebuild the ranking from the database, aside, then swap it in; its size."""
    lock = lock_take(ranking=ranking, wait=wait)
    try:
        size = ranking_build_aside(ranking=ranking, lock=lock, progress=progress)
        _swap(ranking, lock.tag)
        return size
    finally:
        lock.release()


def board_rebuild(
    *, board: Leaderboard, progress: Callable[[int], None] | None = None, wait: float = 30.0
) -> int:
    """Rebuild the board's current ranking from the database; its size."""
    return ranking_rebuild(ranking=ranking_of(board, clock.now()), progress=progress, wait=wait)


def ranking_restore(*, ranking: Ranking) -> None:
    """Load a ranking Redis has lost (or never had), once across all workers; others wait
    for it briefly."""
    name = ranking.name
    fresh = Leaderboard.objects.filter(slug=ranking.board.slug).first()
    if fresh is None or fresh.pk != ranking.board.pk:
        boards_forget()  # this process's copy of the board is out of date
        if fresh is None:
            raise NotFound(f"No leaderboard {ranking.board.slug!r}.")
        ranking = Ranking(fresh, ranking.period_id)  # deleted and made again meanwhile
    lock = BoardLock(name)
    if not lock.acquire(wait=0):
        deadline = time.monotonic() + REBUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            if store.ranking_is_loaded(ranking=name):
                return
            time.sleep(0.05)
        raise Unavailable(
            f"Leaderboard {name!r} is being rebuilt; try again shortly.", retry_after=5
        )
    try:
        if not store.ranking_is_loaded(ranking=name):
            size = ranking_build_aside(ranking=ranking, lock=lock)
            _swap(ranking, lock.tag)
            if size or not ranking.period_id:
                logger.warning("Loaded leaderboard %s from the database (%d players).", name, size)
    finally:
        lock.release()


def boards_restore() -> None:
    """Load every board's current ranking Redis has lost (after a restart or flush), and
    list them all again: on a cluster the list of boards can be lost (one shard restarted)
    while the boards stay."""
    now = clock.now()
    names = []
    for board in Leaderboard.objects.all():
        ranking = ranking_of(board, now)
        names.append(ranking.name)
        if not store.ranking_is_loaded(ranking=ranking.name):
            ranking_restore(ranking=ranking)
    store.rankings_register(rankings=names)


def with_board_loaded(ranking: Ranking, action: Callable[[], T]) -> T:
    """Run ``action``; if Redis lost the ranking (or never had it: a new period, a past one
    not read lately), load it from the database and run it again."""
    try:
        return action()
    except store.BoardNotLoaded:
        if not store.rankings_listed():
            # Redis lost everything (restart or flush): bring every board back, not just
            # this one, so the list of boards is whole again.
            boards_restore()
        ranking_restore(ranking=ranking)
        return action()
