"""manage.py seed: load players and scores onto a board, all or nothing."""

import json
import random
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend_site.rankings.errors import REDIS_ERRORS
from backend_site.rankings.models import DEFAULT_BOARD
from backend_site.rankings.ranking_index import connections
from backend_site.rankings.writes.seeding import (
    SAMPLE_PLAYERS,
    SeedError,
    board_is_empty,
    seed_apply,
    seed_entries_parse,
    seed_entries_synthetic,
)

PROGRESS_FROM = 20_000  # smaller seeds finish before a bar would say anything


class Command(BaseCommand):
    help = (
        "Seed players and scores. With no source, loads the original sample's five players "
        "with scores from 1000 to 3000. Re-running never duplicates players."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--file", type=Path, help='JSON array of {"id", "name"[, "score"]} objects.'
        )
        source.add_argument(
            "--from-redis-key",
            metavar="KEY",
            help="Import the original sample's JSON key (leaderboard_data) from REDIS_URL.",
        )
        source.add_argument(
            "--players", type=int, metavar="N", help="N synthetic players with random scores."
        )
        parser.add_argument("--board", default=DEFAULT_BOARD, help="Board slug (default global).")
        parser.add_argument("--random-seed", type=int, help="Make random scores reproducible.")
        parser.add_argument(
            "--reset", action="store_true", help="Remove the board's scores before seeding."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the board has scores."
        )
        parser.add_argument(
            "--feed",
            action="store_true",
            help="Also seed the current period of the boards this board feeds (its source).",
        )

    def handle(self, *args, **options):
        slug = options["board"]
        if options["if_empty"] and not board_is_empty(slug=slug):
            self.stdout.write(f"Board {slug!r} already has scores; not seeding.")
            return
        rng = random.Random(options["random_seed"])
        started = time.perf_counter()
        try:
            entries = self.entries(options, rng)
        except SeedError as exc:
            raise CommandError(f"Nothing was seeded: {exc}") from None
        progress = PhaseProgress(total=len(entries)) if len(entries) >= PROGRESS_FROM else None
        try:
            report = seed_apply(
                slug=slug,
                entries=entries,
                reset=options["reset"],
                feed=options["feed"],
                progress=progress,
            )
        except REDIS_ERRORS as exc:
            raise CommandError(f"Nothing was seeded: Redis is unavailable ({exc}).") from None
        finally:
            if progress is not None:
                progress.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.seeded} players onto {report.board!r} "
                f"({report.new_players} new) in {time.perf_counter() - started:.1f}s; "
                f"the board has {report.ranking_size} players."
            )
        )

    def entries(self, options, rng):
        if options["players"] is not None:
            if options["players"] < 1:
                raise SeedError("--players must be at least 1.")
            return seed_entries_synthetic(count=options["players"], rng=rng)
        if options["file"] is not None:
            return seed_entries_parse(self.read_file(options["file"]), rng=rng)
        if options["from_redis_key"] is not None:
            return seed_entries_parse(self.read_redis_key(options["from_redis_key"]), rng=rng)
        return seed_entries_parse(SAMPLE_PLAYERS, rng=rng)

    def read_file(self, path: Path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(f"cannot read {path}: {exc}") from None
        return self.parse_json(text, str(path))

    def read_redis_key(self, key: str):
        try:
            raw = connections.connection().get(key)
        except REDIS_ERRORS as exc:
            raise SeedError(f"cannot read Redis key {key!r}: {exc}") from None
        if raw is None:
            raise SeedError(f"Redis has no key {key!r}.")
        return self.parse_json(raw.decode("utf-8", errors="replace"), f"Redis key {key!r}")

    @staticmethod
    def parse_json(text: str, where: str):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeedError(
                f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            ) from None


class PhaseProgress:
    """One progress bar per phase (players, scores, ranking), shown only on a terminal."""

    def __init__(self, *, total: int):
        self.total = total
        self.phase = ""
        self.bar = None

    def __call__(self, phase: str, done: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(
                total=self.total, desc=f"{phase:>8}", unit=" rows", file=sys.stderr, disable=None
            )
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
