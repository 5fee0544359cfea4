"""Reads: boards as this process knows them (boards.py), rankings answered from Redis alone
(one round trip each, O(log N + page size)), in any period of a board that resets.

Reading writes nothing, with one named exception: ``due.settle``, the step every read takes
before it names a ranking, archives periods past their end and ends sanctions past their
time (as a scheduler would, at the first request after it)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import connection

from backend_site.rankings.calendar import archives, boards, clock, periods
from backend_site.rankings.errors import NotFound, PlayerNotFound
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.ranking_index import store
from backend_site.rankings.ranking_index.rebuild import with_board_loaded
from backend_site.rankings.values import (
    LookedUp,
    LookedUpWithMetadata,
    LookedUpWithSubscores,
    LookedUpWithSubscoresAndMetadata,
    Lookup,
    Page,
    Standing,
)
from backend_site.rankings.writes import due


def board_top(
    *,
    slug: str,
    offset: int,
    limit: int,
    period: str = archives.CURRENT,
    movement: bool = True,
    metadata: bool = False,
) -> Page:
    """``limit`` entries of the board's ``period`` from position ``offset``, best first
    (``Page.period``: the period read); ``movement=False`` leaves each rank change 0, for
    a caller that does not show it; ``metadata`` adds each entry's."""
    known = boards.board_known(slug)
    now = clock.now()
    due.settle(known, now)
    ranking, found = archives.ranking_for_read(known, period, now)
    today = known.today(now) if movement else ""
    page = with_board_loaded(
        ranking,
        lambda: store.entries_page(
            ranking=ranking.name,
            offset=offset,
            limit=limit,
            today=today,
            metadata=metadata,
            subscores=known.board.subscore_orders,
        ),
    )
    return replace(page, period=found)


def player_standing(
    *,
    slug: str,
    player_id: str,
    around: int,
    period: str = archives.CURRENT,
    metadata: bool = False,
) -> Standing:
    """The player's rank, percentile inputs and up to ``around`` neighbours each side in the
    board's ``period`` (``Standing.period``: the period read), with their metadata when
    asked; NotFound when they have no score on the board in that period, or are hidden."""
    known = boards.board_known(slug)
    now = clock.now()
    due.settle(known, now)
    ranking, found = archives.ranking_for_read(known, period, now)
    today = known.today(now)
    standing = with_board_loaded(
        ranking,
        lambda: store.entry_standing(
            ranking=ranking.name,
            player_id=player_id,
            around=around,
            today=today,
            metadata=metadata,
            subscores=known.board.subscore_orders,
        ),
    )
    if standing is None:  # no score there, or hidden by a moderator: the same to a caller
        where = f"{slug!r}" + (f" in {found.id}" if found else "")
        raise PlayerNotFound(f"Player {player_id!r} has no score on {where}.")
    return replace(standing, period=found)


def players_lookup(
    *, slug: str, player_ids: list[str], period: str = archives.CURRENT, metadata: bool = False
) -> Lookup:
    """Where each of ``player_ids`` (distinct) stands on the board's ``period``: those with an
    entry in rank order, each with their rank within the list (``group_rank``: equal
    scores share it) and their metadata when asked, and the others (no score there, or
    hidden) as ``missing``. One round trip to Redis, O(k log N) for k ids."""
    known = boards.board_known(slug)
    now = clock.now()
    due.settle(known, now)
    ranking, found = archives.ranking_for_read(known, period, now)
    today = known.today(now)
    total, rows = with_board_loaded(
        ranking,
        lambda: store.entries_lookup(
            ranking=ranking.name,
            player_ids=player_ids,
            today=today,
            metadata=metadata,
            subscores=known.board.subscore_orders,
        ),
    )
    rows.sort(key=lambda row: row.position)
    entries: list[LookedUp] = []
    subscores = bool(known.board.subscore_orders)
    for index, row in enumerate(rows):
        tied = entries and entries[-1].rank == row.rank
        entry = LookedUp(
            rank=row.rank,
            group_rank=entries[-1].group_rank if tied else index + 1,
            player_id=row.player_id,
            name=row.name,
            score=row.score,
            rank_change=row.rank_change,
            percentile=_share_worse(row.worse, total),
        )
        if subscores and metadata:
            entry = LookedUpWithSubscoresAndMetadata(
                **vars(entry), subscores=row.subscores, metadata=row.metadata
            )
        elif subscores:
            entry = LookedUpWithSubscores(**vars(entry), subscores=row.subscores)
        elif metadata:
            entry = LookedUpWithMetadata(**vars(entry), metadata=row.metadata)
        entries.append(entry)
    there = {row.player_id for row in rows}
    missing = [player_id for player_id in player_ids if player_id not in there]
    return Lookup(total=total, entries=entries, missing=missing, period=found)


@dataclass(frozen=True, slots=True)
class BoardOverview:
    board: Leaderboard
    source: str | None
    period: periods.Period | None
    players: int

    @property
    def slug(self) -> str:
        return self.board.slug


def leaderboards_overview(*, slug: str | None = None) -> list[BoardOverview]:
    """Every board (or the one ``slug``) with its current period and its number of players
    in it: the boards from the database, their sizes from Redis in one round trip."""
    now = clock.now()
    due.settle(None, now)
    found = Leaderboard.objects.select_related("source").order_by("slug")
    if slug is not None:
        found = found.filter(slug=slug)
    found = list(found)
    rankings = [boards.ranking_of(board, now) for board in found]
    sizes = store.rankings_sizes(rankings=[ranking.name for ranking in rankings])
    overview = []
    for board, ranking, size in zip(found, rankings, sizes, strict=True):
        if size is None:  # not in Redis: lost, or a period nobody has touched yet
            size = with_board_loaded(ranking, lambda name=ranking.name: _loaded_size(name))
        overview.append(
            BoardOverview(
                board=board,
                source=board.source.slug if board.source else None,
                period=board.period_at(now),
                players=size,
            )
        )
    return overview


def board_overview(*, slug: str) -> BoardOverview:
    """One board as ``leaderboards_overview`` lists it; NotFound when there is none."""
    found = leaderboards_overview(slug=slug)
    if not found:
        raise NotFound(f"No leaderboard {slug!r}.")
    return found[0]


def board_made_overview(board: Leaderboard) -> BoardOverview:
    """A board just made, as ``leaderboards_overview`` lists it: no players yet, so no
    Redis is needed to say so."""
    source = board.source.slug if board.source_id is not None else None
    return BoardOverview(board=board, source=source, period=board.period_at(clock.now()), players=0)


def _loaded_size(name: str) -> int:
    size = store.rankings_sizes(rankings=[name])[0]
    if size is None:
        raise store.BoardNotLoaded(name)
    return size


def periods_overview(*, slug: str, limit: int) -> tuple[Leaderboard, list[archives.PeriodSummary]]:
    """The board and its periods, newest first: the current one as Redis ranks it now, the
    others from the database."""
    known = boards.board_known(slug)
    now = clock.now()
    due.settle(known, now)
    current = known.current(now)
    live = None
    if current is not None:
        ranking, _ = archives.ranking_for_read(known, archives.CURRENT, now)
        today = known.today(now)
        page = with_board_loaded(
            ranking,
            lambda: store.entries_page(ranking=ranking.name, offset=0, limit=1, today=today),
        )
        top = page.entries[0] if page.entries else None
        live = archives.PeriodSummary(
            period=current,
            players=page.total,
            winner=archives.Winner(top.player_id, top.name, top.score) if top else None,
            closed=False,
        )
    return known.board, archives.periods_list(known, now=now, limit=limit, live=live)


def percentile(standing: Standing) -> float:
    """The share of players with a strictly worse score, in percent, one decimal."""
    return _share_worse(standing.worse, standing.total)


def _share_worse(worse: int, total: int) -> float:
    return round(100 * worse / total, 1) if total else 0.0


def readiness_failures() -> list[str]:
    """Name the dependencies that do not answer (empty when ready)."""
    failed = []
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        failed.append("database")
    try:
        store.ping()
    except Exception:
        failed.append("redis")
    return failed
