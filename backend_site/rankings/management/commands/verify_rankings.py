"""manage.py verify_rankings: compare Redis with the database, and optionally mend it."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend_site.rankings.calendar import boards
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, Score
from backend_site.rankings.ranking_index import builds, verification


class Command(BaseCommand):
    help = (
        "Compare each board in Redis with the database: missing and extra entries, scores, "
        "the order among equal scores, and names. Exits 1 when it finds drift (with --repair, "
        "when drift is left after mending it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", help="Check one board (default: every board).")
        parser.add_argument(
            "--repair", action="store_true", help="Mend what differs, in place, as readers read."
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        try:
            found = (
                [boards.board_known(options["board"], fresh=True).board]
                if options["board"]
                else list(Leaderboard.objects.all())
            )
        except NotFound as exc:
            raise CommandError(exc.message) from None
        repair = options["repair"]
        left = 0
        for board in found:
            left += self.check_board(board, repair)
        if not options["board"]:
            left += self.check_extra_boards(repair)
        if left:
            raise SystemExit(1)

    def check_board(self, board: Leaderboard, repair: bool) -> int:
        total = Score.objects.filter(board=board).count()
        with tqdm(
            total=total,
            desc=board.slug,
            unit=" players",
            unit_scale=True,
            disable=self.verbosity < 1 or total < 50_000,
            file=self.stderr._out,
        ) as bar:
            drift = verification.board_verify(board=board, repair=repair, progress=bar.update)
        if drift.not_loaded:
            state = "rebuilt" if repair else "not loaded in Redis"
            self.stdout.write(f"{board.slug}: {state} ({total} players in the database).")
            return 0 if repair else 1
        if not drift.total:
            self.stdout.write(f"{board.slug}: {drift.checked} players, no drift.")
            return 0
        found = ", ".join(f"{n} {kind}" for kind, n in drift.counts.items() if n)
        line = f"{board.slug}: {drift.checked} players, drift: {found} (e.g. {drift.samples})"
        if repair:
            line += f"; repaired {drift.repaired}"
        self.stdout.write(line)
        if repair:
            return self.check_board(board, repair=False)  # what is left after mending
        return 1

    def check_extra_boards(self, repair: bool) -> int:
        extra = verification.boards_extra()
        for slug in extra:
            if repair:
                builds.ranking_forget(ranking=slug)
            self.stdout.write(
                f"{slug}: in Redis but not in the database" + ("; dropped." if repair else ".")
            )
        return 0 if repair else len(extra)
