"""A seed's bulk writes: every player and score of an import in as few statements as the engine
allows (PostgreSQL: COPY into a temporary table, then one upsert; SQLite: executemany in
chunks), each score with its history event. ``entries`` are the seed's checked entries
(``player_id``, ``name``, ``score``); ``ranking`` the board and period they go to."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection

from backend_site.rankings import acting
from backend_site.rankings.db.history_rows import EVENTS_INSERT
from backend_site.rankings.db.player_rows import PLAYERS_UPSERT
from backend_site.rankings.db.tables import PLAYERS, SCORES
from backend_site.rankings.db.transactions import version_sql, versions_reserve
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.names import skeleton

CHUNK = 5_000


def _scores_upsert() -> str:
    # A new version per row, drawn by the statement (PostgreSQL) or reserved (SQLite).
    version, conflict = version_sql()
    return (
        f"INSERT INTO {Score._meta.db_table} "  # noqa: S608
        "(board_id, period, player_id, value, achieved_at, version) "
        f"VALUES (%s, %s, %s, %s, %s, {version}) "
        "ON CONFLICT (board_id, period, player_id) DO UPDATE SET value = excluded.value, "
        f"achieved_at = excluded.achieved_at, version = {conflict}"
    )


def players_upsert(entries: Sequence, stamp, progress: Callable[[int], None]) -> dict[str, str]:
    """Create or rename the players; return the returning ones whose name changed."""
    if connection.vendor == "postgresql":
        return _players_copy(entries, stamp, progress)
    renamed: dict[str, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start : start + CHUNK]
            known = dict(
                Player.objects.filter(player_id__in=[e.player_id for e in chunk]).values_list(
                    "player_id", "name"
                )
            )
            renamed.update(
                (e.player_id, e.name)
                for e in chunk
                if e.player_id in known and known[e.player_id] != e.name
            )
            cursor.executemany(
                PLAYERS_UPSERT,
                [(e.player_id, e.name, skeleton(e.name), stamp, stamp) for e in chunk],
            )
            progress(len(chunk))
    return renamed


def scores_write(ranking, entries: Sequence, stamp, progress: Callable[[int], None]) -> None:
    """Set the scores in the ranking's period, and record each as a history event."""
    board, period = ranking.board, ranking.period_id
    if connection.vendor == "postgresql":
        return _scores_copy(board, period, entries, stamp, progress)
    # Plain executemany: a million rows in seconds, where model instances would take a minute.
    upsert = _scores_upsert()
    event = f"{EVENTS_INSERT}VALUES (%s, %s, %s, %s, %s, %s)"
    key = acting.key_name.get()
    with connection.cursor() as cursor:
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start : start + CHUNK]
            versions = versions_reserve(len(chunk)) or [None] * len(chunk)
            rows = [
                (board.pk, period, e.player_id, e.score, stamp, *([v] if v is not None else []))
                for e, v in zip(chunk, versions, strict=True)
            ]
            cursor.executemany(upsert, rows)
            cursor.executemany(event, [(*row[:5], key) for row in rows])
            progress(len(chunk))


# PostgreSQL: COPY the input into a temporary table, then upsert from it in one statement;
# several times faster than a million single-row upserts, even pipelined.


def _copy(cursor, table: str, columns: str, rows, progress: Callable[[int], None]) -> None:
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP")
    names = ", ".join(column.split()[0] for column in columns.split(", "))
    # Django's cursor wraps psycopg's, which speaks COPY.
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for done, row in enumerate(rows, start=1):
            copy.write_row(row)
            if done % CHUNK == 0:
                progress(CHUNK)
    progress(len(rows) % CHUNK)


def _players_copy(entries: Sequence, stamp, progress: Callable[[int], None]) -> dict[str, str]:
    rows = [(e.player_id, e.name, skeleton(e.name)) for e in entries]
    with connection.cursor() as cursor:
        columns = "player_id text, name text, name_skeleton text"
        _copy(cursor, "seed_players", columns, rows, progress)
        cursor.execute(
            f"SELECT s.player_id, s.name FROM seed_players s JOIN {PLAYERS} p "  # noqa: S608
            "ON p.player_id = s.player_id WHERE p.name <> s.name"
        )
        renamed = dict(cursor.fetchall())
        cursor.execute(
            f"INSERT INTO {PLAYERS} (player_id, name, name_skeleton, created_at, "  # noqa: S608
            "updated_at) SELECT player_id, name, name_skeleton, %s, %s FROM seed_players "
            "ON CONFLICT (player_id) DO UPDATE SET name = excluded.name, "
            "name_skeleton = excluded.name_skeleton, updated_at = excluded.updated_at "
            f"WHERE {PLAYERS}.name <> excluded.name",
            [stamp, stamp],
        )
    return renamed


def _scores_copy(board: Leaderboard, period: str, entries: Sequence, stamp, progress) -> None:
    rows = [(e.player_id, e.score) for e in entries]
    version, conflict = version_sql()
    with connection.cursor() as cursor:
        _copy(cursor, "seed_scores", "player_id text, value bigint", rows, progress)
        cursor.execute(
            f"INSERT INTO {SCORES} "  # noqa: S608
            "(board_id, period, player_id, value, achieved_at, version) "
            f"SELECT %s, %s, player_id, value, %s, {version} FROM seed_scores "
            "ON CONFLICT (board_id, period, player_id) DO UPDATE SET value = excluded.value, "
            f"achieved_at = excluded.achieved_at, version = {conflict}",
            [board.pk, period, stamp],
        )
        cursor.execute(
            f"{EVENTS_INSERT}SELECT %s, %s, player_id, value, %s, %s FROM seed_scores",  # noqa: S608
            [board.pk, period, stamp, acting.key_name.get()],
        )
        cursor.execute("DROP TABLE seed_scores")


def statistics_refresh() -> None:
    """Have the planner count what the seed just wrote (ANALYZE, which inside the seed's
    transaction counts its own rows), before the seed's next query plans on it. With the
    statistics of before, a board seeded beside another board's million rows reads as empty,
    and the lookalike-names query (player_rows.lookalike_players) joined it by nested loops:
    minutes at 1,000,000 players, where it takes a second once counted. SQLite plans
    without such statistics: nothing to do there."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SCORES}, {PLAYERS}")


def log_fold() -> None:
    """SQLite: a big seed leaves a big write-ahead log; fold it into the database now rather
    than in the first writers' commits. Nothing to do on PostgreSQL."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
