"""Players: names and their lookalike marks, and the sanction flags a write reads locked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from backend_site.rankings.db.tables import PLAYERS, SCORES, postgres, stamp
from backend_site.rankings.models import (
    Leaderboard,
)
from backend_site.rankings.names import skeleton

# A player's name goes with its skeleton (names.skeleton), which finds lookalike names.
PLAYERS_UPSERT = (
    f"INSERT INTO {PLAYERS} (player_id, name, name_skeleton, created_at, updated_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (player_id) DO UPDATE SET name = excluded.name, "
    "name_skeleton = excluded.name_skeleton, updated_at = excluded.updated_at"
)


def player_names(player_ids: Sequence[str]) -> dict[str, str]:
    """The names of those of these players who exist."""
    if not player_ids:
        return {}
    marks = ", ".join(["%s"] * len(player_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT player_id, name FROM {PLAYERS} WHERE player_id IN ({marks})",  # noqa: S608
            list(player_ids),
        )
        return dict(cursor.fetchall())


def players_flags(player_ids: Sequence[str], *, lock: bool = False) -> dict[str, tuple[bool, bool]]:
    """(hidden, banned) of those of these players who exist; ``lock``: read FOR KEY SHARE
    (PostgreSQL), so a hide, ban or lift of one of them is wholly before or after the
    caller's transaction (sanctions.py holds the row FOR UPDATE while it changes them)."""
    if not player_ids:
        return {}
    ids = sorted(set(player_ids))
    marks = ", ".join(["%s"] * len(ids))
    locking = " ORDER BY player_id FOR KEY SHARE" if lock and postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT player_id, hidden, banned FROM {PLAYERS} "  # noqa: S608
            f"WHERE player_id IN ({marks}){locking}",
            ids,
        )
        return {pid: (bool(hidden), bool(banned)) for pid, hidden, banned in cursor.fetchall()}


def names_review(player_ids: Sequence[str]) -> None:
    """Mark each of these players whose name looks like a different name of a player on a
    board they share (the same skeleton), and unmark the others: one statement, an indexed
    look-up a player (the boards are compared only for the rare lookalike)."""
    if not player_ids:
        return
    marks = ", ".join(["%s"] * len(player_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PLAYERS} SET confusable_with = COALESCE(("  # noqa: S608
            f"SELECT MIN(o.player_id) FROM {PLAYERS} o "
            f"WHERE o.name_skeleton = {PLAYERS}.name_skeleton AND o.name <> {PLAYERS}.name "
            f"AND EXISTS (SELECT 1 FROM {SCORES} mine JOIN {SCORES} theirs "
            "ON theirs.board_id = mine.board_id "
            f"WHERE mine.player_id = {PLAYERS}.player_id AND theirs.player_id = o.player_id)"
            f"), '') WHERE player_id IN ({marks})",
            list(player_ids),
        )


def lookalike_players(board: Leaderboard) -> list[str]:
    """The players of ``board`` whose name skeleton another name on the board shares."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.player_id FROM {PLAYERS} p WHERE p.name_skeleton IN ("  # noqa: S608
            f"SELECT q.name_skeleton FROM {PLAYERS} q JOIN {SCORES} s "
            "ON s.player_id = q.player_id WHERE s.board_id = %s "
            "GROUP BY q.name_skeleton HAVING COUNT(DISTINCT q.name) > 1) "
            f"AND EXISTS (SELECT 1 FROM {SCORES} s WHERE s.player_id = p.player_id "
            "AND s.board_id = %s)",
            [board.pk, board.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def player_upsert(*, player_id: str, name: str, now: datetime) -> str | None:
    """Create the player or change their name: 'created', 'renamed' or None (unchanged)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"{PLAYERS_UPSERT} WHERE {PLAYERS}.name <> excluded.name "
            "RETURNING created_at = updated_at",
            [player_id, name, skeleton(name), stamp(now), stamp(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return "created" if row[0] else "renamed"


def players_upsert(*, players: Sequence[tuple[str, str]], now: datetime) -> None:
    """Create these (player id, name) players or give them these names, in one round trip."""
    if not players:
        return
    when = stamp(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            PLAYERS_UPSERT,
            [(player_id, name, skeleton(name), when, when) for player_id, name in players],
        )
