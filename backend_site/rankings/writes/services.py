"""Writes: scores, players and boards change in the database; sync.py brings Redis along.

Each write is one short transaction with no network call inside it but the database's. Its
changes reach Redis after it commits (sync.py), carrying the row versions that keep Redis
from ever going back to an older value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction

from backend_site.rankings.calendar import boards, clock, periods
from backend_site.rankings.calendar.periods import NO_PERIOD
from backend_site.rankings.db import (
    history_rows,
    leaderboards,
    player_rows,
    score_rows,
    transactions,
)
from backend_site.rankings.errors import InvalidInput, PlayerBanned
from backend_site.rankings.models import MAX_SCORE, Leaderboard, Player, Score
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.values import EntryChange
from backend_site.rankings.webhooks import leaders
from backend_site.rankings.writes import bounds


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """A submission's outcome on one board; its ranks are known once the transaction has
    committed. ``also``: its outcome on each board the first one feeds."""

    slug: str
    player_id: str
    score: int
    updated: bool
    synced: sync.EntriesSync
    ranking: str = ""  # the Redis name of the ranking it went to (the slug on never boards)
    also: tuple[SubmitResult, ...] = ()
    hidden: bool = False  # the player is hidden (sanctions.py): stored, ranked nowhere

    @property
    def rank(self) -> int | None:
        """None until committed, or while Redis is unreachable (saved, ranked once back).
        In a batch: the entry's rank once the whole batch is applied."""
        applied = self.synced.result(self.ranking or self.slug, self.player_id)
        return applied.rank if applied else None

    @property
    def previous_rank(self) -> int | None:
        """The rank just before this submission: None for a new entry, or where Redis had
        already taken the change in (a board rebuilt from the database meanwhile)."""
        applied = self.synced.result(self.ranking or self.slug, self.player_id)
        if applied is None:
            return None
        if not self.updated:
            return applied.rank
        return applied.previous_rank if applied.applied else None


class _StaleBoard(Exception):
    """The board (or a board it feeds) changed since this process read it."""


def _board_is_current(board: Leaderboard) -> bool:
    fresh = leaderboards.board_by_slug(board.slug)
    return fresh is not None and (
        fresh.pk,
        fresh.order,
        fresh.operator,
        fresh.reset,
        fresh.timezone,
        fresh.subscores,
    ) == (board.pk, board.order, board.operator, board.reset, board.timezone, board.subscores)


def _change(row: score_rows.Row, board: Leaderboard) -> EntryChange:
    return EntryChange(
        player_id=row.player_id,
        version=row.version,
        value=row.value,
        achieved_at=row.achieved_at,
        name=row.name,
        hidden=row.hidden,
        metadata=row.metadata,
        ties=board.ranked_ties(row.ties),
    )


def score_submit(
    *,
    board: Leaderboard,
    player_id: str,
    score: int,
    name: str | None = None,
    metadata: str | None = None,
    ties: tuple[int, int] = (0, 0),
) -> SubmitResult:
    """Apply a score with the board's operator (best, latest or increment), atomically, in
    the period in force now, and to every board it feeds with theirs; an entry the score
    changes keeps its ``metadata`` (compact JSON, fields.metadata_clean). ``ties``: its
    subscores as ties (subscores.values_clean), weighed with the score. PlayerBanned for a
    banned player; a hidden player's score is stored and ranked nowhere."""
    known = boards.board_known(board.slug)
    if known.board.pk != board.pk:
        known = boards.board_known(board.slug, fresh=True)
    given = {
        "player_id": player_id,
        "score": score,
        "name": name,
        "metadata": metadata,
        "ties": ties,
    }
    try:
        return _score_submit(known=known, **given)
    except _StaleBoard:
        known = boards.board_known(board.slug, fresh=True)  # NotFound when it is gone
        return _score_submit(known=known, **given)


def _score_submit(
    *,
    known: boards.KnownBoard,
    player_id: str,
    score: int,
    name: str | None,
    metadata: str | None,
    ties: tuple[int, int],
) -> SubmitResult:
    now = clock.now()
    board = known.board
    period = known.current(now)
    targets = [(board, period.id if period else NO_PERIOD)]
    for fed in known.fed:
        fed_period = fed.period_at(now)
        targets.append((fed, fed_period.id if fed_period else NO_PERIOD))
    # Without a name or a fed board the write is one statement on PostgreSQL, atomic by
    # itself (SQLite reserves its versions first, so it needs the transaction; a fed board
    # may refuse what the source took, an increment past the limit, so all or nothing).
    # A bounded total is checked after the statement, so it needs the transaction too, and
    # so does the check of the lead while someone listens for leader.changed: its event
    # must commit or roll back with the score.
    alone = (
        name is None
        and len(targets) == 1
        and connection.vendor == "postgresql"
        and not bounds.totals_bounded(board)
        and not leaders.watched()
    )
    outcomes = []
    with nullcontext() if alone else transactions.write_transaction():
        named = name is not None and player_rows.player_upsert(
            player_id=player_id, name=name, now=now
        )
        changes = _entries_renamed(player_id=player_id, name=name) if named == "renamed" else []
        submitted = score_rows.scores_submit(
            targets=targets,
            player_id=player_id,
            score=score,
            now=now,
            metadata=metadata,
            ties=ties,
        )
        for (target, period_id), done in zip(targets, submitted, strict=True):
            if done.row is None:
                if not _board_is_current(target):
                    raise _StaleBoard(target.slug)
                # On PostgreSQL a row another request created while this statement ran is
                # not in its snapshot (the upsert waited for it, then left it as it was):
                # read it again before calling the player unknown.
                row = score_rows.score_current(board=target, period=period_id, player_id=player_id)
                if row is None:
                    if player_rows.players_flags([player_id]).get(player_id, (False, False))[1]:
                        raise PlayerBanned(player_id)
                    raise InvalidInput("name: required for a new player.", field="name")
                done = score_rows.Submitted(row, updated=False)
            if done.row.banned:  # nothing was written (the statement leaves them out)
                raise PlayerBanned(player_id)
            increment = target.operator == Leaderboard.Operator.INCREMENT
            if not done.updated and increment and (score or any(ties)):
                raise InvalidInput(f"score: the total would pass ±{MAX_SCORE}.", field="score")
            if target is board and done.updated and bounds.totals_bounded(board):
                problem = bounds.total_problem(board, done.row.value)
                if problem:  # the transaction rolls the statement back
                    raise bounds.ScoreOutOfBounds(
                        [bounds.Refusal(None, board.slug, player_id, score, problem)]
                    )
            ranking = boards.Ranking(target, period_id)
            # Unchanged rows go too: the entry's next write mends a gap a crash left.
            changes.append((ranking, _change(done.row, target)))
            outcomes.append((ranking, done.row.value, done.updated, done.row.hidden))
        if named:  # a new name, now that the score places them on the board
            player_rows.names_review([player_id])
        # Only a row that changed can have moved the lead: one query per such ranking.
        leaders.leaders_check(
            rankings=[
                (ranking.board, ranking.period_id) for ranking, _, updated, _ in outcomes if updated
            ],
            now=now,
        )
        pending = sync.entries_changed(changes)
    results = [
        SubmitResult(
            slug=ranking.board.slug,
            player_id=player_id,
            score=value,
            updated=updated,
            synced=pending,
            ranking=ranking.name,
            hidden=hidden,
        )
        for ranking, value, updated, hidden in outcomes
    ]
    return dataclasses.replace(results[0], also=tuple(results[1:]))


def _entries_renamed(*, player_id: str, name: str) -> list[tuple[boards.Ranking, EntryChange]]:
    """New versions for every score of a renamed player, so each board shows the new name
    (in every period: a past period's ranking that is not in Redis just loads it later)."""
    bumped = transactions.versions_bump(where="player_id = %s", params=[player_id])
    return changes_of(bumped, name_override={player_id: name})


def changes_of(
    bumped: Iterable[tuple[int, str, str, int]], *, name_override: dict[str, str] | None = None
) -> list[tuple[boards.Ranking, EntryChange]]:
    """The committed state of each (board id, period, player id) just given a new version."""
    keys = list(bumped)
    if not keys:
        return []
    by_id = Leaderboard.objects.in_bulk({board_id for board_id, _, _, _ in keys})
    rows = Score.objects.filter(
        board_id__in=by_id,
        period__in={period for _, period, _, _ in keys},
        player_id__in={player_id for _, _, player_id, _ in keys},
    ).values_list(
        "board_id",
        "period",
        "player_id",
        "value",
        "achieved_at",
        "version",
        "player__name",
        "player__hidden",
        "metadata",
        "tie_1",
        "tie_2",
    )
    wanted = {(board_id, period, player_id) for board_id, period, player_id, _ in keys}
    names = name_override or {}
    return [
        (
            boards.Ranking(by_id[board_id], period),
            EntryChange(
                player_id=player_id,
                version=version,
                value=value,
                achieved_at=achieved_at,
                name=names.get(player_id, name),
                hidden=hidden,
                metadata=metadata,
                ties=by_id[board_id].ranked_ties((tie_1, tie_2)),
            ),
        )
        for (
            board_id,
            period,
            player_id,
            value,
            achieved_at,
            version,
            name,
            hidden,
            metadata,
            tie_1,
            tie_2,
        ) in rows
        if (board_id, period, player_id) in wanted
    ]


def entries_resync(entries: Iterable[tuple[str, str]]) -> None:
    """Bring these (board slug, player id) entries in Redis up to their database rows now,
    in the board's current and previous period.

    For a retry that replays an answer its first request never completed: that request may
    have died between its commit and Redis. Versions make this harmless where Redis already
    has the rows; rows that are gone (board or player deleted since) are skipped.
    """
    wanted: dict[str, set[str]] = {}
    for slug, player_id in entries:
        wanted.setdefault(slug, set()).add(player_id)
    now = clock.now()
    keys = []
    for board in Leaderboard.objects.filter(slug__in=wanted):
        recent = {NO_PERIOD}
        period = board.period_at(now)
        if period is not None:
            before = periods.period_before(board.reset, board.timezone, period)
            recent = {period.id, before.id}
        keys += Score.objects.filter(
            board=board, period__in=recent, player_id__in=wanted[board.slug]
        ).values_list("board_id", "period", "player_id", "version")
    changes = changes_of(keys)
    if changes:
        sync.EntriesSync(changes, previous_ranks=False)()


def _removals(bumped: list[tuple[int, str, str, int]]) -> list[tuple[boards.Ranking, EntryChange]]:
    by_id = Leaderboard.objects.in_bulk({board_id for board_id, _, _, _ in bumped})
    return [
        (
            boards.Ranking(by_id[board_id], period),
            EntryChange(player_id=player_id, version=version, value=None),
        )
        for board_id, period, player_id, version in bumped
        if board_id in by_id
    ]


def removals(bumped: list[tuple[int, str, str, int]]) -> list[tuple[boards.Ranking, EntryChange]]:
    """The removal, from Redis, of each of these just-bumped entries."""
    return _removals(bumped)


def entries_removed(bumped: list[tuple[int, str, str, int]]) -> None:
    """Take these just-bumped (board id, period, player id, version) entries off Redis once
    the transaction commits."""
    sync.entries_changed(_removals(bumped))


def player_rename(*, player: Player, name: str) -> None:
    """Change a player's display name in the database and on every board they are on."""
    with transaction.atomic():
        player.name = name
        player.save(update_fields=["name", "updated_at"])
        player_rows.names_review([player.player_id])
        sync.entries_changed(_entries_renamed(player_id=player.player_id, name=name))


def player_delete(*, player: Player) -> None:
    """Delete a player, their scores everywhere and their history."""
    with transaction.atomic():
        bumped = transactions.versions_bump(where="player_id = %s", params=[player.player_id])
        player.delete()
        leaders.leaders_check_rows(rows=bumped, now=clock.now())
        sync.entries_changed(_removals(bumped))


def score_set(*, score: Score) -> None:
    """Save a score exactly as given (the admin's edit, which may move it to another board,
    period or player) and put it on its board, taking it off where it was."""
    with transaction.atomic():
        before = None
        if score.pk is not None:
            before = (
                Score.objects.filter(pk=score.pk)
                .values_list("board_id", "period", "player_id")
                .first()
            )
        score.save()
        bumped = transactions.versions_bump(where="id = %s", params=[score.pk])
        changes = changes_of(bumped)
        events = [
            (
                score.board_id,
                score.period,
                score.player_id,
                score.value,
                clock.now(),
                score.metadata,
                (score.tie_1, score.tie_2),
            )
        ]
        if before and before != (score.board_id, score.period, score.player_id):
            version = bumped[0][3]
            changes += _removals([(*before, version)])
            events.append((*before, None, clock.now()))
        history_rows.events_append(events)
        leaders.leaders_check(
            rankings=[(ranking.board, ranking.period_id) for ranking, _ in changes],
            now=clock.now(),
        )
        sync.entries_changed(changes)


def score_delete(*, score: Score) -> None:
    """Remove a player's score from a board (its history records the removal)."""
    with transaction.atomic():
        bumped = transactions.versions_bump(where="id = %s", params=[score.pk])
        score.delete()
        history_rows.events_append(
            [(b, period, pid, None, clock.now()) for b, period, pid, _ in bumped]
        )
        leaders.leaders_check_rows(rows=bumped, now=clock.now())
        sync.entries_changed(_removals(bumped))
