"""Boards read in one plain query: the write path's (the ORM costs more than the query)."""

from __future__ import annotations

from django.db import connection

from backend_site.rankings.db.tables import BOARDS, SCORES, moment_of, postgres
from backend_site.rankings.models import (
    Leaderboard,
)

_BOARD_COLUMNS = (
    'id, slug, title, "order", operator, reset, timezone, source_id, min_score, max_score, '
    "max_increment, max_submissions_per_minute, created_at, subscores"
)


def _board(row) -> Leaderboard:
    (board_id, slug, title, order, operator, reset, tz, source_id,
     min_score, max_score, max_increment, per_minute, created_at, subscores) = row  # fmt: skip
    return Leaderboard(
        id=board_id,
        slug=slug,
        title=title,
        order=order,
        operator=operator,
        reset=reset,
        timezone=tz,
        source_id=source_id,
        min_score=min_score,
        max_score=max_score,
        max_increment=max_increment,
        max_submissions_per_minute=per_minute,
        created_at=moment_of(created_at),
        subscores=subscores,
    )


def board_by_slug(slug: str) -> Leaderboard | None:
    """The board, in one plain query (the write path's; the ORM costs more than the query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_BOARD_COLUMNS} FROM {BOARDS} WHERE slug = %s",  # noqa: S608
            [slug],
        )
        row = cursor.fetchone()
    return None if row is None else _board(row)


def boards_fed_by(board_id: int) -> list[Leaderboard]:
    """The boards whose source is this board, by id (the order writes lock them in)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_BOARD_COLUMNS} FROM {BOARDS} WHERE source_id = %s ORDER BY id",  # noqa: S608
            [board_id],
        )
        return [_board(row) for row in cursor.fetchall()]


def boards_hold() -> None:
    """Until the transaction ends, no other transaction changes, adds or deletes a board
    (PostgreSQL: the table in SHARE ROW EXCLUSIVE mode, which readers and score writes do not
    wait for; SQLite's writers are one at a time already). A board's rules (a free slug, a
    source without a source of its own) are then checked against boards that stay as seen."""
    if postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {BOARDS} IN SHARE ROW EXCLUSIVE MODE")


def scores_exist(board_id: int, *, held: bool = False) -> bool:
    """Whether the board has any score; with ``held``, no score anywhere may be written
    until the transaction ends (PostgreSQL: the scores table in SHARE mode, which waits for
    the writes under way), so a board found without scores keeps none while its periods
    change."""
    if held and postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SCORES} IN SHARE MODE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {SCORES} WHERE board_id = %s LIMIT 1", [board_id])  # noqa: S608
        return cursor.fetchone() is not None
