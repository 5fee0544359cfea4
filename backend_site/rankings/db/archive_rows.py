"""Period archives: written once per board and period, whoever gets there first."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from backend_site.rankings.db.tables import ARCHIVES, stamp
from backend_site.rankings.models import (
    Leaderboard,
)


def period_archive_insert(
    *, board: Leaderboard, period, players: int, winner: tuple | None, now: datetime
) -> bool:
    """Archive a closed period (``winner``: player id, name, score, or None), unless it is
    archived already; whether this call was the one that did (the row is unique per board
    and period, so of racing callers exactly one is)."""
    winner_id, winner_name, winner_score = winner or ("", "", None)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {ARCHIVES} (board_id, period, start, "end", players, '  # noqa: S608
            "winner_id, winner_name, winner_score, closed_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (board_id, period) DO NOTHING RETURNING id",
            [
                board.pk,
                period.id,
                stamp(period.start),
                stamp(period.end),
                players,
                winner_id,
                winner_name,
                winner_score,
                stamp(now),
            ],
        )
        return cursor.fetchone() is not None
