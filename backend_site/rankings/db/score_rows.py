"""Score rows: a single submission in one statement, and the set-based reads and writes of
a batch. Each board's rule comes from operators.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from backend_site.rankings import acting, operators
from backend_site.rankings.db.history_rows import EVENTS_INSERT_METADATA, events_append
from backend_site.rankings.db.tables import (
    BOARDS,
    PLAYERS,
    SCORES,
    SEQUENCE,
    cast,
    moment_of,
    postgres,
    stamp,
)
from backend_site.rankings.db.transactions import version_sql, versions_reserve
from backend_site.rankings.models import (
    Leaderboard,
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
    metadata: str | None = None  # of the submission that set the value (compact JSON)
    ties: tuple[int, int] = (0, 0)  # the subscores as ties (subscores.py)


def _improves(board: Leaderboard) -> str:
    """The condition under which the submitted value replaces the stored one."""
    return operators.improves_sql(board.operator, board.order, SCORES)


def _new_value(board: Leaderboard) -> str:
    return operators.new_value_sql(board.operator, SCORES)


def _new_tie(part: str):
    return lambda board: operators.new_part_sql(board.operator, SCORES, part)


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
    *,
    targets: Sequence[tuple[Leaderboard, str]],
    player_id: str,
    score: int,
    now: datetime,
    metadata: str | None = None,
    ties: tuple[int, int] = (0, 0),
) -> list[Submitted]:
    """Apply a score to each (board, period), with each board's operator, and append a
    history event for each change: on PostgreSQL in one statement (atomic by itself), on
    SQLite in three (inside the caller's transaction). A row the score changes takes its
    ``metadata`` too (None clears it); the rows left unchanged come back as they stand, so a
    submission needs no other query. ``ties``: the subscores as ties (subscores.py), which
    the operator weighs with the score."""
    boards_sql = (
        f"SELECT 1 FROM {BOARDS} b WHERE b.id = t.board_id AND b.slug = t.slug "  # noqa: S608
        'AND b."order" = t.ord AND b.operator = t.op AND b.reset = t.reset '
        "AND b.timezone = t.tz"
    )
    value_case, value_params = _per_board(targets, _new_value)
    tie_1_case, tie_1_params = _per_board(targets, _new_tie("tie_1"))
    tie_2_case, tie_2_params = _per_board(targets, _new_tie("tie_2"))
    value_params += tie_1_params + tie_2_params
    value_case = f"{value_case}, tie_1 = {tie_1_case}, tie_2 = {tie_2_case}"
    improves_case, improves_params = _per_board(targets, _improves)
    target_params: list = []
    for board, period in targets:
        target_params += [board.pk, period, board.slug, board.order, board.operator]
        target_params += [board.reset, board.timezone]
    if postgres():
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
            "(board_id, period, player_id, value, achieved_at, version, metadata, tie_1, tie_2) "
            f"SELECT t.board_id, t.period, %s, %s, %s, nextval('{SEQUENCE}'), %s, %s, %s FROM t "
            "WHERE EXISTS (SELECT 1 FROM p WHERE NOT p.banned) "
            f"AND EXISTS ({boards_sql}) "
            "ON CONFLICT (board_id, period, player_id) DO UPDATE SET "
            f"value = {value_case}, achieved_at = excluded.achieved_at, "
            f"version = nextval('{SEQUENCE}'), metadata = excluded.metadata "
            f"WHERE {improves_case} "
            "RETURNING board_id, period, value, achieved_at, version, metadata, tie_1, tie_2), "
            f"ev AS ({EVENTS_INSERT_METADATA}"
            "SELECT board_id, period, %s, value, achieved_at, %s, metadata, tie_1, tie_2 "
            "FROM up) "
            "SELECT board_id, value, achieved_at, version, true, p.name, p.hidden, p.banned, "
            "up.metadata, up.tie_1, up.tie_2 FROM up CROSS JOIN p UNION ALL SELECT s.board_id, "
            "s.value, s.achieved_at, s.version, false, p.name, p.hidden, p.banned, s.metadata, "
            "s.tie_1, s.tie_2 "
            f"FROM {SCORES} s "
            "JOIN t ON s.board_id = t.board_id AND s.period = t.period CROSS JOIN p "
            "WHERE s.player_id = %s AND NOT EXISTS (SELECT 1 FROM up "
            f"WHERE up.board_id = s.board_id) AND EXISTS ({boards_sql})"
        )
        params = [*target_params, player_id, player_id, score, stamp(now), metadata, *ties]
        params += [*value_params, *improves_params, player_id, acting.key_name.get()]
        params += [player_id]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
    else:
        found = _scores_submit_sqlite(
            targets,
            player_id,
            (score, metadata, ties),
            now,
            boards_sql,
            target_params,
            (value_case, value_params),
            (improves_case, improves_params),
        )
    by_board = {
        board_id: Submitted(
            Row(
                player_id,
                value,
                moment_of(at),
                version,
                name,
                bool(hidden),
                bool(banned),
                md,
                (tie_1, tie_2),
            ),
            bool(updated),
        )
        for board_id, value, at, version, updated, name, hidden, banned, md, tie_1, tie_2 in found
    }
    return [by_board.get(board.pk, Submitted(None, False)) for board, _ in targets]


def _scores_submit_sqlite(
    targets, player_id, score, now, boards_sql, target_params, value, improves
) -> list[tuple]:
    """SQLite's scores_submit: its writers are serialized, so the upsert, the events and
    the unchanged rows' read are three statements in the caller's transaction (which sees
    any hide or lift whole: it holds the database)."""
    score, metadata, ties = score
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
        f"INSERT INTO {SCORES} "  # noqa: S608
        "(board_id, period, player_id, value, achieved_at, version, metadata, tie_1, tie_2) "
        f"SELECT t.board_id, t.period, %s, %s, %s, t.version, %s, %s, %s FROM {t} AS t "
        f"WHERE EXISTS (SELECT 1 FROM {PLAYERS} WHERE player_id = %s AND NOT banned) "
        f"AND EXISTS ({boards_sql}) "
        "ON CONFLICT (board_id, period, player_id) DO UPDATE SET "
        f"value = {value[0]}, achieved_at = excluded.achieved_at, version = excluded.version, "
        f"metadata = excluded.metadata WHERE {improves[0]} "
        f"RETURNING board_id, period, value, achieved_at, version, {player_sql}, metadata, "
        "tie_1, tie_2"
    )
    upsert_params = [player_id, score, stamp(now), metadata, *ties, *params, player_id, *value[1]]
    upsert_params += [*improves[1], player_id, player_id, player_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, upsert_params)
        changed = cursor.fetchall()
        events_append(
            [(row[0], row[1], player_id, row[2], now, row[-3], row[-2:]) for row in changed]
        )
        found = [(b, v, at, version, True, *rest) for b, _, v, at, version, *rest in changed]
        rest = [target for target in targets if target[0].pk not in {row[0] for row in found}]
        if rest:
            wanted = " OR ".join(["(t.board_id = %s AND t.period = %s)"] * len(rest))
            rest_params: list = []
            for board, period in rest:
                rest_params += [board.pk, period]
            cursor.execute(
                f"SELECT s.board_id, s.value, s.achieved_at, s.version, 0, {player_sql}, "  # noqa: S608
                "s.metadata, s.tie_1, s.tie_2 "
                f"FROM {SCORES} s JOIN {t} AS t ON s.board_id = t.board_id "
                f"AND s.period = t.period WHERE s.player_id = %s AND ({wanted}) "
                f"AND EXISTS ({boards_sql})",
                [player_id, player_id, player_id, *params, player_id, *rest_params],
            )
            found += cursor.fetchall()
    return found


def score_current(*, board: Leaderboard, period: str, player_id: str) -> Row | None:
    """The stored score row of ``period`` with the player's name and flags, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.value, s.achieved_at, s.version, p.name, p.hidden, p.banned, "  # noqa: S608
            "s.metadata, s.tie_1, s.tie_2 "
            f"FROM {SCORES} s JOIN {PLAYERS} p ON p.player_id = s.player_id "
            "WHERE s.board_id = %s AND s.period = %s AND s.player_id = %s",
            [board.pk, period, player_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    value, achieved_at, version, name, hidden, banned, metadata, tie_1, tie_2 = row
    return Row(
        player_id,
        value,
        moment_of(achieved_at),
        version,
        name,
        bool(hidden),
        bool(banned),
        metadata,
        (tie_1, tie_2),
    )


def scores_lock(*, board: Leaderboard, period: str, player_ids: Sequence[str]) -> list[Row]:
    """The stored rows of these players on the board, locked until commit (PostgreSQL; an
    SQLite writer holds the whole database). Sorted ids lock in one order: no deadlocks."""
    if not player_ids:
        return []
    marks = ", ".join(["%s"] * len(player_ids))
    lock = " ORDER BY player_id FOR UPDATE" if postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT player_id, value, achieved_at, version, metadata, tie_1, tie_2 "  # noqa: S608
            f"FROM {SCORES} "
            f"WHERE board_id = %s AND period = %s AND player_id IN ({marks}){lock}",
            [board.pk, period, *player_ids],
        )
        rows = cursor.fetchall()
    return [
        Row(pid, value, moment_of(at), version, "", metadata=metadata, ties=(tie_1, tie_2))
        for pid, value, at, version, metadata, tie_1, tie_2 in rows
    ]


# A row a batch writes: player_id, value, achieved_at, metadata, ties.
Written = tuple[str, int, datetime, "str | None", tuple[int, int]]


def scores_insert(*, board: Leaderboard, period: str, rows: Sequence[Written]) -> dict[str, int]:
    """Insert new rows (player_id, value, achieved_at, metadata, ties); the version of each
    one inserted.
    A row another writer created meanwhile is left alone and missing from the answer."""
    version, _ = version_sql()
    versions = iter(versions_reserve(len(rows)))
    values, params = [], []
    for player_id, value, achieved_at, metadata, ties in rows:
        values.append(f"(%s, %s, %s, %s, %s, %s, %s, %s, {version})")
        params += [board.pk, period, player_id, value, stamp(achieved_at), metadata, *ties]
        if not postgres():
            params.append(next(versions))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SCORES} "  # noqa: S608
            "(board_id, period, player_id, value, achieved_at, metadata, tie_1, tie_2, version) "
            f"VALUES {', '.join(values)} ON CONFLICT (board_id, period, player_id) DO NOTHING "
            "RETURNING player_id, version",
            params,
        )
        return dict(cursor.fetchall())


def scores_update(*, board: Leaderboard, period: str, rows: Sequence[Written]) -> dict[str, int]:
    """Set existing rows (player_id, value, achieved_at, metadata, ties) in one statement;
    their versions."""
    on_postgres = postgres()
    version = f"nextval('{SEQUENCE}')" if on_postgres else "v.version"
    versions = iter(versions_reserve(len(rows)))
    row_sql = (
        f"(%s, {cast('bigint')}, {cast('timestamptz')}, {cast('text')}, {cast('bigint')}, "
        f"{cast('bigint')}{'' if on_postgres else ', %s'})"
    )
    params: list = []
    for player_id, value, achieved_at, metadata, ties in rows:
        params += [player_id, value, stamp(achieved_at), metadata, *ties]
        if not on_postgres:
            params.append(next(versions))
    columns = "player_id, value, achieved_at, metadata, tie_1, tie_2"
    columns += "" if on_postgres else ", version"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v ({columns}) AS (VALUES {', '.join([row_sql] * len(rows))}) "  # noqa: S608
            f"UPDATE {SCORES} SET value = v.value, achieved_at = v.achieved_at, "
            f"metadata = v.metadata, tie_1 = v.tie_1, tie_2 = v.tie_2, version = {version} "
            "FROM v "
            f"WHERE {SCORES}.board_id = %s AND {SCORES}.period = %s "
            f"AND {SCORES}.player_id = v.player_id "
            f"RETURNING {SCORES}.player_id, {SCORES}.version",
            [*params, board.pk, period],
        )
        return dict(cursor.fetchall())
