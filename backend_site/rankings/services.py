"""Writes: scores, players and boards change here, in the database first and then in Redis.

Each write runs in one database transaction that holds the row (SQLite: the database) while
Redis is updated, so two writers for the same player reach Redis in the order they committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from backend_site.rankings import store
from backend_site.rankings.errors import InvalidInput, NotFound, Unavailable
from backend_site.rankings.models import MAX_SCORE, Leaderboard, Player, Score

logger = logging.getLogger("backend_site.rankings")

# Short, and renewed as the rebuild progresses: a worker that dies mid-rebuild (or loses
# Redis before it can unlock) holds the board up for seconds, not minutes.
REBUILD_LOCK_SECONDS = 15
REBUILD_WAIT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class SubmitResult:
    player_id: str
    score: int
    rank: int
    updated: bool


def board_get(*, slug: str) -> Leaderboard:
    """Return the board from the database, or raise NotFound."""
    try:
        return Leaderboard.objects.get(slug=slug)
    except Leaderboard.DoesNotExist:
        raise NotFound(f"No leaderboard {slug!r}.") from None


def score_submit(
    *, board: Leaderboard, player_id: str, score: int, name: str | None = None
) -> SubmitResult:
    """Apply a score with the board's operator (best, latest or increment), atomically."""
    now = timezone.now()
    with transaction.atomic():
        player = _player_for_score(player_id=player_id, name=name)
        updated = _score_apply(board=board, player_id=player_id, score=score, now=now)
        # Renamed only once the score is accepted: Redis does not roll back with the database.
        if name is not None and name != player.name:
            player_rename(player=player, name=name)
        # FOR UPDATE: read the committed value and keep later writers waiting until Redis
        # has it, so Redis is never set back to an older value.
        value, achieved_at = (
            Score.objects.select_for_update()
            .filter(board=board, player_id=player_id)
            .values_list("value", "achieved_at")
            .get()
        )
        rank = _entry_sync(board=board, player=player, value=value, achieved_at=achieved_at)
    return SubmitResult(player_id=player_id, score=value, rank=rank, updated=updated)


def _player_for_score(*, player_id: str, name: str | None) -> Player:
    player = Player.objects.filter(player_id=player_id).first()
    if player is None:
        if name is None:
            raise InvalidInput("name: required for a new player.", field="name")
        player, _ = Player.objects.get_or_create(player_id=player_id, defaults={"name": name})
    return player


def _score_apply(*, board: Leaderboard, player_id: str, score: int, now: datetime) -> bool:
    """Change the stored score in one conditional UPDATE; True when it changed."""
    rows = Score.objects.filter(board=board, player_id=player_id)
    if board.operator == Leaderboard.Operator.BEST:
        better = Q(value__lt=score) if board.order == Leaderboard.Order.DESC else Q(value__gt=score)
        changed = rows.filter(better).update(value=score, achieved_at=now)
    elif board.operator == Leaderboard.Operator.LATEST:
        changed = rows.exclude(value=score).update(value=score, achieved_at=now)
    else:
        in_range = Q(value__gte=-MAX_SCORE - score, value__lte=MAX_SCORE - score)
        changed = 0
        if score:  # adding nothing changes nothing, not even when the value was reached
            changed = rows.filter(in_range).update(value=F("value") + score, achieved_at=now)
    if changed:
        return True
    if rows.exists():
        if board.operator == Leaderboard.Operator.INCREMENT and score:
            raise InvalidInput(f"score: the total would pass ±{MAX_SCORE}.", field="score")
        return False
    try:
        with transaction.atomic():
            Score.objects.create(board=board, player_id=player_id, value=score, achieved_at=now)
    except IntegrityError:
        # Another writer created the row between our UPDATE and INSERT: apply on top of it.
        return _score_apply(board=board, player_id=player_id, score=score, now=now)
    return True


def _entry_sync(*, board: Leaderboard, player: Player, value: int, achieved_at: datetime) -> int:
    def write() -> int:
        rank, _ = store.entry_write(
            slug=board.slug,
            order=board.order,
            player_id=player.player_id,
            name=player.name,
            value=value,
            achieved_at=achieved_at,
        )
        return rank

    return with_board_loaded(board.slug, write)


def player_rename(*, player: Player, name: str) -> None:
    """Change a player's display name in the database and on every board they are on."""
    player.name = name
    player.save(update_fields=["name", "updated_at"])
    for slug in Score.objects.filter(player=player).values_list("board__slug", flat=True):
        store.entry_rename(slug=slug, player_id=player.player_id, name=name)


def score_set(*, score: Score) -> None:
    """Save a score exactly as given (the admin's edit) and put it on the board."""
    with transaction.atomic():
        score.save()
        _entry_sync(
            board=score.board, player=score.player, value=score.value, achieved_at=score.achieved_at
        )


def score_delete(*, score: Score) -> None:
    """Remove a player's score from a board."""
    with transaction.atomic():
        slug, player_id = score.board.slug, score.player_id
        score.delete()
        store.entry_remove(slug=slug, player_id=player_id)


def player_delete(*, player: Player) -> None:
    """Delete a player and their scores everywhere."""
    with transaction.atomic():
        slugs = list(Score.objects.filter(player=player).values_list("board__slug", flat=True))
        player_id = player.player_id
        player.delete()
        for slug in slugs:
            store.entry_remove(slug=slug, player_id=player_id)


def board_save(*, board: Leaderboard) -> None:
    """Create or change a board; its ranking is rebuilt so order changes take effect."""
    with transaction.atomic():
        board.save()
        board_rebuild(board=board)


def board_delete(*, board: Leaderboard) -> None:
    """Delete a board and its scores."""
    with transaction.atomic():
        slug = board.slug
        board.delete()
        store.board_forget(slug=slug)


def board_rows(*, board: Leaderboard, chunk: int = 20_000) -> Iterator[store.LoadRow]:
    """Stream a board's scores with player names, without loading them all at once."""
    rows = (
        Score.objects.filter(board=board)
        .values_list("player_id", "player__name", "value", "achieved_at")
        .order_by()
        .iterator(chunk_size=chunk)
    )
    for player_id, name, value, achieved_at in rows:
        yield store.LoadRow(player_id=player_id, name=name, value=value, achieved_at=achieved_at)


def board_rebuild(*, board: Leaderboard, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the board's ranking from the database, aside, then swap it in; return its size."""
    return store.board_load(
        slug=board.slug,
        title=board.title,
        order=board.order,
        operator=board.operator,
        rows=board_rows(board=board),
        progress=progress,
    )


def board_restore(*, slug: str) -> None:
    """Load a board Redis has lost, once across all workers; others wait for it briefly."""
    board = board_get(slug=slug)
    token = store.rebuild_lock(slug=slug, seconds=REBUILD_LOCK_SECONDS)
    if token is None:
        deadline = time.monotonic() + REBUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            if store.board_is_loaded(slug=slug):
                return
            time.sleep(0.05)
        raise Unavailable(
            f"Leaderboard {slug!r} is being rebuilt; try again shortly.", retry_after=5
        )
    try:
        if not store.board_is_loaded(slug=slug):
            size = board_rebuild(
                board=board,
                progress=lambda _: store.rebuild_lock_renew(
                    slug=slug, token=token, seconds=REBUILD_LOCK_SECONDS
                ),
            )
            logger.warning("Rebuilt leaderboard %s from the database (%d players).", slug, size)
    finally:
        store.rebuild_unlock(slug=slug, token=token)


def boards_restore() -> None:
    """Load every board Redis has lost (after a restart or flush)."""
    for slug in Leaderboard.objects.values_list("slug", flat=True):
        if not store.board_is_loaded(slug=slug):
            board_restore(slug=slug)


def with_board_loaded(slug: str, action):
    """Run ``action``; if Redis lost the board, rebuild it from the database and run it again."""
    try:
        return action()
    except store.BoardNotLoaded:
        if not store.boards_listed():
            # Redis lost everything (restart or flush): bring every board back, not just
            # this one, so the list of boards is whole again.
            boards_restore()
        board_restore(slug=slug)
        return action()
