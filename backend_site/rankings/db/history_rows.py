"""History events: appended with every accepted change; read back to seed the rank
movement snapshot of a ranking loaded during the day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from backend_site.rankings import acting
from backend_site.rankings.db.tables import EVENTS, PLAYERS, moment_of, stamp
from backend_site.rankings.models import (
    Leaderboard,
)
from backend_site.rankings.values import Before

# The start of every history event insert: VALUES rows or a SELECT follow.
# Its last column, key, is the acting key's name (acting.key_name): one more value per row.
EVENTS_INSERT = f'INSERT INTO {EVENTS} (board_id, period, player_id, value, at, "key") '
# The same, with the submission's metadata and the score's ties (subscores.py) after the
# key (the writes that carry some).
EVENTS_INSERT_METADATA = (
    f'INSERT INTO {EVENTS} (board_id, period, player_id, value, at, "key", metadata, tie_1, tie_2) '
)


def events_append(rows: Sequence[tuple]) -> None:
    """Append history events (board_id, period, player_id, value or None, at[, metadata[,
    ties]]) in one statement; ``ties`` a pair (subscores.ties_of), (0, 0) if left out."""
    if not rows:
        return
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    key = acting.key_name.get()
    for board_id, period, player_id, value, at, *rest in rows:
        metadata = rest[0] if rest else None
        ties = rest[1] if len(rest) > 1 else (0, 0)
        params += [board_id, period, player_id, value, stamp(at), key, metadata, *ties]
    with connection.cursor() as cursor:
        cursor.execute(f"{EVENTS_INSERT_METADATA}VALUES {marks}", params)


def events_before(*, board: Leaderboard, period: str, moment: datetime) -> list[Before]:
    """Every player with a history event of the board and period since ``moment``, as
    they were just before it (their last earlier event; no entry if none or a removal).
    Hidden players are left out: movement counts as if they had never been there."""
    since = stamp(moment)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT player_id FROM {EVENTS} "  # noqa: S608
            'WHERE board_id = %s AND period = %s AND "at" >= %s '
            f"AND player_id NOT IN (SELECT player_id FROM {PLAYERS} WHERE hidden)",
            [board.pk, period, since],
        )
        changed = [row[0] for row in cursor.fetchall()]
        earlier: dict[str, tuple] = {}
        for start in range(0, len(changed), 1000):
            chunk = changed[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT player_id, value, at, tie_1, tie_2 FROM "  # noqa: S608
                '(SELECT player_id, value, "at", tie_1, tie_2, '
                'ROW_NUMBER() OVER (PARTITION BY player_id ORDER BY "at" DESC, id DESC) AS n '
                f'FROM {EVENTS} WHERE board_id = %s AND period = %s AND "at" < %s '
                f"AND player_id IN ({marks})) latest WHERE n = 1",
                [board.pk, period, since, *chunk],
            )
            earlier.update(
                (pid, (value, moment_of(at), board.ranked_ties((t1, t2))))
                for pid, value, at, t1, t2 in cursor.fetchall()
            )
    before = []
    for player_id in changed:
        value, at, ties = earlier.get(player_id, (None, None, ()))
        before.append(Before(player_id, value, at if value is not None else None, ties))
    return before
