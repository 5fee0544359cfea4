"""Daily closing ranks: a day's ranks of a board taken once, from its history events, by one
INSERT ... SELECT; a marker row (RankDay) says the day is taken, so concurrent takers never
write them twice."""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, transaction

from backend_site.rankings.db.tables import EVENTS, PLAYERS, stamp
from backend_site.rankings.models import DayRank, Leaderboard, RankDay

DAY_RANKS = DayRank._meta.db_table
RANK_DAYS = RankDay._meta.db_table


def day_take(*, board: Leaderboard, day: date, period: str, end: datetime, now: datetime) -> bool:
    """Write the board's closing ranks of ``day`` (which ended at ``end``, in ``period``)
    once; whether this call did (False: the day was taken already)."""
    stored_day = connection.ops.adapt_datefield_value(day)
    with transaction.atomic(), connection.cursor() as cursor:
        day_column = _quote("day")
        cursor.execute(
            f"INSERT INTO {RANK_DAYS} (board_id, {day_column}, players, taken_at) "  # noqa: S608
            f"VALUES (%s, %s, 0, %s) ON CONFLICT (board_id, {day_column}) DO NOTHING "
            "RETURNING id",
            [board.pk, stored_day, stamp(now)],
        )
        marker = cursor.fetchone()
        if marker is None:
            # Taken already: a concurrent taker's marker made this insert wait for its commit.
            return False
        cursor.execute(_take_sql(board), [board.pk, stored_day, board.pk, period, stamp(end)])
        RankDay.objects.filter(pk=marker[0]).update(players=cursor.rowcount)
    return True


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _take_sql(board: Leaderboard) -> str:
    """Insert the closing ranks: each player's last event of the period before the day's
    end (ties by id), those removed left out, ranked as the live board ranks (RANK(): equal
    scores and ties share a rank, the next one skips). No DISTINCT ON, so SQLite runs it too."""
    direction = "ASC" if board.order == Leaderboard.Order.ASC else "DESC"
    at, rank, day = _quote("at"), _quote("rank"), _quote("day")
    return (
        f"INSERT INTO {DAY_RANKS} (board_id, {day}, player_id, score, {rank}) "  # noqa: S608
        f"SELECT %s, %s, player_id, value, RANK() OVER (ORDER BY value {direction}, tie_1, "
        "tie_2) FROM (SELECT player_id, value, tie_1, tie_2, ROW_NUMBER() OVER "
        f"(PARTITION BY player_id ORDER BY {at} DESC, id DESC) AS newest "
        f"FROM {EVENTS} WHERE board_id = %s AND period = %s AND {at} < %s) AS last_events "
        "WHERE newest = 1 AND value IS NOT NULL "
        # Players hidden when the day is taken are not ranked (sanctions.py).
        f"AND player_id NOT IN (SELECT player_id FROM {PLAYERS} WHERE hidden)"
    )
