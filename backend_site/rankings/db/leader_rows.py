"""A ranking's #1 as reads see it (hidden players left out), beside the one its BoardLeader
row records; and that row, locked. For leader.changed (webhooks/leaders.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from backend_site.rankings.db.tables import PLAYERS, SCORES, stamp
from backend_site.rankings.models import BoardLeader, Leaderboard

LEADERS = BoardLeader._meta.db_table


def _top_sql(board: Leaderboard, limit: int) -> str:
    """The ranking's first ``limit`` shown rows in rank order: the rank-order index
    (score_tie_order) read from its value end, players joined by their key."""
    way = "DESC" if board.order == Leaderboard.Order.DESC else "ASC"
    return (
        f"SELECT s.player_id, p.name, s.value, s.tie_1, s.tie_2 FROM {SCORES} s "  # noqa: S608
        f"JOIN {PLAYERS} p ON p.player_id = s.player_id "
        "WHERE s.board_id = %s AND s.period = %s AND NOT p.hidden "
        f"ORDER BY s.value {way}, s.tie_1, s.tie_2, s.achieved_at, s.player_id LIMIT {limit}"
    )


def ranking_top(*, board: Leaderboard, period: str, limit: int) -> list[tuple[str, str, int]]:
    """(player id, name, score) of the ranking's first ``limit`` shown players."""
    with connection.cursor() as cursor:
        cursor.execute(_top_sql(board, int(limit)), [board.pk, period])
        return [tuple(row[:3]) for row in cursor.fetchall()]


def ranking_top_ranked(
    *, board: Leaderboard, period: str, limit: int
) -> list[tuple[int, str, str, int]]:
    """(rank, player id, name, score) of the ranking's first ``limit`` shown players, ranked
    as every read ranks them: equal score and subscores share a rank (1, 1, 3)."""
    with connection.cursor() as cursor:
        cursor.execute(_top_sql(board, int(limit)), [board.pk, period])
        rows = cursor.fetchall()
    ranked, rank, previous = [], 0, None
    for position, (player_id, name, value, tie_1, tie_2) in enumerate(rows, start=1):
        key = (value, *board.ranked_ties((tie_1, tie_2)))
        if key != previous:
            rank, previous = position, key
        ranked.append((rank, player_id, name, value))
    return ranked


def leader_and_recorded(*, board: Leaderboard, period: str) -> tuple[str, str | None]:
    """In one query: the ranking's #1 now ("" for nobody) and the one its row records (None
    for no row yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0, player_id FROM ({_top_sql(board, 1)}) top "  # noqa: S608
            f"UNION ALL SELECT 1, player_id FROM {LEADERS} WHERE board_id = %s AND period = %s",
            [board.pk, period, board.pk, period],
        )
        found = dict(cursor.fetchall())
    return found.get(0, ""), found.get(1)


def leader_lock(*, board: Leaderboard, period: str, now: datetime) -> str:
    """The recorded #1 ("" for nobody), its row made if new and locked until commit: of
    writers racing to change it, each reads the one the previous wrote."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LEADERS} (board_id, period, player_id, changed_at) "  # noqa: S608
            "VALUES (%s, %s, '', %s) ON CONFLICT (board_id, period) "
            f"DO UPDATE SET player_id = {LEADERS}.player_id RETURNING player_id",
            [board.pk, period, stamp(now)],
        )
        return cursor.fetchone()[0]


def leader_set(*, board: Leaderboard, period: str, player_id: str, now: datetime) -> None:
    """Record the new #1 (the row is held by leader_lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LEADERS} SET player_id = %s, changed_at = %s "  # noqa: S608
            "WHERE board_id = %s AND period = %s",
            [player_id, stamp(now), board.pk, period],
        )
