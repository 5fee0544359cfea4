"""Periods of boards that reset, as reads see them: which ranking a ``period`` names, and
each period's players and winner (from its archive, or from its score rows while it has
none). Archiving the periods that ended is a write: ``writes/closing.py``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from backend_site.rankings.calendar import boards, periods
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, PeriodArchive, Player, Score

CURRENT = "current"
PREVIOUS = "previous"


@dataclass(frozen=True, slots=True)
class Winner:
    player_id: str
    name: str
    score: int


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    period: periods.Period
    players: int
    winner: Winner | None
    closed: bool


def ranking_for_read(
    known: boards.KnownBoard, wanted: str, now: datetime
) -> tuple[boards.Ranking, periods.Period | None]:
    """The ranking a read of ``period=wanted`` names; NotFound for a period the board
    never had (malformed, in the future, or ended before the board was made). It writes
    nothing: a read first takes ``writes/due.py``'s step by name."""
    board = known.board
    current = known.current(now)
    if wanted == CURRENT:
        period = current
    elif current is None:
        raise NotFound(f"Leaderboard {board.slug!r} never resets: it has no period {wanted!r}.")
    elif wanted == PREVIOUS:
        period = known.previous
    else:
        period = periods.period_parse(board.reset, board.timezone, wanted)
        if period is None or period.start > now or period.end <= board.created_at:
            raise NotFound(f"Leaderboard {board.slug!r} has no period {wanted!r}.")
    return boards.Ranking(board, period.id if period else periods.NO_PERIOD), period


def summary_from_rows(board: Leaderboard, period: periods.Period) -> PeriodSummary:
    """The period's players and winner, from its score rows (rollback.py sums a closed
    period up again with it)."""
    return _summary_from_rows(board, period)


def _summary_from_rows(
    board: Leaderboard, period: periods.Period, *, shown: bool = False
) -> PeriodSummary:
    """Every player's rows (what an archive stores, so a lifted sanction restores it), or
    with ``shown`` only those of players not hidden (what a read shows)."""
    rows = Score.objects.filter(board=board, period=period.id)
    if shown:
        rows = rows.filter(player__hidden=False)
    return PeriodSummary(
        period=period, players=rows.count(), winner=_winner(rows, board), closed=False
    )


def _winner(rows, board: Leaderboard) -> Winner | None:
    ordering = "-value" if board.order == Leaderboard.Order.DESC else "value"
    top = (
        rows.order_by(ordering, "tie_1", "tie_2", "achieved_at")
        .values_list("player_id", "player__name", "value")
        .first()
    )
    return Winner(*top) if top else None


def _hidden_in(board: Leaderboard, period_ids: list[str]) -> dict[str, set[str]]:
    """Per period: the hidden players with a score in it (the few hidden players lead the
    query: no period is scanned)."""
    found: dict[str, set[str]] = {}
    hidden = Player.objects.filter(hidden=True).values("player_id")
    rows = Score.objects.filter(board=board, period__in=period_ids, player_id__in=hidden)
    for period_id, player_id in rows.values_list("period", "player_id"):
        found.setdefault(period_id, set()).add(player_id)
    return found


def _archive_summary(archive: PeriodArchive, period: periods.Period) -> PeriodSummary:
    """An archive as stored. An erased winner leaves the winning score, without an id or a
    name ("")."""
    winner = None
    if archive.winner_id or archive.winner_score is not None:
        winner = Winner(archive.winner_id, archive.winner_name, archive.winner_score)
    return PeriodSummary(period=period, players=archive.players, winner=winner, closed=True)


def periods_list(
    known: boards.KnownBoard, *, now: datetime, limit: int, live: PeriodSummary | None
) -> list[PeriodSummary]:
    """The board's periods newest first: ``live`` (the current one, read from Redis by the
    caller), the previous one while it is not archived yet, then the archived ones."""
    board = known.board
    current = known.current(now)
    if current is None:
        return []
    found = [live] if live is not None else []
    archived = list(
        PeriodArchive.objects.filter(board=board, start__lt=current.start).order_by("-start")[
            :limit
        ]
    )
    before = periods.period_before(board.reset, board.timezone, current)
    if before.end > board.created_at and not any(a.period == before.id for a in archived):
        found.append(_summary_from_rows(board, before, shown=True))
    # An archive counts everyone (a lifted sanction then restores it as it was); hidden
    # players come out of it here.
    hidden = _hidden_in(board, [archive.period for archive in archived])
    for archive in archived:
        period = periods.period_parse(board.reset, board.timezone, archive.period)
        if period is None:
            continue
        summary = _archive_summary(archive, period)
        gone = hidden.get(archive.period)
        if gone:
            winner = summary.winner
            if winner is not None and winner.player_id in gone:
                winner = _winner(
                    Score.objects.filter(board=board, period=period.id, player__hidden=False),
                    board,
                )
            summary = replace(summary, players=summary.players - len(gone), winner=winner)
        found.append(summary)
    return found[:limit]
