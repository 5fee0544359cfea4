"""Checking Redis against the database, and mending it in place.

A board is checked by streaming its rows from the database and reading the same entries
from Redis in chunks (one round trip a chunk); entries Redis has and the database lacks are
found by walking the sorted set, only when the counts say there are some. Repairs are
compare-and-set per entry: one a newer write changed meanwhile is left to that write.
Hidden players (sanctions.py) are absent from Redis on purpose: their rows are not expected
there, and an entry of theirs found there is extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from backend_site.rankings.calendar import clock
from backend_site.rankings.calendar.boards import Ranking, ranking_of
from backend_site.rankings.models import Leaderboard, Score
from backend_site.rankings.ranking_index import layout, rebuild, store
from backend_site.rankings.values import EntryChange

CHUNK = 10_000
SAMPLES = 5
KINDS = ("missing", "extra", "score", "order", "name", "metadata")


@dataclass(slots=True)
class Drift:
    """What differs on one board, by kind, with a few player ids to look at."""

    slug: str
    checked: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: list[str] = field(default_factory=list)
    repaired: int = 0
    not_loaded: bool = False
    flagged: set[str] = field(default_factory=set)  # players already found differing

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + int(self.not_loaded)

    def note(self, kind: str, player_id: str) -> None:
        self.counts[kind] += 1
        self.flagged.add(player_id)
        if len(self.samples) < SAMPLES:
            self.samples.append(f"{kind}:{player_id}")


def _kind(
    stored: store.StoredEntry, *, tie: bytes, score: int, name: str, metadata: str | None
) -> str | None:
    if not stored.present:
        return "missing"
    if stored.tie != tie:
        return "order"  # other subscores or another moment: wrong place among equal scores
    if not stored.in_zset:
        return "missing"
    if stored.stored_score != score:
        return "score"
    if stored.name != name:
        return "name"
    if stored.metadata != metadata:
        return "metadata"
    return None


def _change(board: Leaderboard, row: tuple) -> EntryChange:
    """A row of rebuild.ROW_COLUMNS as the entry it should be."""
    loaded = rebuild.load_row(board, row)
    return EntryChange(
        loaded.player_id,
        loaded.version,
        loaded.value,
        loaded.achieved_at,
        loaded.name,
        metadata=loaded.metadata,
        ties=loaded.ties,
    )


def board_verify(
    *, board: Leaderboard, repair: bool = False, progress: Callable[[int], None] | None = None
) -> Drift:
    """Compare the board's current ranking in Redis with the database; with ``repair``,
    mend what differs."""
    ranking = ranking_of(board, clock.now())
    drift = Drift(slug=ranking.name)
    if not store.ranking_is_loaded(ranking=ranking.name):
        drift.not_loaded = True
        if repair:
            drift.repaired = rebuild.ranking_rebuild(ranking=ranking)
        return drift
    matched = 0
    rows = (
        Score.objects.filter(board=board, period=ranking.period_id, player__hidden=False)
        .values_list(*rebuild.ROW_COLUMNS)
        .order_by()
        .iterator(chunk_size=CHUNK)
    )
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            matched += _chunk_check(ranking, chunk, drift, repair, progress)
            chunk = []
    matched += _chunk_check(ranking, chunk, drift, repair, progress)
    if store.ranking_size(ranking=ranking.name) > matched:
        _extras_check(ranking, drift, repair)
    return drift


def _chunk_check(
    ranking: Ranking,
    chunk: list[tuple],
    drift: Drift,
    repair: bool,
    progress: Callable[[int], None] | None,
) -> int:
    if not chunk:
        return 0
    board = ranking.board
    columns = len(board.subscore_orders)
    changes = [_change(board, row) for row in chunk]
    ties = [layout.entry_tie(change.ties, change.achieved_at) for change in changes]
    stored = store.entries_read(
        ranking=ranking.name,
        players=[(row[0], tie) for row, tie in zip(chunk, ties, strict=True)],
        columns=columns,
    )
    fixes = []
    matched = 0
    for change, tie, entry in zip(changes, ties, stored, strict=True):
        matched += entry.in_zset
        stored_score = layout.stored_score(change.value, board.order)
        kind = _kind(entry, tie=tie, score=stored_score, name=change.name, metadata=change.metadata)
        if kind is None:
            continue
        drift.note(kind, change.player_id)
        fixes.append(store.Fix(player_id=change.player_id, expected=entry.raw, change=change))
    drift.checked += len(chunk)
    if repair and fixes:
        drift.repaired += store.entries_repair(
            ranking=ranking.name, order=board.order, fixes=fixes, columns=columns
        )
    if progress is not None:
        progress(len(chunk))
    return matched


def _extras_check(ranking: Ranking, drift: Drift, repair: bool) -> None:
    """Walk the sorted set for members the database does not have."""
    board, name = ranking.board, ranking.name
    columns = len(board.subscore_orders)
    tie_bytes = layout.SEQ_BYTES + layout.TIE_COLUMN_BYTES * columns
    fixes = []
    size = store.ranking_size(ranking=name)
    for start in range(0, size, CHUNK):
        members = store.zset_members(ranking=name, start=start, stop=start + CHUNK - 1)
        ids = [member[tie_bytes:].decode() for member, _ in members]
        known = {
            row[0]: _change(board, row)
            for row in Score.objects.filter(
                board=board, period=ranking.period_id, player_id__in=ids, player__hidden=False
            ).values_list(*rebuild.ROW_COLUMNS)
        }
        for (member, _), player_id in zip(members, ids, strict=True):
            change = known.get(player_id)  # None: no such row; else a stray member beside it
            if change is not None:
                tie = layout.entry_tie(change.ties, change.achieved_at)
                if tie + player_id.encode() == member:
                    continue
            if player_id in drift.flagged:
                continue  # its own entry is mended above, which removes this member
            drift.note("extra", player_id)
            fixes.append((player_id, member, change))
    if repair and fixes:
        current = store.entries_read(
            ranking=name, players=[(pid, b"") for pid, _, _ in fixes], columns=columns
        )
        drift.repaired += store.entries_repair(
            ranking=name,
            order=board.order,
            columns=columns,
            fixes=[
                store.Fix(player_id=pid, expected=entry.raw, change=change, stray_member=member)
                for (pid, member, change), entry in zip(fixes, current, strict=True)
            ],
        )


def boards_extra() -> list[str]:
    """Rankings Redis lists whose board the database no longer has."""
    slugs = set(Leaderboard.objects.values_list("slug", flat=True))
    return sorted(
        name for name in store.rankings_listed_names() if name.split("/", 1)[0] not in slugs
    )
