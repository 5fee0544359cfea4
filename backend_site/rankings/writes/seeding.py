"""Seeding: check a whole input first, then write it in one transaction and one board swap."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from backend_site.rankings import acting
from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.db import history_rows, player_rows, tables, transactions
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.fields import name_clean, player_id_clean, score_clean
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.names import skeleton
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.writes import services

# The original sample's five players; like the sample, they get scores from 1000 to 3000.
SAMPLE_PLAYERS = [
    {"id": "24323", "name": "Alice"},
    {"id": "94566", "name": "Bob"},
    {"id": "22568", "name": "Carol"},
    {"id": "17568", "name": "Dan"},
    {"id": "46168", "name": "Steve"},
]
SAMPLE_SCORES = (1000, 3000)
SYNTHETIC_SCORES = (0, 1_000_000)
_ADJECTIVES = [
    "Swift",
    "Brave",
    "Clever",
    "Mighty",
    "Silent",
    "Lucky",
    "Fierce",
    "Noble",
    "Rapid",
    "Cosmic",
]
_NOUNS = [
    "Falcon",
    "Tiger",
    "Wizard",
    "Knight",
    "Rocket",
    "Panda",
    "Comet",
    "Ninja",
    "Dragon",
    "Otter",
]
CHUNK = 5_000


def _scores_upsert() -> str:
    # A new version per row, drawn by the statement (PostgreSQL) or reserved (SQLite).
    version, conflict = transactions.version_sql()
    return (
        f"INSERT INTO {Score._meta.db_table} "  # noqa: S608
        "(board_id, period, player_id, value, achieved_at, version) "
        f"VALUES (%s, %s, %s, %s, %s, {version}) "
        "ON CONFLICT (board_id, period, player_id) DO UPDATE SET value = excluded.value, "
        f"achieved_at = excluded.achieved_at, version = {conflict}"
    )


class SeedError(Exception):
    """The input cannot be seeded; the message names the problem and the entry."""


@dataclass(frozen=True, slots=True)
class SeedEntry:
    player_id: str
    name: str
    score: int


@dataclass(frozen=True, slots=True)
class SeedReport:
    board: str
    seeded: int
    new_players: int
    ranking_size: int


def seed_entries_parse(
    data: object, *, rng: random.Random, scores: tuple[int, int] = SAMPLE_SCORES
) -> list[SeedEntry]:
    """Check a JSON array of {"id", "name"[, "score"]}; entries without a score get a random one."""
    if not isinstance(data, list):
        raise SeedError('The input must be a JSON array of {"id", "name"} objects.')
    if not data:
        raise SeedError("The input holds no players.")
    entries: list[SeedEntry] = []
    seen: set[str] = set()
    for position, item in enumerate(data, start=1):
        where = f"entry {position}"
        if not isinstance(item, dict):
            raise SeedError(f'{where}: must be an object like {{"id": "24323", "name": "Alice"}}.')
        unknown = sorted(set(item) - {"id", "name", "score"})
        if unknown:
            raise SeedError(f"{where}: unknown field {unknown[0]!r}.")
        for field in ("id", "name"):
            if field not in item:
                raise SeedError(f"{where}: missing {field!r}.")
        raw_id = item["id"]
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            raw_id = str(raw_id)
        try:
            player_id = player_id_clean(raw_id, field="id")
            where = f"entry {position} (id {player_id!r})"
            name = name_clean(item["name"])
            score = score_clean(item["score"]) if "score" in item else rng.randint(*scores)
        except InvalidInput as exc:
            raise SeedError(f"{where}: {exc.message}") from None
        if player_id in seen:
            raise SeedError(f"{where}: the id appears more than once.")
        seen.add(player_id)
        entries.append(SeedEntry(player_id=player_id, name=name, score=score))
    return entries


def seed_entries_synthetic(*, count: int, rng: random.Random) -> list[SeedEntry]:
    """Make ``count`` players with ids p0000001… and random names and scores."""
    width = max(7, len(str(count)))
    return [
        SeedEntry(
            player_id=f"p{number:0{width}d}",
            name=f"{rng.choice(_ADJECTIVES)}{rng.choice(_NOUNS)}{number % 1000}",
            score=rng.randint(*SYNTHETIC_SCORES),
        )
        for number in range(1, count + 1)
    ]


def seed_apply(
    *,
    slug: str,
    entries: list[SeedEntry],
    reset: bool = False,
    feed: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> SeedReport:
    """Write players and scores, then swap the rebuilt board into Redis; all or nothing.

    On a board that resets, the scores go to its current period; with ``feed``, to the
    current period of each board it feeds too (each with the scores as given).
    The database work is one transaction. The board is built aside in Redis before it
    commits and swapped in after, so a failure anywhere leaves both exactly as they were.
    Returning players who got a new name are renamed on their other boards too.
    """
    now = clock.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    step = progress or (lambda phase, done: None)
    builds: list[sync.BoardBuild] = []
    try:
        with transaction.atomic():
            board, _ = Leaderboard.objects.get_or_create(
                slug=slug, defaults={"title": slug.title()}
            )
            # The board's current ranking, and with ``feed`` those of the boards it feeds
            # (an import is a board's standings, not scores reached today: not by default).
            fed = list(Leaderboard.objects.filter(source=board).order_by("id")) if feed else []
            rankings = [boards.ranking_of(target, now) for target in [board, *fed]]
            if reset:
                Score.objects.filter(board=board, period=rankings[0].period_id).delete()
            before = Player.objects.count()
            renamed = _players_upsert(entries, stamp, lambda done: step("players", done))
            for ranking in rankings:
                _scores_write(ranking, entries, stamp, lambda done: step("scores", done))
            new_players = Player.objects.count() - before
            _renamed_elsewhere(board, renamed)
            player_rows.names_review(player_rows.lookalike_players(board))
            for ranking in rankings:
                builds.append(
                    sync.BoardBuild.start(
                        ranking=ranking, progress=lambda done: step("ranking", done)
                    )
                )
    except BaseException:
        for build in builds:
            build.drop()
        raise
    if connection.vendor == "sqlite":
        # A big seed leaves a big write-ahead log; fold it into the database now rather than
        # in the first writers' commits.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return SeedReport(
        board=slug, seeded=len(entries), new_players=new_players, ranking_size=builds[0].size
    )


def _players_upsert(
    entries: list[SeedEntry], stamp, progress: Callable[[int], None]
) -> dict[str, str]:
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
                player_rows.PLAYERS_UPSERT,
                [(e.player_id, e.name, skeleton(e.name), stamp, stamp) for e in chunk],
            )
            progress(len(chunk))
    return renamed


def _scores_write(
    ranking: boards.Ranking, entries: list[SeedEntry], stamp, progress: Callable[[int], None]
) -> None:
    """Set the scores in the ranking's period, and record each as a history event."""
    board, period = ranking.board, ranking.period_id
    if connection.vendor == "postgresql":
        return _scores_copy(board, period, entries, stamp, progress)
    # Plain executemany: a million rows in seconds, where model instances would take a minute.
    upsert = _scores_upsert()
    event = f"{history_rows.EVENTS_INSERT}VALUES (%s, %s, %s, %s, %s, %s)"
    key = acting.key_name.get()
    with connection.cursor() as cursor:
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start : start + CHUNK]
            versions = transactions.versions_reserve(len(chunk)) or [None] * len(chunk)
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


def _players_copy(
    entries: list[SeedEntry], stamp, progress: Callable[[int], None]
) -> dict[str, str]:
    rows = [(e.player_id, e.name, skeleton(e.name)) for e in entries]
    with connection.cursor() as cursor:
        columns = "player_id text, name text, name_skeleton text"
        _copy(cursor, "seed_players", columns, rows, progress)
        cursor.execute(
            f"SELECT s.player_id, s.name FROM seed_players s JOIN {tables.PLAYERS} p "  # noqa: S608
            "ON p.player_id = s.player_id WHERE p.name <> s.name"
        )
        renamed = dict(cursor.fetchall())
        cursor.execute(
            f"INSERT INTO {tables.PLAYERS} (player_id, name, name_skeleton, created_at, "  # noqa: S608
            "updated_at) SELECT player_id, name, name_skeleton, %s, %s FROM seed_players "
            "ON CONFLICT (player_id) DO UPDATE SET name = excluded.name, "
            "name_skeleton = excluded.name_skeleton, updated_at = excluded.updated_at "
            f"WHERE {tables.PLAYERS}.name <> excluded.name",
            [stamp, stamp],
        )
    return renamed


def _scores_copy(
    board: Leaderboard, period: str, entries: list[SeedEntry], stamp, progress
) -> None:
    rows = [(e.player_id, e.score) for e in entries]
    version, conflict = transactions.version_sql()
    with connection.cursor() as cursor:
        _copy(cursor, "seed_scores", "player_id text, value bigint", rows, progress)
        cursor.execute(
            f"INSERT INTO {tables.SCORES} "  # noqa: S608
            "(board_id, period, player_id, value, achieved_at, version) "
            f"SELECT %s, %s, player_id, value, %s, {version} FROM seed_scores "
            "ON CONFLICT (board_id, period, player_id) DO UPDATE SET value = excluded.value, "
            f"achieved_at = excluded.achieved_at, version = {conflict}",
            [board.pk, period, stamp],
        )
        cursor.execute(
            f"{history_rows.EVENTS_INSERT}SELECT %s, %s, player_id, value, %s, %s FROM seed_scores",  # noqa: S608
            [board.pk, period, stamp, acting.key_name.get()],
        )
        cursor.execute("DROP TABLE seed_scores")


def _renamed_elsewhere(board: Leaderboard, renamed: dict[str, str]) -> None:
    """Carry new names to the players' other boards (this one is rebuilt whole)."""
    ids = list(renamed)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        bumped = transactions.versions_bump(
            where=f"board_id <> %s AND player_id IN ({marks})", params=[board.pk, *chunk]
        )
        sync.entries_changed(services.changes_of(bumped))


def board_is_empty(*, slug: str) -> bool:
    """True when the board does not exist yet or has no scores."""
    return not Score.objects.filter(board__slug=slug).exists()
