"""Write transactions, and the versions every changed score row takes.

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

from django.db import connection, transaction

from backend_site.rankings.db.tables import COUNTER, SCORES, SEQUENCE, postgres

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
    if postgres():
        return f"nextval('{SEQUENCE}')", f"nextval('{SEQUENCE}')"
    return "%s", "excluded.version"


def versions_reserve(count: int) -> list[int]:
    """SQLite: reserve ``count`` versions (the caller holds the write lock); [] on PostgreSQL."""
    if postgres() or count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {COUNTER} (id, value) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET value = value + excluded.value RETURNING value",
            [count],
        )
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def versions_bump(*, where: str, params: Sequence) -> list[tuple[int, str, str, int]]:
    """Give every score row matching ``where`` a new version; return (board_id, period,
    player_id, version) for each. Used before a rename or a removal, so Redis takes it as
    newer."""
    with connection.cursor() as cursor:
        if postgres():
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
