"""manage.py simulate: play the game, so a demo's "Refresh Scores" shows the board move."""

import random
import time

from django.core.management.base import BaseCommand, CommandError

from backend_site.rankings.calendar import boards
from backend_site.rankings.errors import ApiError
from backend_site.rankings.models import DEFAULT_BOARD, Leaderboard, Score
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import services

SAMPLE_SIZE = 1000  # players picked once; enough variety without reading a huge board


class Command(BaseCommand):
    help = "Submit random score changes for existing players at a steady rate."

    def add_arguments(self, parser):
        parser.add_argument("--board", default=DEFAULT_BOARD)
        parser.add_argument("--rate", type=float, default=1.0, help="Submissions per second.")
        parser.add_argument(
            "--duration", type=float, default=0, help="Seconds to run (0: until stopped)."
        )
        parser.add_argument("--random-seed", type=int)

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if options["rate"] <= 0:
            raise CommandError("--rate must be above 0.")
        try:
            board = boards.board_known(options["board"], fresh=True).board
        except ApiError as exc:
            raise CommandError(exc.message) from None
        rng = random.Random(options["random_seed"])
        players = self.some_players(board)
        if not players:
            raise CommandError(f"Board {board.slug!r} has no players yet: run manage.py seed.")
        interval = 1 / options["rate"]
        deadline = time.monotonic() + options["duration"] if options["duration"] else None
        sent = 0
        next_at = time.monotonic()
        try:
            while deadline is None or time.monotonic() < deadline:
                self.play(board, rng.choice(players), rng)
                sent += 1
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
        except KeyboardInterrupt:
            pass
        if self.verbosity >= 1:
            self.stdout.write(f"Submitted {sent} score changes to {board.slug!r}.")

    @staticmethod
    def some_players(board: Leaderboard) -> list[str]:
        ids = Score.objects.filter(board=board).values_list("player_id", flat=True)
        return list(ids.order_by("?")[:SAMPLE_SIZE])

    def play(self, board: Leaderboard, player_id: str, rng: random.Random) -> None:
        change = rng.randint(-100, 300)
        if board.operator != Leaderboard.Operator.INCREMENT:
            try:
                current = selectors.player_standing(slug=board.slug, player_id=player_id, around=0)
            except ApiError:
                return  # the player left the board meanwhile
            change = current.score + (change if board.order == "desc" else -change)
        try:
            result = services.score_submit(board=board, player_id=player_id, score=change)
        except ApiError as exc:
            self.stderr.write(f"{player_id}: {exc.message}")
            return
        if result.updated and self.verbosity >= 1:
            self.stdout.write(f"{player_id} now has {result.score} (rank {result.rank})")
