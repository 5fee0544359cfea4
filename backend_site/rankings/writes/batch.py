"""Batch score submissions: many scores, in order, in one transaction.

The whole batch is checked before anything is written. Then, per board, the touched rows are
read (and locked, on PostgreSQL) in one query, the items are applied in order in Python with
the board's operator, and the outcome is written back in at most two set-based statements.
Redis gets the final state of each entry in one round trip per board, after the commit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend_site.rankings import operators, subscores
from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.db import history_rows, player_rows, score_rows, transactions
from backend_site.rankings.errors import InvalidInput, NotFound, PlayerBanned
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.values import EntryChange
from backend_site.rankings.webhooks import leaders
from backend_site.rankings.writes import bounds, services

RACE_RETRIES = 3
EVENTS_CHUNK = 1000  # rows per history INSERT: 5,000 parameters, well inside both engines


@dataclass(frozen=True, slots=True)
class BatchItem:
    leaderboard: str
    player_id: str
    score: int
    name: str | None
    metadata: str | None = None  # compact JSON (fields.metadata_clean)
    subscores: object = None  # as sent; the batch checks them against the board's columns
    ties: tuple[int, int] = (0, 0)  # then: as ties (subscores.values_clean)


class _Raced(Exception):
    """Another writer created a row this batch expected to create: apply the batch again."""


@dataclass(slots=True)
class _Entry:
    """One (board, player) as the batch sees it: stored state, then the batch's changes."""

    value: int | None
    achieved_at: datetime | None = None
    version: int = 0
    existed: bool = False
    changed: bool = False
    metadata: str | None = None  # of the item that set the value
    ties: tuple[int, int] = (0, 0)


def scores_submit_batch(*, items: list[BatchItem]) -> list[services.SubmitResult]:
    """Apply every item in order with its board's operator, all or nothing, in the period in
    force now, and to every board its board feeds."""
    found = _boards_check(items)
    items = _subscores_check(items, found)
    # Read before the transaction, so the rows it locks are held as briefly as can be.
    names = player_rows.player_names(list({item.player_id for item in items}))
    _names_check(items, names)
    now = clock.now()
    targets = _targets(found, now)
    for attempt in range(RACE_RETRIES):
        try:
            with transactions.write_transaction():
                outcome, changes, hidden = _apply(items, targets, names, now)
                pending = sync.entries_changed(changes, previous_ranks=False)
            break
        except _Raced:
            if attempt == RACE_RETRIES - 1:
                raise
    results = []
    for index, item in enumerate(items):
        each = [
            services.SubmitResult(
                slug=ranking.board.slug,
                player_id=item.player_id,
                score=outcome[(index, ranking.name)][0],
                updated=outcome[(index, ranking.name)][1],
                synced=pending,
                ranking=ranking.name,
                hidden=item.player_id in hidden,
            )
            for ranking in targets[item.leaderboard]
        ]
        results.append(dataclasses.replace(each[0], also=tuple(each[1:])))
    return results


def bounds_check(items: list[BatchItem]) -> list[bounds.Refusal]:
    """Every item whose score is out of its board's bounds as submitted (boards as this
    process knows them; an unknown board is left to the batch to refuse)."""
    known: dict[str, Leaderboard | None] = {}
    refusals = []
    for index, item in enumerate(items):
        if item.leaderboard not in known:
            try:
                known[item.leaderboard] = boards.board_known(item.leaderboard).board
            except NotFound:
                known[item.leaderboard] = None
        board = known[item.leaderboard]
        problem = board is not None and board.bounded and bounds.score_problem(board, item.score)
        if problem:
            refusals.append(
                bounds.Refusal(index, item.leaderboard, item.player_id, item.score, problem)
            )
    return refusals


def _boards_check(items: list[BatchItem]) -> dict[str, Leaderboard]:
    found = Leaderboard.objects.in_bulk({item.leaderboard for item in items}, field_name="slug")
    for index, item in enumerate(items):
        if item.leaderboard not in found:
            raise InvalidInput(
                f"scores[{index}].leaderboard: no leaderboard {item.leaderboard!r}.",
                field=f"scores[{index}].leaderboard",
            )
    return found


def _subscores_check(items: list[BatchItem], found: dict[str, Leaderboard]) -> list[BatchItem]:
    """Each item with its subscores as ties, checked against its board's columns."""
    return [
        dataclasses.replace(
            item,
            ties=subscores.values_clean(
                item.subscores,
                found[item.leaderboard].subscore_orders,
                field=f"scores[{index}].subscores",
            ),
        )
        for index, item in enumerate(items)
    ]


def _targets(found: dict[str, Leaderboard], now: datetime) -> dict[str, list[boards.Ranking]]:
    """Per board named: its ranking in force now, then those of the boards it feeds."""
    fed: dict[int, list[Leaderboard]] = {}
    for board in Leaderboard.objects.filter(source__in=list(found.values())).order_by("id"):
        fed.setdefault(board.source_id, []).append(board)
    return {
        slug: [boards.ranking_of(target, now) for target in [board, *fed.get(board.pk, [])]]
        for slug, board in found.items()
    }


def _names_check(items: list[BatchItem], stored: dict[str, str]) -> None:
    known = set(stored)
    for index, item in enumerate(items):
        if item.name is not None:
            known.add(item.player_id)
        elif item.player_id not in known:
            raise InvalidInput(
                f"scores[{index}].name: required for a new player.", field=f"scores[{index}].name"
            )


def _apply(
    items: list[BatchItem],
    targets: dict[str, list[boards.Ranking]],
    stored: dict[str, str],
    now: datetime,
) -> tuple[
    dict[tuple[int, str], tuple[int, bool]], list[tuple[boards.Ranking, EntryChange]], set[str]
]:
    """The batch inside its transaction: per item and ranking (score after it, updated),
    the committed state of every entry it touched, and the hidden players among them.
    PlayerBanned, naming the first item of a banned player, refuses it all."""
    flags = player_rows.players_flags([item.player_id for item in items], lock=True)
    for index, item in enumerate(items):
        if flags.get(item.player_id, (False, False))[1]:
            raise PlayerBanned(item.player_id, index=index)
    hidden = {player_id for player_id, (is_hidden, _) in flags.items() if is_hidden}
    names, changes = _players_write(items, stored, now)
    outcome: dict[tuple[int, str], tuple[int, bool]] = {}
    by_ranking: dict[str, tuple[boards.Ranking, list[int]]] = {}
    for index, item in enumerate(items):
        for ranking in targets[item.leaderboard]:
            by_ranking.setdefault(ranking.name, (ranking, []))[1].append(index)
    events = []
    # Rankings, players and rows are always locked in one order: batches cannot deadlock.
    for name in sorted(by_ranking):
        ranking, indexes = by_ranking[name]
        board = ranking.board
        entries = _entries_read(ranking, [items[i].player_id for i in indexes])
        for index in indexes:
            item = items[index]
            entry = entries[item.player_id]
            value, changed = outcome[(index, name)] = _operate(board, entry, item, index)
            if changed and board.slug == item.leaderboard and bounds.totals_bounded(board):
                problem = bounds.total_problem(board, value)
                if problem:  # the transaction rolls the whole batch back
                    raise bounds.ScoreOutOfBounds(
                        [bounds.Refusal(index, board.slug, item.player_id, item.score, problem)]
                    )
            if changed:
                entry.achieved_at = now + timedelta(microseconds=index)
                entry.metadata = item.metadata
                events.append(
                    (
                        board.pk,
                        ranking.period_id,
                        item.player_id,
                        value,
                        entry.achieved_at,
                        item.metadata,
                        entry.ties,
                    )
                )
        _entries_write(ranking, entries)
        changes += [
            (
                ranking,
                EntryChange(
                    player_id=player_id,
                    version=entry.version,
                    value=entry.value,
                    achieved_at=entry.achieved_at,
                    name=names[player_id],
                    hidden=player_id in hidden,
                    metadata=entry.metadata,
                    ties=board.ranked_ties(entry.ties),
                ),
            )
            for player_id, entry in entries.items()
        ]
    for start in range(0, len(events), EVENTS_CHUNK):
        history_rows.events_append(events[start : start + EVENTS_CHUNK])
    # The rankings where a row changed: one query each, unless the lead moved.
    moved = {(board_id, period) for board_id, period, *_ in events}
    leaders.leaders_check(
        rankings=[
            (ranking.board, ranking.period_id)
            for ranking, _ in by_ranking.values()
            if (ranking.board.pk, ranking.period_id) in moved
        ],
        now=now,
    )
    # New names, now that their scores place them on their boards: lookalikes are marked.
    named = {i.player_id for i in items if i.name is not None and stored.get(i.player_id) != i.name}
    player_rows.names_review(sorted(named))
    return outcome, changes, hidden


def _players_write(
    items: list[BatchItem], stored: dict[str, str], now: datetime
) -> tuple[dict[str, str], list[tuple[boards.Ranking, EntryChange]]]:
    """Create or rename the named players; every player's name, and the rename changes."""
    given = {item.player_id: item.name for item in items if item.name is not None}
    renamed = [pid for pid, name in given.items() if pid in stored and stored[pid] != name]
    player_rows.players_upsert(
        players=[(pid, name) for pid, name in sorted(given.items()) if stored.get(pid) != name],
        now=now,
    )
    changes = []
    if renamed:
        marks = ", ".join(["%s"] * len(renamed))
        bumped = transactions.versions_bump(where=f"player_id IN ({marks})", params=renamed)
        changes = services.changes_of(bumped, name_override=given)
    return {**stored, **given}, changes


def _entries_read(ranking: boards.Ranking, player_ids: list[str]) -> dict[str, _Entry]:
    rows = score_rows.scores_lock(
        board=ranking.board, period=ranking.period_id, player_ids=sorted(set(player_ids))
    )
    stored = {
        row.player_id: _Entry(
            value=row.value,
            achieved_at=row.achieved_at,
            version=row.version,
            existed=True,
            metadata=row.metadata,
            ties=row.ties,
        )
        for row in rows
    }
    return {pid: stored.get(pid) or _Entry(value=None) for pid in dict.fromkeys(player_ids)}


def _operate(board: Leaderboard, entry: _Entry, item: BatchItem, index: int) -> tuple[int, bool]:
    """Apply one item to the entry with the board's operator, on the whole tuple (score,
    ties): (value after, changed)."""
    current = None if entry.value is None else (entry.value, *entry.ties)
    try:
        new = operators.step(board.operator, board.order, current, (item.score, *item.ties))
    except operators.TotalOutOfRange as exc:
        raise InvalidInput(
            f"scores[{index}].score: {exc}.", field=f"scores[{index}].score"
        ) from None
    changed = current is None or new != current
    if changed:
        entry.value, entry.ties = new[0], new[1:]
        entry.changed = True
    return new[0], changed


def _entries_write(ranking: boards.Ranking, entries: dict[str, _Entry]) -> None:
    """Write the changed entries: one INSERT for new rows, one UPDATE for the others."""
    new = {pid: e for pid, e in sorted(entries.items()) if e.changed and not e.existed}
    old = {pid: e for pid, e in sorted(entries.items()) if e.changed and e.existed}
    if new:
        versions = score_rows.scores_insert(
            board=ranking.board,
            period=ranking.period_id,
            rows=[(pid, e.value, e.achieved_at, e.metadata, e.ties) for pid, e in new.items()],
        )
        if len(versions) != len(new):
            raise _Raced(ranking.name)
        for pid, version in versions.items():
            new[pid].version = version
    if old:
        versions = score_rows.scores_update(
            board=ranking.board,
            period=ranking.period_id,
            rows=[(pid, e.value, e.achieved_at, e.metadata, e.ties) for pid, e in old.items()],
        )
        for pid, version in versions.items():
            old[pid].version = version
