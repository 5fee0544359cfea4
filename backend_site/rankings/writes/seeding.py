"""Seeding: check a whole input first, then write it in one transaction and one board swap."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.db import player_rows, seed_rows, transactions
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.fields import name_clean, player_id_clean, score_clean
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.webhooks import leaders
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
            renamed = seed_rows.players_upsert(entries, stamp, lambda done: step("players", done))
            for ranking in rankings:
                seed_rows.scores_write(ranking, entries, stamp, lambda done: step("scores", done))
            new_players = Player.objects.count() - before
            leaders.leaders_check(
                rankings=[(ranking.board, ranking.period_id) for ranking in rankings], now=now
            )
            _renamed_elsewhere(board, renamed)
            seed_rows.statistics_refresh()
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
    seed_rows.log_fold()
    return SeedReport(
        board=slug, seeded=len(entries), new_players=new_players, ranking_size=builds[0].size
    )


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
