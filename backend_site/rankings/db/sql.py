"""Write statements the ORM cannot say in one round trip, for SQLite (3.35+) and PostgreSQL.

Every changed score row takes a new ``version`` from one database-wide counter, while the
row is locked, so for any one row versions grow in commit order. PostgreSQL draws it from a
sequence inside the statement; SQLite (one writer at a time) reserves it from a one-row
counter first. Table names are our models' own; every value is a query parameter.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from backend_site.rankings import acting, operators
from backend_site.rankings.models import (
    Leaderboard,
    PeriodArchive,
    Player,
    Score,
    ScoreEvent,
)
from backend_site.rankings.names import skeleton
from backend_site.rankings.values import Before

SEQUENCE = "rankings_score_version_seq"
COUNTER = "rankings_version_counter"
SCORES = Score._meta.db_table
PLAYERS = Player._meta.db_table
BOARDS = Leaderboard._meta.db_table
EVENTS = ScoreEvent._meta.db_table
# The start of every history event insert: VALUES rows or a SELECT follow.
# Its last column, key, is the acting key's name (acting.key_name): one more value per row.
EVENTS_INSERT = f'INSERT INTO {EVENTS} (board_id, period, player_id, value, at, "key") '
ARCHIVES = PeriodArchive._meta.db_table
_BOARD_COLUMNS = (
    'id, slug, title, "order", operator, reset, timezone, source_id, min_score, max_score, '
    "max_increment, max_submissions_per_minute, created_at"
)
# A player's name goes with its skeleton (names.skeleton), which finds lookalike names.
PLAYERS_UPSERT = (
    f"INSERT INTO {PLAYERS} (player_id, name, name_skeleton, created_at, updated_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (player_id) DO UPDATE SET name = excluded.name, "
    "name_skeleton = excluded.name_skeleton, updated_at = excluded.updated_at"
)


@dataclass(frozen=True, slots=True)
class Row:
    """A score row as committed: value, when it was reached, its version and the name."""

    player_id: str
    value: int
    achieved_at: datetime
    version: int
    name: str
    hidden: bool = False  # the player's flags (sanctions.py), read with the row
    banned: bool = False


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _board(row) -> Leaderboard:
    (board_id, slug, title, order, operator, reset, tz, source_id,
     min_score, max_score, max_increment, per_minute, created_at) = row  # fmt: skip
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
        created_at=_datetime(created_at),
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


_writer = threading.local()


@contextmanager
def write_transaction() -> Iterator[None]:
    """A write transaction; on SQLite, writers first queue on a lock file beside the database.

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to
    100 ms each), so under load most of the time goes to sleeping while the lock is free.
    A blocking flock() instead wakes the next writer the moment the lock is released.
    """
    depth = getattr(_writer, "depth", 0)
    path = None if depth else _writer_lock_path()
    fd = None
    _writer.depth = depth + 1
    try:
        if path is not None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with transaction.atomic():
            yield
    finally:
        _writer.depth = depth
        if fd is not None:
            os.close(fd)  # releases the lock


def _writer_lock_path() -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or not os.path.isabs(name):
        return None  # an in-memory test database: one process, nobody to queue behind
    return f"{name}.writer-lock"


def version_sql() -> tuple[str, str]:
    """SQL for a new row's version and for the version an upsert gives the row it updates.

    PostgreSQL draws both in the statement, the second once the row is locked; SQLite takes
    a reserved version as a parameter (versions_reserve), its writers being serialized.
    """
    if _postgres():
        return f"nextval('{SEQUENCE}')", f"nextval('{SEQUENCE}')"
    return "%s", "excluded.version"


def versions_reserve(count: int) -> list[int]:
    """SQLite: reserve ``count`` versions (the caller holds the write lock); [] on PostgreSQL."""
    if _postgres() or count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {COUNTER} (id, value) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET value = value + excluded.value RETURNING value",
            [count],
        )
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def _datetime(value) -> datetime:
    # SQLite hands back RETURNING and raw SELECT timestamps as text.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stamp(moment: datetime):
    """A datetime as the database stores it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _cast(kind: str) -> str:
    """A typed parameter in a VALUES list (PostgreSQL cannot infer it there)."""
    return f"%s::{kind}" if _postgres() else "%s"


def _improves(board: Leaderboard) -> str:
    """The condition under which the submitted value replaces the stored one."""
    return operators.improves_sql(board.operator, board.order, SCORES)


def _new_value(board: Leaderboard) -> str:
    return operators.new_value_sql(board.operator, SCORES)


def _per_board(targets: Sequence[tuple[Leaderboard, str]], sql_of) -> tuple[str, list]:
    """``CASE board_id WHEN <id> THEN <sql_of(board)> ... END``: each target's own rule."""
    if len(targets) == 1:
        return sql_of(targets[0][0]), []
    whens = " ".join(f"WHEN %s THEN {sql_of(board)}" for board, _ in targets)
    return f"CASE {SCORES}.board_id {whens} END", [board.pk for board, _ in targets]


@dataclass(frozen=True, slots=True)
class Submitted:
    """A submission's outcome on one board: its row as it now stands, and whether it
    changed; ``row`` None when the board is not as the caller knows it any more, or the
    player does not exist (the caller tells which)."""

    row: Row | None
    updated: bool


def scores_submit(
    *, targets: Sequence[tuple[Leaderboard, str]], player_id: str, score: int, now: datetime
) -> list[Submitted]:
    """Apply a score to each (board, period), with each board's operator, and append a
    history event for each change: on PostgreSQL in one statement (atomic by itself), on
    SQLite in three (inside the caller's transaction). The rows left unchanged come back
    too, as they stand, so a submission needs no other query."""
    boards_sql = (
        f"SELECT 1 FROM {BOARDS} b WHERE b.id = t.board_id AND b.slug = t.slug "  # noqa: S608
        'AND b."order" = t.ord AND b.operator = t.op AND b.reset = t.reset '
        "AND b.timezone = t.tz"
    )
    value_case, value_params = _per_board(targets, _new_value)
    improves_case, improves_params = _per_board(targets, _improves)
    target_params: list = []
    for board, period in targets:
        target_params += [board.pk, period, board.slug, board.order, board.operator]
        target_params += [board.reset, board.timezone]
    if _postgres():
        rows = ", ".join(
            ["(%s::bigint, %s, %s, %s, %s, %s, %s)"]
            + ["(%s, %s, %s, %s, %s, %s, %s)"] * (len(targets) - 1)
        )
        # p: the player's name and flags, read locked (FOR KEY SHARE): a hide or lift
        # (sanctions.py, which holds the row FOR UPDATE) is either wholly before this write,
        # which then sees it, or wholly after, and gives the rows newer versions. A banned
        # player's score is not written; the unchanged rows come back with the flag.
        sql = (
            f"WITH t (board_id, period, slug, ord, op, reset, tz) AS (VALUES {rows}), "  # noqa: S608
            f"p AS (SELECT name, hidden, banned FROM {PLAYERS} WHERE player_id = %s "
            "FOR KEY SHARE), "
            f"up AS (INSERT INTO {SCORES} "
            "(board_id, period, player_id, value, achieved_at, version) "
            f"SELECT t.board_id, t.period, %s, %s, %s, nextval('{SEQUENCE}') FROM t "
            "WHERE EXISTS (SELECT 1 FROM p WHERE NOT p.banned) "
            f"AND EXISTS ({boards_sql}) "
            "ON CONFLICT (board_id, period, player_id) DO UPDATE SET "
            f"value = {value_case}, achieved_at = excluded.achieved_at, "
            f"version = nextval('{SEQUENCE}') WHERE {improves_case} "
            "RETURNING board_id, period, value, achieved_at, version), "
            f"ev AS ({EVENTS_INSERT}"
            "SELECT board_id, period, %s, value, achieved_at, %s FROM up) "
            "SELECT board_id, value, achieved_at, version, true, p.name, p.hidden, p.banned "
            "FROM up CROSS JOIN p UNION ALL SELECT s.board_id, s.value, s.achieved_at, "
            f"s.version, false, p.name, p.hidden, p.banned FROM {SCORES} s "
            "JOIN t ON s.board_id = t.board_id AND s.period = t.period CROSS JOIN p "
            "WHERE s.player_id = %s AND NOT EXISTS (SELECT 1 FROM up "
            f"WHERE up.board_id = s.board_id) AND EXISTS ({boards_sql})"
        )
        params = [*target_params, player_id, player_id, score, _stamp(now)]
        params += [*value_params, *improves_params, player_id, acting.key_name.get()]
        params += [player_id]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
    else:
        found = _scores_submit_sqlite(
            targets,
            player_id,
            score,
            now,
            boards_sql,
            target_params,
            (value_case, value_params),
            (improves_case, improves_params),
        )
    by_board = {
        board_id: Submitted(
            Row(player_id, value, _datetime(at), version, name, bool(hidden), bool(banned)),
            bool(updated),
        )
        for board_id, value, at, version, updated, name, hidden, banned in found
    }
    return [by_board.get(board.pk, Submitted(None, False)) for board, _ in targets]


def _scores_submit_sqlite(
    targets, player_id, score, now, boards_sql, target_params, value, improves
) -> list[tuple]:
    """SQLite's scores_submit: its writers are serialized, so the upsert, the events and
    the unchanged rows' read are three statements in the caller's transaction (which sees
    any hide or lift whole: it holds the database)."""
    player_sql = ", ".join(
        f"(SELECT {column} FROM {PLAYERS} WHERE player_id = %s)"  # noqa: S608
        for column in ("name", "hidden", "banned")
    )
    versions = versions_reserve(len(targets))
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(targets))
    params: list = []
    for index, version in enumerate(versions):
        params += [*target_params[7 * index : 7 * index + 7], version]
    t = (
        "(SELECT column1 AS board_id, column2 AS period, column3 AS slug, column4 AS ord, "  # noqa: S608
        "column5 AS op, column6 AS reset, column7 AS tz, column8 AS version "
        f"FROM (VALUES {rows}))"
    )
    sql = (
        f"INSERT INTO {SCORES} (board_id, period, player_id, value, achieved_at, version) "  # noqa: S608
        f"SELECT t.board_id, t.period, %s, %s, %s, t.version FROM {t} AS t "
        f"WHERE EXISTS (SELECT 1 FROM {PLAYERS} WHERE player_id = %s AND NOT banned) "
        f"AND EXISTS ({boards_sql}) "
        "ON CONFLICT (board_id, period, player_id) DO UPDATE SET "
        f"value = {value[0]}, achieved_at = excluded.achieved_at, version = excluded.version "
        f"WHERE {improves[0]} "
        f"RETURNING board_id, period, value, achieved_at, version, {player_sql}"
    )
    upsert_params = [player_id, score, _stamp(now), *params, player_id, *value[1]]
    upsert_params += [*improves[1], player_id, player_id, player_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, upsert_params)
        changed = cursor.fetchall()
        events_append([(row[0], row[1], player_id, row[2], now) for row in changed])
        found = [(b, v, at, version, True, *player) for b, _, v, at, version, *player in changed]
        rest = [target for target in targets if target[0].pk not in {row[0] for row in found}]
        if rest:
            wanted = " OR ".join(["(t.board_id = %s AND t.period = %s)"] * len(rest))
            rest_params: list = []
            for board, period in rest:
                rest_params += [board.pk, period]
            cursor.execute(
                f"SELECT s.board_id, s.value, s.achieved_at, s.version, 0, {player_sql} "  # noqa: S608
                f"FROM {SCORES} s JOIN {t} AS t ON s.board_id = t.board_id "
                f"AND s.period = t.period WHERE s.player_id = %s AND ({wanted}) "
                f"AND EXISTS ({boards_sql})",
                [player_id, player_id, player_id, *params, player_id, *rest_params],
            )
            found += cursor.fetchall()
    return found


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
    locking = " ORDER BY player_id FOR KEY SHARE" if lock and _postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT player_id, hidden, banned FROM {PLAYERS} "  # noqa: S608
            f"WHERE player_id IN ({marks}){locking}",
            ids,
        )
        return {pid: (bool(hidden), bool(banned)) for pid, hidden, banned in cursor.fetchall()}


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
                _stamp(period.start),
                _stamp(period.end),
                players,
                winner_id,
                winner_name,
                winner_score,
                _stamp(now),
            ],
        )
        return cursor.fetchone() is not None


def score_current(*, board: Leaderboard, period: str, player_id: str) -> Row | None:
    """The stored score row of ``period`` with the player's name and flags, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.value, s.achieved_at, s.version, p.name, p.hidden, p.banned "  # noqa: S608
            f"FROM {SCORES} s JOIN {PLAYERS} p ON p.player_id = s.player_id "
            "WHERE s.board_id = %s AND s.period = %s AND s.player_id = %s",
            [board.pk, period, player_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    value, achieved_at, version, name, hidden, banned = row
    return Row(player_id, value, _datetime(achieved_at), version, name, bool(hidden), bool(banned))


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
            [player_id, name, skeleton(name), _stamp(now), _stamp(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return "created" if row[0] else "renamed"


def versions_bump(*, where: str, params: Sequence) -> list[tuple[int, str, str, int]]:
    """Give every score row matching ``where`` a new version; return (board_id, period,
    player_id, version) for each. Used before a rename or a removal, so Redis takes it as
    newer."""
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"UPDATE {SCORES} SET version = nextval('{SEQUENCE}') WHERE {where} "  # noqa: S608
                "RETURNING board_id, period, player_id, version",
                list(params),
            )
            return [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT id, board_id, period, player_id FROM {SCORES} WHERE {where}",  # noqa: S608
            list(params),
        )
        rows = cursor.fetchall()
        versions = versions_reserve(len(rows))
        cursor.executemany(
            f"UPDATE {SCORES} SET version = %s WHERE id = %s",  # noqa: S608
            [(version, row[0]) for row, version in zip(rows, versions, strict=True)],
        )
        return [
            (board_id, period, player_id, v)
            for (_, board_id, period, player_id), v in zip(rows, versions, strict=True)
        ]


def events_append(rows: Sequence[tuple[int, str, str, int | None, datetime]]) -> None:
    """Append history events (board_id, period, player_id, value or None, at) in one
    statement."""
    if not rows:
        return
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    key = acting.key_name.get()
    for board_id, period, player_id, value, at in rows:
        params += [board_id, period, player_id, value, _stamp(at), key]
    with connection.cursor() as cursor:
        cursor.execute(f"{EVENTS_INSERT}VALUES {marks}", params)


def scores_lock(*, board: Leaderboard, period: str, player_ids: Sequence[str]) -> list[Row]:
    """The stored rows of these players on the board, locked until commit (PostgreSQL; an
    SQLite writer holds the whole database). Sorted ids lock in one order: no deadlocks."""
    if not player_ids:
        return []
    marks = ", ".join(["%s"] * len(player_ids))
    lock = " ORDER BY player_id FOR UPDATE" if _postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT player_id, value, achieved_at, version FROM {SCORES} "  # noqa: S608
            f"WHERE board_id = %s AND period = %s AND player_id IN ({marks}){lock}",
            [board.pk, period, *player_ids],
        )
        rows = cursor.fetchall()
    return [Row(pid, value, _datetime(at), version, "") for pid, value, at, version in rows]


def scores_insert(
    *, board: Leaderboard, period: str, rows: Sequence[tuple[str, int, datetime]]
) -> dict[str, int]:
    """Insert new rows (player_id, value, achieved_at); the version of each one inserted.
    A row another writer created meanwhile is left alone and missing from the answer."""
    version, _ = version_sql()
    versions = iter(versions_reserve(len(rows)))
    values, params = [], []
    for player_id, value, achieved_at in rows:
        values.append(f"(%s, %s, %s, %s, %s, {version})")
        params += [board.pk, period, player_id, value, _stamp(achieved_at)]
        if not _postgres():
            params.append(next(versions))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SCORES} (board_id, period, player_id, value, achieved_at, version) "  # noqa: S608
            f"VALUES {', '.join(values)} ON CONFLICT (board_id, period, player_id) DO NOTHING "
            "RETURNING player_id, version",
            params,
        )
        return dict(cursor.fetchall())


def scores_update(
    *, board: Leaderboard, period: str, rows: Sequence[tuple[str, int, datetime]]
) -> dict[str, int]:
    """Set existing rows (player_id, value, achieved_at) in one statement; their versions."""
    postgres = _postgres()
    version = f"nextval('{SEQUENCE}')" if postgres else "v.version"
    versions = iter(versions_reserve(len(rows)))
    row_sql = f"(%s, {_cast('bigint')}, {_cast('timestamptz')}{'' if postgres else ', %s'})"
    params: list = []
    for player_id, value, achieved_at in rows:
        params += [player_id, value, _stamp(achieved_at)]
        if not postgres:
            params.append(next(versions))
    columns = "player_id, value, achieved_at" + ("" if postgres else ", version")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v ({columns}) AS (VALUES {', '.join([row_sql] * len(rows))}) "  # noqa: S608
            f"UPDATE {SCORES} SET value = v.value, achieved_at = v.achieved_at, "
            f"version = {version} FROM v "
            f"WHERE {SCORES}.board_id = %s AND {SCORES}.period = %s "
            f"AND {SCORES}.player_id = v.player_id "
            f"RETURNING {SCORES}.player_id, {SCORES}.version",
            [*params, board.pk, period],
        )
        return dict(cursor.fetchall())


def events_before(*, board: Leaderboard, period: str, moment: datetime) -> list[Before]:
    """Every player with a history event of the board and period since ``moment``, as
    they were just before it (their last earlier event; no entry if none or a removal).
    Hidden players are left out: movement counts as if they had never been there."""
    since = _stamp(moment)
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
                'SELECT player_id, value, at FROM (SELECT player_id, value, "at", '  # noqa: S608
                'ROW_NUMBER() OVER (PARTITION BY player_id ORDER BY "at" DESC, id DESC) AS n '
                f'FROM {EVENTS} WHERE board_id = %s AND period = %s AND "at" < %s '
                f"AND player_id IN ({marks})) latest WHERE n = 1",
                [board.pk, period, since, *chunk],
            )
            earlier.update((pid, (value, _datetime(at))) for pid, value, at in cursor.fetchall())
    before = []
    for player_id in changed:
        value, at = earlier.get(player_id, (None, None))
        before.append(Before(player_id, value, at if value is not None else None))
    return before
