"""manage.py prune_history: delete rank history older than HISTORY_RETENTION_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend_site.rankings.calendar import clock
from backend_site.rankings.reads import history


class Command(BaseCommand):
    help = (
        "Delete score events, day ranks and day markers older than HISTORY_RETENTION_DAYS "
        "(or --days), in chunks, keeping the events the kept days are rebuilt from."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days (default HISTORY_RETENTION_DAYS; not fewer than it).",
        )
        parser.add_argument(
            "--chunk", type=int, default=history.PRUNE_CHUNK, help="Rows deleted per statement."
        )

    def handle(self, *args, **options):
        days = options["days"] or settings.HISTORY_RETENTION_DAYS
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        if days < settings.HISTORY_RETENTION_DAYS:
            # Histories take any day within the retention lazily, from the events: those
            # days must keep their events. Keep less by lowering the setting instead.
            raise CommandError(
                f"--days {days} is below HISTORY_RETENTION_DAYS "
                f"({settings.HISTORY_RETENTION_DAYS}): days still served would lose the "
                "events they are rebuilt from. Lower HISTORY_RETENTION_DAYS instead."
            )
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1.")
        pruned = history.history_prune(now=clock.now(), days=days, chunk=options["chunk"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Removed {pruned.events} score events, {pruned.day_ranks} day ranks and "
                f"{pruned.rank_days} taken days older than {days} days."
            )
