"""A ranking's rows in rank order, for the export: read in keyset chunks, from one snapshot.

Rank order is the one Redis keeps (ranking_index/layout.py): the value (ascending, or
descending on a ``desc`` board), then the ties (the subscores, lower is better: 0 on a
board without any), then who reached it first (``achieved_at``), then the player id. Each
chunk is a query for at most ``chunk`` rows after the last one read, and the score index
``score_tie_order`` (board, period, value, tie_1, tie_2, achieved_at, player; models.py)
serves that order whole, so a chunk costs what it returns, however large the board or its
runs of equal scores. Continuing a run of equal scores and going past it are two queries:
on a ``desc`` board the order runs down in value and up in the rest, which no single row
comparison can say. Hidden players (sanctions.py) are left out by the query itself.

Every chunk is read from one snapshot, so an export of a board that is being written to is
the board as it stood when the export began: no player is skipped or listed twice because
their score moved past the chunk being read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction

from backend_site.rankings.db.tables import PLAYERS, SCORES, moment_of, postgres
from backend_site.rankings.models import Leaderboard

CHUNK = 5_000
# PostgreSQL ends an export's session once it has waited this long between two chunks (a
# client that stopped reading), rather than hold its snapshot, and vacuum, back for ever.
IDLE_SECONDS = 60

# (player_id, name, value, achieved_at, tie_1, tie_2), in rank order.
Row = tuple[str, str, int, datetime, int, int]

_SELECT = (
    "SELECT s.player_id, p.name, s.value, s.achieved_at, s.tie_1, s.tie_2 "  # noqa: S608
    f"FROM {SCORES} s "
    f"JOIN {PLAYERS} p ON p.player_id = s.player_id "
    "WHERE s.board_id = %s AND s.period = %s AND NOT p.hidden"
)


def _chunk_sql(descending: bool) -> tuple[str, str, str]:
    """The first chunk's query, the one continuing a run of equal scores after a row, and
    the one going past that run's value."""
    order = (
        f" ORDER BY s.value {'DESC' if descending else 'ASC'}, s.tie_1, s.tie_2, s.achieved_at, "
        "s.player_id"
    )
    return (
        f"{_SELECT}{order} LIMIT %s",
        f"{_SELECT} AND s.value = %s AND (s.tie_1, s.tie_2, s.achieved_at, s.player_id) > "
        f"(%s, %s, %s, %s){order} LIMIT %s",
        f"{_SELECT} AND s.value {'<' if descending else '>'} %s{order} LIMIT %s",
    )


def ranking_rows(
    *,
    board: Leaderboard,
    period: str,
    chunk: int = CHUNK,
    counted: Callable[[int], None] | None = None,
) -> Iterator[list[Row]]:
    """The shown rows of the board's ``period`` in rank order, in lists of at most
    ``chunk``, all from one snapshot; ``counted``, if given, is told how many there are
    first (one more query, in the same snapshot)."""
    first, tie, past = _chunk_sql(board.order == Leaderboard.Order.DESC)
    ranking = [board.pk, period]
    with _snapshot(), connection.cursor() as cursor:
        if counted is not None:
            cursor.execute(
                f"SELECT COUNT(*) FROM {SCORES} s JOIN {PLAYERS} p "  # noqa: S608
                "ON p.player_id = s.player_id "
                "WHERE s.board_id = %s AND s.period = %s AND NOT p.hidden",
                ranking,
            )
            counted(cursor.fetchone()[0])
        cursor.execute(first, [*ranking, chunk])
        rows = cursor.fetchall()
        while rows:
            # The cursor keeps the time as the database gave it (SQLite: its own text), so
            # the next chunk compares it exactly as it is stored.
            player_id, _, value, achieved_at, tie_1, tie_2 = rows[-1]
            yield [(*row[:3], moment_of(row[3]), *row[4:]) for row in rows]
            if len(rows) < chunk:
                return
            cursor.execute(tie, [*ranking, value, tie_1, tie_2, achieved_at, player_id, chunk])
            rows = cursor.fetchall()
            if len(rows) < chunk:
                cursor.execute(past, [*ranking, value, chunk - len(rows)])
                rows += cursor.fetchall()


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read snapshot for all the chunks: a caller's transaction if there is one; else on
    PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a deferred one, which
    only reads (``atomic()`` there begins IMMEDIATE, settings.py, which would hold the write
    lock for the whole export), while writers carry on in WAL mode."""
    if connection.in_atomic_block:
        yield
        return
    if postgres():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                [f"{IDLE_SECONDS}s"],
            )
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")  # it only read: ending it is all there is to do
