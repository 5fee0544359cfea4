"""The one way Redis follows the database.

A write changes the database and records here what it changed: entries (``entries_changed``)
or whole boards (``board_saved``, ``board_removed``, ``BoardBuild``). Nothing reaches Redis
until the transaction commits (``transaction.on_commit``), so a rolled-back write never
shows. Each entry carries its row's version and Redis refuses an older one, so changes that
arrive out of order or twice cannot set an entry back. A process that dies between the
commit and Redis leaves the entry behind until its next write (which carries the whole
state), or until ``manage.py verify_rankings --repair`` runs.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction

from backend_site.rankings import clock, periods, rebuild, store
from backend_site.rankings.errors import REDIS_ERRORS, ApiError
from backend_site.rankings.models import Leaderboard

logger = logging.getLogger("backend_site.rankings")


# Changes that committed while Redis was unreachable, retried (versions make that safe)
# before this process's next apply. Bounded: past it, verify_rankings --repair mends the rest.
DEFERRED_MAX = 10_000
_deferred: deque[EntriesSync] = deque()
_deferred_retrying = threading.Lock()


class EntriesSync:
    """Entry changes recorded in a transaction; applied to Redis once it commits."""

    def __init__(
        self,
        changes: Iterable[tuple[Leaderboard, store.EntryChange]],
        *,
        previous_ranks: bool = True,
    ):
        self.previous_ranks = previous_ranks
        # One state per board and player: the last one recorded is the committed one.
        self.boards: dict[str, tuple[str, dict[str, store.EntryChange]]] = {}
        for board, change in changes:
            self.boards.setdefault(board.slug, (board.order, {}))[1][change.player_id] = change
        self.results: dict[tuple[str, str], store.Applied] = {}
        self.deferred = False

    def __len__(self) -> int:
        return sum(len(by_player) for _, by_player in self.boards.values())

    def __call__(self) -> None:
        try:
            _retry_deferred()
            self._apply()
        except (*REDIS_ERRORS, ApiError) as exc:
            # Committed but not ranked yet: retried by this process's next write, and the
            # entry's own next write or verify_rankings --repair mends it in any case.
            logger.warning("Ranking update deferred (%s): %s", ", ".join(self.boards), exc)
            self.deferred = True
            if sum(map(len, _deferred)) + len(self) <= DEFERRED_MAX:
                _deferred.append(self)

    def _apply(self) -> None:
        # The day whose 00:00 snapshot rank changes count from; UTC until boards pass their zone.
        today = periods.day_id("UTC", clock.now())
        for slug, (order, by_player) in self.boards.items():
            changes = list(by_player.values())
            _, applied = rebuild.with_board_loaded(
                slug,
                partial(
                    store.entries_apply,
                    slug=slug,
                    order=order,
                    changes=changes,
                    today=today,
                    previous_ranks=self.previous_ranks,
                ),
            )
            for change, result in zip(changes, applied, strict=True):
                self.results[(slug, change.player_id)] = result

    def result(self, slug: str, player_id: str) -> store.Applied | None:
        """What applying the player's change on the board did, or None if it was not applied."""
        return self.results.get((slug, player_id))


def _retry_deferred() -> None:
    """Apply the deferred changes, oldest first, in one thread at a time: another thread that
    finds the queue being worked on goes on with its own change (versions keep the order
    from mattering), rather than apply the same head twice and pop one it never applied."""
    if not _deferred or not _deferred_retrying.acquire(blocking=False):
        return
    try:
        while _deferred:
            try:
                _deferred[0]._apply()
            except ApiError as exc:
                # Its board is gone, or being rebuilt from the database (which has the
                # change): nothing left to apply. A RedisError stops the retry, queue kept.
                logger.warning("Dropped a deferred ranking update: %s", exc)
            _deferred.popleft()  # only the thread holding the lock takes from the left
    finally:
        _deferred_retrying.release()


def entries_changed(
    changes: Iterable[tuple[Leaderboard, store.EntryChange]], *, previous_ranks: bool = True
) -> EntriesSync:
    """Record changed entries; they reach Redis when the current transaction commits.
    ``previous_ranks=False`` spares Redis finding each player's rank before the change."""
    sync = EntriesSync(changes, previous_ranks=previous_ranks)
    if sync.boards:
        transaction.on_commit(sync)
    return sync


def _quietly(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except (*REDIS_ERRORS, ApiError) as exc:
        logger.warning("%s deferred: %s (verify_rankings --repair mends it)", what, exc)


def board_saved(*, board: Leaderboard, old_slug: str | None = None) -> None:
    """After commit, rebuild the board from the database (its order or title may have
    changed), and drop the keys of its old slug when it was renamed."""
    board_id = board.pk

    def reload() -> None:
        fresh = Leaderboard.objects.get(pk=board_id)
        rebuild.board_rebuild(board=fresh)
        if old_slug and old_slug != fresh.slug:
            store.board_forget(slug=old_slug)

    transaction.on_commit(lambda: _quietly(reload, f"Reloading board {board.slug}"))


def board_removed(*, slug: str) -> None:
    """After commit, drop the board's keys."""
    transaction.on_commit(
        lambda: _quietly(lambda: store.board_forget(slug=slug), f"Dropping board {slug}")
    )


def boards_stale_after_migration(apps, schema_editor) -> None:
    """For a data migration (``migrations.RunPython(boards_stale_after_migration)`` after
    the operations that change scores, players or boards): once it commits, every board with
    scores is marked stale in Redis, so the first request that needs one rebuilds it from the
    database, once across all workers. A fresh database has nothing to mark."""
    Board = apps.get_model("rankings", "Leaderboard")
    slugs = list(
        Board.objects.filter(scores__isnull=False).distinct().values_list("slug", flat=True)
    )

    def mark() -> None:
        for slug in slugs:
            store.board_mark_stale(slug=slug)

    if slugs:
        transaction.on_commit(
            lambda: _quietly(mark, "Marking boards stale (run rebuild_rankings instead)")
        )


class BoardBuild:
    """A board rebuilt aside from what the current transaction sees, swapped in after commit.

    For bulk writes (seed): start() at the end of the transaction, then drop() if the
    transaction fails, so a failed import changes nothing in Redis.
    """

    def __init__(self, board: Leaderboard, lock: rebuild.BoardLock):
        self.board = board
        self.lock = lock
        self.swapped = False
        self.size = 0

    @classmethod
    def start(
        cls, *, board: Leaderboard, progress: Callable[[int], None] | None = None
    ) -> BoardBuild:
        lock = rebuild.lock_take(board=board)
        build = cls(board, lock)
        try:
            build.size = rebuild.board_build_aside(board=board, lock=lock, progress=progress)
        except BaseException:
            lock.release()
            raise
        transaction.on_commit(build.swap)
        return build

    def swap(self) -> None:
        store.board_swap(slug=self.board.slug, tag=self.lock.tag)
        self.swapped = True

    def drop(self) -> None:
        if self.swapped:
            return
        store.board_build_drop(slug=self.board.slug, tag=self.lock.tag)
        self.lock.release()
