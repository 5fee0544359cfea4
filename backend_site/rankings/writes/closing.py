"""Archiving the periods that ended (``PeriodArchive``), and letting their rankings expire.

A period is archived exactly once: the row is unique per board and period, so of many
workers racing at a boundary one writes it and the others find it. It is written
PERIOD_CLOSE_GRACE_SECONDS after the period's end, so a score accepted just before the
boundary (whose transaction may still be committing) is in it. The final standings are the
period's score rows, which no write touches after its end. Archiving is lazy (the first
request on the board after the grace does it, through ``due.py``) or eager, by
``manage.py close_periods``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from backend_site.rankings.calendar import archives, boards, clock, periods
from backend_site.rankings.db import archive_rows, leader_rows
from backend_site.rankings.models import Leaderboard, PeriodArchive, Score
from backend_site.rankings.ranking_index import builds
from backend_site.rankings.webhooks import outbox

logger = logging.getLogger("backend_site.rankings")

# A closed period stays in Redis this long after its archiving (``previous`` is read most
# right after a boundary); then it is loaded from the database when read.
CLOSED_PERIOD_REDIS_SECONDS = 24 * 3600
# The final standings period.closed carries.
PERIOD_CLOSED_TOP = 10

# Per board id: the past periods this process knows are archived (or had nothing to archive).
_closed: dict[int, set[str]] = {}


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
    summary = archives.summary_from_rows(board, period)
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
            _closed_announce(board, period, now)
            name = boards.ranking_name(board.slug, period.id)
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


def _closed_announce(board: Leaderboard, period: periods.Period, now: datetime) -> None:
    """period.closed, in the archive's transaction: so once per board and period."""
    top = leader_rows.ranking_top_ranked(board=board, period=period.id, limit=PERIOD_CLOSED_TOP)
    outbox.event_record(
        type=outbox.PERIOD_CLOSED,
        stream=outbox.board_stream(board.slug),
        data={
            "board": board.slug,
            "period": period.id,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "top": [
                {"rank": rank, "player_id": player_id, "name": name, "score": score}
                for rank, player_id, name, score in top
            ],
        },
        now=now,
    )


def _expire_quietly(name: str) -> None:
    try:
        builds.ranking_expire(ranking=name, seconds=CLOSED_PERIOD_REDIS_SECONDS)
    except Exception as exc:  # Redis down: the keys just stay until it is read or dropped
        logger.warning("Could not set %s to expire: %s", name, exc)


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
