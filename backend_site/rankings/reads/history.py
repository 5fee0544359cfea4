"""A player's rank history: the closing ranks of each finished day, kept in the database.

The write paths append a ScoreEvent for every accepted change. The closing ranks of a day
(in the board's zone) are rebuilt from those events once, by one INSERT ... SELECT, into
DayRank, with a RankDay row marking the day as taken: whoever inserts the marker writes the
ranks, so concurrent takers never duplicate them (the SQL is in db/day_ranks.py). Days are
taken lazily, when a history is asked for, and every night for yesterday
(``days_take_recent``). Today's point is the live standing in Redis.

Events, day ranks and markers older than HISTORY_RETENTION_DAYS are pruned
(``history_prune``), keeping, per board, period and player, the last event before the
cutoff when that period is still in force then, so any day still kept can be rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.db import day_ranks
from backend_site.rankings.errors import NotFound, PlayerNotFound
from backend_site.rankings.models import DayRank, Leaderboard, Player, RankDay, ScoreEvent
from backend_site.rankings.reads import selectors
from common import patterns

DAYS_DEFAULT = 30
DAYS_MAX = patterns.HISTORY_DAYS_MAX
# A write commits a moment after it stamps its event: a day is taken only once it ended this
# long ago, so a write still committing across midnight is not missed.
SETTLE = timedelta(seconds=10)
PRUNE_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Point:
    """A player's score and rank at the end of ``date`` (orjson writes it as an object)."""

    date: date
    score: int
    rank: int


@dataclass(frozen=True, slots=True)
class Pruned:
    events: int = 0
    day_ranks: int = 0
    rank_days: int = 0


def _local_day(board: Leaderboard, moment: datetime) -> date:
    return periods.local_date(board.timezone, moment)


def last_finished_day(*, board: Leaderboard, now: datetime) -> date:
    """The last day, in the board's zone, that ended at least SETTLE before ``now``."""
    return _local_day(board, now - SETTLE) - timedelta(days=1)


def retention_first_day(*, board: Leaderboard, now: datetime, days: int | None = None) -> date:
    """The oldest day whose history is kept: ``days`` (HISTORY_RETENTION_DAYS) before today."""
    days = settings.HISTORY_RETENTION_DAYS if days is None else days
    return _local_day(board, now) - timedelta(days=days)


def days_take(*, board: Leaderboard, day: date) -> bool:
    """Write the closing ranks of a finished ``day`` of the board once; whether this call did
    (False: the day was taken already)."""
    now = clock.now()
    _, end = periods.day_bounds(board.timezone, day)
    if end > now - SETTLE:
        raise ValueError(f"{day} has not ended (long enough) in {board.timezone}.")
    period = board.period_at(end - timedelta(microseconds=1))
    period_id = period.id if period else periods.NO_PERIOD
    return day_ranks.day_take(board=board, day=day, period=period_id, end=end, now=now)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def days_take_missing(*, board: Leaderboard, first: date, last: date) -> int:
    """Take the days from ``first`` to ``last`` not taken yet, oldest first; how many."""
    if first > last:
        return 0
    taken = set(
        RankDay.objects.filter(board=board, day__range=(first, last)).values_list("day", flat=True)
    )
    return sum(days_take(board=board, day=day) for day in _days(first, last) if day not in taken)


def days_take_recent(*, now: datetime) -> list[str]:
    """Take, on every board, its last finished day (yesterday in its zone); the slugs of the
    boards whose day this call took."""
    return [
        board.slug
        for board in Leaderboard.objects.order_by("slug")
        if days_take(board=board, day=last_finished_day(board=board, now=now))
    ]


def player_history(*, board: Leaderboard, player_id: str, days: int) -> list[Point]:
    """The player's closing score and rank on each of the last ``days`` days (today's from
    the live board), oldest first, on the days they had one; NotFound for a player who never
    had a score on the board, or is hidden (sanctions.py)."""
    first_event = ScoreEvent.objects.filter(board=board, player_id=player_id).aggregate(
        first=Min("at")
    )["first"]
    if first_event is None or Player.objects.filter(player_id=player_id, hidden=True).exists():
        raise PlayerNotFound(f"Player {player_id!r} has no history on {board.slug!r}.")
    now = clock.now()
    today = _local_day(board, now)
    first = max(
        today - timedelta(days=days - 1),
        _local_day(board, first_event),
        retention_first_day(board=board, now=now),
    )
    last = last_finished_day(board=board, now=now)
    days_take_missing(board=board, first=first, last=last)
    rows = (
        DayRank.objects.filter(board=board, player_id=player_id, day__range=(first, last))
        .order_by("day")
        .values_list("day", "score", "rank")
    )
    points = [Point(day, score, rank) for day, score, rank in rows]
    try:
        standing = selectors.player_standing(slug=board.slug, player_id=player_id, around=0)
    except NotFound:
        return points  # not on the board now
    return [*points, Point(today, standing.score, standing.rank)]


def _later_event(cutoff: datetime) -> Exists:
    """A later event (ties by id) of the same board, period and player, before the cutoff."""
    return Exists(
        ScoreEvent.objects.filter(
            board_id=OuterRef("board_id"),
            period=OuterRef("period"),
            player_id=OuterRef("player_id"),
            at__lt=cutoff,
        ).filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id")))
    )


def _delete_in_chunks(rows: QuerySet, chunk: int) -> int:
    """Delete ``rows`` ``chunk`` at a time in id order, each chunk its own short statement."""
    removed = 0
    after = 0
    while ids := list(
        rows.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:chunk]
    ):
        removed += rows.filter(id__gt=after, id__lte=ids[-1]).delete()[0]
        after = ids[-1]
    return removed


def _board_prune(*, board: Leaderboard, now: datetime, days: int, chunk: int) -> Pruned:
    first_day = retention_first_day(board=board, now=now, days=days)
    cutoff, _ = periods.day_bounds(board.timezone, first_day)
    # The periods still in force at the cutoff, whatever the board's reset was then: the
    # last event of each before the cutoff is the state the first kept days start from.
    in_force = {periods.NO_PERIOD} | {
        periods.period_at(reset, board.timezone, cutoff).id
        for reset in (periods.DAILY, periods.WEEKLY, periods.MONTHLY)
    }
    old_events = ScoreEvent.objects.filter(board=board, at__lt=cutoff).filter(
        ~Q(period__in=in_force) | _later_event(cutoff)
    )
    return Pruned(
        events=_delete_in_chunks(old_events, chunk),
        day_ranks=_delete_in_chunks(DayRank.objects.filter(board=board, day__lt=first_day), chunk),
        rank_days=_delete_in_chunks(RankDay.objects.filter(board=board, day__lt=first_day), chunk),
    )


def history_prune(*, now: datetime, days: int, chunk: int = PRUNE_CHUNK) -> Pruned:
    """Delete events, day ranks and markers older than ``days`` days on every board, keeping
    the events the days still kept are rebuilt from; how many of each went."""
    total = Pruned()
    for board in Leaderboard.objects.order_by("slug"):
        done = _board_prune(board=board, now=now, days=days, chunk=chunk)
        total = Pruned(
            events=total.events + done.events,
            day_ranks=total.day_ranks + done.day_ranks,
            rank_days=total.rank_days + done.rank_days,
        )
    return total
