"""manage.py rebuild_rankings: rebuild boards in Redis from the database, atomically."""

import time

from django.core.management.base import BaseCommand, CommandError

from backend_site.rankings.calendar import boards
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.ranking_index import rebuild


class Command(BaseCommand):
    help = "Rebuild the Redis ranking of one board (--board) or all boards from the database."

    def add_arguments(self, parser):
        parser.add_argument("--board", help="Only this board's slug.")

    def handle(self, *args, **options):
        if options["board"]:
            try:
                found = [boards.board_known(options["board"], fresh=True).board]
            except NotFound as exc:
                raise CommandError(exc.message) from None
        else:
            found = list(Leaderboard.objects.all())
        for board in found:
            started = time.perf_counter()
            size = rebuild.board_rebuild(board=board)
            self.stdout.write(
                f"Rebuilt {board.slug!r}: {size} players in {time.perf_counter() - started:.1f}s."
            )
