"""Writes: scores, players and boards change in the database; sync.py brings Redis along.

Each write is one short transaction with no network call inside it but the database's. Its
changes reach Redis after it commits (sync.py), carrying the row versions that keep Redis
from ever going back to an older value.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from backend_site.rankings import selectors, sql, sync
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import DEFAULT_BOARD, Leaderboard, Player, Score
from backend_site.rankings.store import EntryChange


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """A submission's outcome; its ranks are known once the transaction has committed."""

    slug: str
    player_id: str
    score: int
    updated: bool
    synced: sync.EntriesSync

    @property
    def rank(self) -> int | None:
        """None until committed, or while Redis is unreachable (saved, ranked once back).
        In a batch: the entry's rank once the whole batch is applied."""
        applied = self.synced.result(self.slug, self.player_id)
        return applied.rank if applied else None

    @property
    def previous_rank(self) -> int | None:
        """The rank just before this submission: None for a new entry, or where Redis had
        already taken the change in (a board rebuilt from the database meanwhile)."""
        applied = self.synced.result(self.slug, self.player_id)
        if applied is None:
            return None
        if not self.updated:
            return applied.rank
        return applied.previous_rank if applied.applied else None


class _StaleBoard(Exception):
    """The board changed since this process read it."""


def _board_is_current(board: Leaderboard) -> bool:
    fresh = selectors.board_get(slug=board.slug)
    return (fresh.pk, fresh.order, fresh.operator) == (board.pk, board.order, board.operator)


def _change(row: sql.Row) -> EntryChange:
    return EntryChange(
        player_id=row.player_id,
        version=row.version,
        value=row.value,
        achieved_at=row.achieved_at,
        name=row.name,
    )


def score_submit(
    *, board: Leaderboard, player_id: str, score: int, name: str | None = None
) -> SubmitResult:
    """Apply a score with the board's operator (best, latest or increment), atomically."""
    try:
        return _score_submit(board=board, player_id=player_id, score=score, name=name)
    except _StaleBoard:
        board = selectors.board_get(slug=board.slug)  # NotFound when it is gone
        return _score_submit(board=board, player_id=player_id, score=score, name=name)


def _score_submit(
    *, board: Leaderboard, player_id: str, score: int, name: str | None
) -> SubmitResult:
    now = timezone.now()
    # Without a name the write is one statement, atomic by itself (on PostgreSQL; SQLite
    # reserves its version first, so it needs the transaction).
    alone = name is None and connection.vendor == "postgresql"
    with nullcontext() if alone else sql.write_transaction():
        changes = _player_named(player_id=player_id, name=name, now=now)
        row = sql.score_upsert(board=board, player_id=player_id, score=score, now=now)
        updated = row is not None
        if row is None:
            if not _board_is_current(board):
                raise _StaleBoard(board.slug)
            row = sql.score_current(board=board, player_id=player_id)
            if row is None:
                raise InvalidInput("name: required for a new player.", field="name")
            if board.operator == Leaderboard.Operator.INCREMENT and score:
                raise InvalidInput(f"score: the total would pass ±{sql.MAX_SCORE}.", field="score")
        # Unchanged rows go too: the entry's next write mends a gap a crash left.
        pending = sync.entries_changed([*changes, (board, _change(row))])
    return SubmitResult(
        slug=board.slug, player_id=player_id, score=row.value, updated=updated, synced=pending
    )


def _player_named(
    *, player_id: str, name: str | None, now
) -> list[tuple[Leaderboard, EntryChange]]:
    """Create the player or rename them; the changes a rename makes on their boards."""
    if name is None:
        return []
    if sql.player_upsert(player_id=player_id, name=name, now=now) == "renamed":
        return _entries_renamed(player_id=player_id, name=name)
    return []


def _entries_renamed(*, player_id: str, name: str) -> list[tuple[Leaderboard, EntryChange]]:
    """New versions for every score of a renamed player, so each board shows the new name."""
    bumped = sql.versions_bump(where="player_id = %s", params=[player_id])
    return changes_of(bumped, name_override={player_id: name})


def changes_of(
    bumped: Iterable[tuple[int, str, int]], *, name_override: dict[str, str] | None = None
) -> list[tuple[Leaderboard, EntryChange]]:
    """The committed state of each (board id, player id) just given a new version."""
    keys = list(bumped)
    if not keys:
        return []
    boards = Leaderboard.objects.in_bulk({board_id for board_id, _, _ in keys})
    rows = Score.objects.filter(
        board_id__in=boards, player_id__in={player_id for _, player_id, _ in keys}
    ).values_list("board_id", "player_id", "value", "achieved_at", "version", "player__name")
    wanted = {(board_id, player_id) for board_id, player_id, _ in keys}
    names = name_override or {}
    return [
        (
            boards[board_id],
            EntryChange(
                player_id=player_id,
                version=version,
                value=value,
                achieved_at=achieved_at,
                name=names.get(player_id, name),
            ),
        )
        for board_id, player_id, value, achieved_at, version, name in rows
        if (board_id, player_id) in wanted
    ]


def entries_resync(entries: Iterable[tuple[str, str]]) -> None:
    """Bring these (board slug, player id) entries in Redis up to their database rows now.

    For a retry that replays an answer its first request never completed: that request may
    have died between its commit and Redis. Versions make this harmless where Redis already
    has the rows; rows that are gone (board or player deleted since) are skipped.
    """
    wanted: dict[str, set[str]] = {}
    for slug, player_id in entries:
        wanted.setdefault(slug, set()).add(player_id)
    keys = []
    for slug, player_ids in wanted.items():
        keys += Score.objects.filter(board__slug=slug, player_id__in=player_ids).values_list(
            "board_id", "player_id", "version"
        )
    changes = changes_of(keys)
    if changes:
        sync.EntriesSync(changes, previous_ranks=False)()


def _delete_with_entries(obj: Player | Score, *, where: str, params: list) -> None:
    """Delete ``obj`` (a player or a score) and take the entries it held, the scores
    ``where`` picks, off their boards."""
    with transaction.atomic():
        bumped = sql.versions_bump(where=where, params=params)
        obj.delete()
        boards = Leaderboard.objects.in_bulk({board_id for board_id, _, _ in bumped})
        sync.entries_changed(
            [
                (boards[board_id], EntryChange(player_id=player_id, version=version, value=None))
                for board_id, player_id, version in bumped
            ]
        )


def player_rename(*, player: Player, name: str) -> None:
    """Change a player's display name in the database and on every board they are on."""
    with transaction.atomic():
        player.name = name
        player.save(update_fields=["name", "updated_at"])
        sync.entries_changed(_entries_renamed(player_id=player.player_id, name=name))


def player_delete(*, player: Player) -> None:
    """Delete a player and their scores everywhere."""
    _delete_with_entries(player, where="player_id = %s", params=[player.player_id])


def score_set(*, score: Score) -> None:
    """Save a score exactly as given (the admin's edit, which may move it to another board
    or player) and put it on its board, taking it off where it was."""
    with transaction.atomic():
        before = None
        if score.pk is not None:
            before = Score.objects.filter(pk=score.pk).values_list("board_id", "player_id").first()
        score.save()
        bumped = sql.versions_bump(where="id = %s", params=[score.pk])
        changes = changes_of(bumped)
        if before and before != (score.board_id, score.player_id):
            version = bumped[0][2]
            board = Leaderboard.objects.get(pk=before[0])
            changes.append((board, EntryChange(player_id=before[1], version=version, value=None)))
        sync.entries_changed(changes)


def score_delete(*, score: Score) -> None:
    """Remove a player's score from a board."""
    _delete_with_entries(score, where="id = %s", params=[score.pk])


def board_save(*, board: Leaderboard) -> None:
    """Create or change a board; Redis rebuilds it (under its new slug, if that changed)."""
    with transaction.atomic():
        old_slug = None
        if board.pk is not None:
            old_slug = (
                Leaderboard.objects.filter(pk=board.pk).values_list("slug", flat=True).first()
            )
            if old_slug == DEFAULT_BOARD and board.slug != DEFAULT_BOARD:
                raise InvalidInput(f"The default board {DEFAULT_BOARD!r} keeps its slug.")
        board.save()
        sync.board_saved(board=board, old_slug=old_slug)


def board_delete(*, board: Leaderboard) -> None:
    """Delete a board and its scores (never the default board)."""
    if board.slug == DEFAULT_BOARD:
        raise InvalidInput(f"The default board {DEFAULT_BOARD!r} cannot be deleted.")
    with transaction.atomic():
        slug = board.slug
        board.delete()
        sync.board_removed(slug=slug)
