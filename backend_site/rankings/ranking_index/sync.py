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

from backend_site.rankings.calendar import boards, clock, periods
from backend_site.rankings.errors import REDIS_ERRORS, ApiError
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.ranking_index import builds, rebuild, store
from backend_site.rankings.values import Applied, EntryChange

logger = logging.getLogger("backend_site.rankings")


# Changes that committed while Redis was unreachable, retried (versions make that safe)
# before this process's next apply. Bounded: past it, verify_rankings --repair mends the rest.
DEFERRED_MAX = 10_000
_deferred: deque[EntriesSync] = deque()
_deferred_retrying = threading.Lock()


class EntriesSync:
    """Entry changes recorded in a transaction; applied to Redis once it commits, every
    ranking they touch in one round trip."""

    def __init__(
        self,
        changes: Iterable[tuple[boards.Ranking, EntryChange]],
        *,
        previous_ranks: bool = True,
    ):
        self.previous_ranks = previous_ranks
        # One state per ranking and player: the last one recorded is the committed one.
        self.rankings: dict[str, tuple[boards.Ranking, dict[str, EntryChange]]] = {}
        for ranking, change in changes:
            name = ranking.name
            self.rankings.setdefault(name, (ranking, {}))[1][change.player_id] = change
        self.results: dict[tuple[str, str], Applied] = {}
        self.deferred = False

    @property
    def boards(self) -> list[str]:
        return list(self.rankings)

    def __len__(self) -> int:
        return sum(len(by_player) for _, by_player in self.rankings.values())

    def __call__(self) -> None:
        try:
            _retry_deferred()
            self._apply()
        except (*REDIS_ERRORS, ApiError) as exc:
            # Committed but not ranked yet: retried by this process's next write, and the
            # entry's own next write or verify_rankings --repair mends it in any case.
            logger.warning("Ranking update deferred (%s): %s", ", ".join(self.rankings), exc)
            self.deferred = True
            if sum(map(len, _deferred)) + len(self) <= DEFERRED_MAX:
                _deferred.append(self)

    def _apply(self) -> None:
        now = clock.now()
        batches = [
            (name, ranking.order, list(by_player.values()), boards.today_of(ranking.board, now))
            for name, (ranking, by_player) in self.rankings.items()
        ]
        replies = store.entries_apply_many(batches=batches, previous_ranks=self.previous_ranks)
        for (name, order, changes, today), reply in zip(batches, replies, strict=True):
            if isinstance(reply, store.BoardNotLoaded):
                ranking = self.rankings[name][0]
                if not ranking.is_current(now):
                    continue  # a past period not in Redis: it loads from the database whole
                _, applied = rebuild.with_board_loaded(
                    ranking,
                    partial(
                        store.entries_apply,
                        ranking=name,
                        order=order,
                        changes=changes,
                        previous_ranks=self.previous_ranks,
                        today=today,
                    ),
                )
            else:
                _, applied = reply
            for change, result in zip(changes, applied, strict=True):
                self.results[(name, change.player_id)] = result

    def result(self, name: str, player_id: str) -> Applied | None:
        """What applying the player's change on the ranking did, or None if it was not
        applied."""
        return self.results.get((name, player_id))


def deferred_forget() -> None:
    """Drop the changes waiting for Redis (tests: each starts on a Redis of its own, and a
    change deferred in one must not land in the next one's)."""
    _deferred.clear()


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
    changes: Iterable[tuple[boards.Ranking, EntryChange]], *, previous_ranks: bool = True
) -> EntriesSync:
    """Record changed entries; they reach Redis when the current transaction commits.
    ``previous_ranks=False`` spares Redis finding each player's rank before the change."""
    sync = EntriesSync(changes, previous_ranks=previous_ranks)
    if sync.rankings:
        transaction.on_commit(sync)
    return sync


def _quietly(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except (*REDIS_ERRORS, ApiError) as exc:
        logger.warning("%s deferred: %s (verify_rankings --repair mends it)", what, exc)


def ranking_names_recent(board: Leaderboard) -> list[str]:
    """The Redis names of the board's current and previous rankings (its only one if it
    never resets): what to drop when the board goes (older periods expire on their own)."""
    period = board.period_at(clock.now())
    if period is None:
        return [board.slug]
    before = periods.period_before(board.reset, board.timezone, period)
    return [boards.ranking_name(board.slug, p.id) for p in (period, before)]


def board_saved(*, board: Leaderboard, old_slug: str | None = None) -> None:
    """After commit, rebuild the board's current ranking from the database (its order or
    title may have changed), and drop the keys of its old slug when it was renamed."""
    board_id = board.pk
    old = None
    if old_slug and old_slug != board.slug:
        old = Leaderboard(slug=old_slug, reset=board.reset, timezone=board.timezone)

    def reload() -> None:
        fresh = Leaderboard.objects.get(pk=board_id)
        rebuild.ranking_rebuild(ranking=boards.ranking_of(fresh, clock.now()))
        if old is not None:
            for name in ranking_names_recent(old):
                builds.ranking_forget(ranking=name)

    transaction.on_commit(lambda: _quietly(reload, f"Reloading board {board.slug}"))


def board_removed(*, names: list[str]) -> None:
    """After commit, drop the keys of a deleted board's rankings."""

    def forget() -> None:
        for name in names:
            builds.ranking_forget(ranking=name)

    transaction.on_commit(lambda: _quietly(forget, f"Dropping {', '.join(names)}"))


def boards_stale_after_migration(apps, schema_editor) -> None:
    """For a data migration (``migrations.RunPython(boards_stale_after_migration)`` after
    the operations that change scores, players or boards): once it commits, the current
    ranking of every board with scores is marked stale in Redis, so the first request that
    needs one rebuilds it from the database, once across all workers. A fresh database has
    nothing to mark."""
    Board = apps.get_model("rankings", "Leaderboard")
    now = clock.now()
    names = []
    for board in Board.objects.filter(scores__isnull=False).distinct():
        period = periods.period_at(
            getattr(board, "reset", periods.NEVER), getattr(board, "timezone", "UTC"), now
        )
        names.append(boards.ranking_name(board.slug, period.id if period else ""))

    def mark() -> None:
        for name in names:
            builds.ranking_mark_stale(ranking=name)

    if names:
        transaction.on_commit(
            lambda: _quietly(mark, "Marking boards stale (run rebuild_rankings instead)")
        )


class BoardBuild:
    """A ranking rebuilt aside from what the current transaction sees, swapped in after
    commit.

    For bulk writes (seed): start() at the end of the transaction, then drop() if the
    transaction fails, so a failed import changes nothing in Redis.
    """

    def __init__(self, ranking: boards.Ranking, lock: rebuild.BoardLock):
        self.ranking = ranking
        self.lock = lock
        self.swapped = False
        self.size = 0

    @classmethod
    def start(
        cls, *, ranking: boards.Ranking, progress: Callable[[int], None] | None = None
    ) -> BoardBuild:
        lock = rebuild.lock_take(ranking=ranking)
        build = cls(ranking, lock)
        try:
            build.size = rebuild.ranking_build_aside(ranking=ranking, lock=lock, progress=progress)
        except BaseException:
            lock.release()
            raise
        transaction.on_commit(build.swap)
        return build

    def swap(self) -> None:
        builds.ranking_swap(ranking=self.ranking.name, tag=self.lock.tag)
        self.swapped = True
        # An import is the board's standing, not the day's play: movement counts from it
        # (and the snapshot costs no memory for the players it brought).
        _quietly(
            lambda: rebuild.snapshot_start(self.ranking),
            f"Rank movement of {self.ranking.name}",
        )

    def drop(self) -> None:
        if self.swapped:
            return
        builds.ranking_build_drop(ranking=self.ranking.name, tag=self.lock.tag)
        self.lock.release()
