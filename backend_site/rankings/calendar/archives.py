"""Periods of boards that reset: reading any period, and archiving the ones that ended.

A period is archived (``PeriodArchive``) exactly once: the row is unique per board and
period, so of many workers racing at a boundary one writes it and the others find it. It is
written PERIOD_CLOSE_GRACE_SECONDS after the period's end, so a score accepted just before
the boundary (whose transaction may still be committing) is in it. The final standings are the
period's score rows, which no write touches after its end. Archiving is lazy — the first
request on the board after the grace does it — or eager, by ``manage.py close_periods``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from backend_site.rankings.calendar import boards, clock, periods
from backend_site.rankings.db import archive_rows
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, PeriodArchive, Player, Score
from backend_site.rankings.ranking_index import builds, layout

logger = logging.getLogger("backend_site.rankings")

CURRENT = "current"
PREVIOUS = "previous"
# A closed period stays in Redis this long after its archiving (``previous`` is read most
# right after a boundary); then it is loaded from the database when read.
CLOSED_PERIOD_REDIS_SECONDS = 24 * 3600

# Per board id: the past periods this process knows are archived (or had nothing to archive).
_closed: dict[int, set[str]] = {}


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
    nothing: a read first takes ``periods_close_due`` by name."""
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


def periods_close_due(known: boards.KnownBoard, now: datetime) -> None:
    """Archive the board's ended periods once the last one is past its grace: the step a
    request takes before it reads (lazily, so no scheduler is needed; close_periods does
    it eagerly)."""
    current = known.current(now)
    if current is not None:
        closes_due(known, current, now)


def closes_due(known: boards.KnownBoard, current: periods.Period, now: datetime) -> None:
    """Once the period before ``current`` is past its grace, archive every ended period of
    the board not archived yet (a few queries once per process and period; the archiving
    itself once)."""
    board = known.board
    before = known.previous
    done = _closed.setdefault(board.pk, set())
    if before.id in done or now < before.end + _grace():
        return
    board_periods_close(board, now=now)
    done.add(before.id)


def _grace() -> timedelta:
    return timedelta(seconds=settings.PERIOD_CLOSE_GRACE_SECONDS)


def period_close(board: Leaderboard, period: periods.Period, *, now: datetime) -> bool:
    """Archive the period (it must have ended); whether this call was the one that did.
    A period without scores is archived too, with no players and no winner."""
    summary = _summary_from_rows(board, period)
    winner = summary.winner
    with transaction.atomic():
        wrote = archive_rows.period_archive_insert(
            board=board,
            period=period,
            players=summary.players,
            winner=(winner.player_id, winner.name, winner.score) if winner else None,
            now=now,
        )
        if wrote:
            name = layout.ranking_name(board.slug, period.id)
            transaction.on_commit(lambda: _expire_quietly(name))
    if wrote:
        logger.info(
            "Archived %s %s: %d players, winner %s.",
            board.slug,
            period.id,
            summary.players,
            winner.player_id if winner else "none",
        )
    return wrote


def _expire_quietly(name: str) -> None:
    try:
        builds.ranking_expire(ranking=name, seconds=CLOSED_PERIOD_REDIS_SECONDS)
    except Exception as exc:  # Redis down: the keys just stay until it is read or dropped
        logger.warning("Could not set %s to expire: %s", name, exc)


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
        rows.order_by(ordering, "achieved_at")
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


def periods_close(*, now: datetime | None = None) -> list[tuple[str, str]]:
    """Archive every ended period of every board that has not been (close_periods); the
    (board slug, period id) of each this call archived."""
    now = now or clock.now()
    done = []
    for board in Leaderboard.objects.exclude(reset=periods.NEVER):
        done += [(board.slug, period_id) for period_id in board_periods_close(board, now=now)]
    return done


def board_periods_close(board: Leaderboard, *, now: datetime) -> list[str]:
    """Archive every period of the board that is past its grace and not archived yet: the
    ones with scores, and the one before the current (with or without). Their ids."""
    current = board.period_at(now)
    archived = set(PeriodArchive.objects.filter(board=board).values_list("period", flat=True))
    pending = set(
        Score.objects.filter(board=board)
        .exclude(period=current.id)
        .values_list("period", flat=True)
        .distinct()
        .order_by()
    )
    before = periods.period_before(board.reset, board.timezone, current)
    if before.end > board.created_at:
        pending.add(before.id)
    closed = []
    for period_id in sorted(pending - archived):
        period = periods.period_parse(board.reset, board.timezone, period_id)
        if period is None or period.start >= current.start or now < period.end + _grace():
            continue
        if period_close(board, period, now=now):
            closed.append(period_id)
    return closed


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
