"""The tables the hand-written SQL names, and what every statement needs to say a value the
way each engine stores it (SQLite 3.35+ and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.utils.dateparse import parse_datetime

from backend_site.rankings.models import (
    Leaderboard,
    PeriodArchive,
    Player,
    Score,
    ScoreEvent,
)

SEQUENCE = "rankings_score_version_seq"


COUNTER = "rankings_version_counter"


SCORES = Score._meta.db_table


PLAYERS = Player._meta.db_table


BOARDS = Leaderboard._meta.db_table


EVENTS = ScoreEvent._meta.db_table


ARCHIVES = PeriodArchive._meta.db_table


def postgres() -> bool:
    return connection.vendor == "postgresql"


def moment_of(value) -> datetime:
    # SQLite hands back RETURNING and raw SELECT timestamps as text.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def stamp(moment: datetime):
    """A datetime as the database stores it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def cast(kind: str) -> str:
    """A typed parameter in a VALUES list (PostgreSQL cannot infer it there)."""
    return f"%s::{kind}" if postgres() else "%s"
