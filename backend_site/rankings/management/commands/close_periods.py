"""manage.py close_periods: the boundary work of boards that reset, done now rather than
by the first request after it. Safe to run at any time and any number of times."""

from django.core.management.base import BaseCommand

from backend_site.rankings.calendar import clock
from backend_site.rankings.errors import REDIS_ERRORS, ApiError
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.reads import history, selectors
from backend_site.rankings.writes import closing


class Command(BaseCommand):
    help = (
        "Archive every period that has ended, take the boards' daily rank snapshots and "
        "yesterday's closing ranks for player history. For cron or EventBridge Scheduler "
        "a few minutes past midnight (nothing depends on it: requests do the same lazily)."
    )

    def handle(self, *args, **options):
        now = clock.now()
        archived = closing.periods_close(now=now)
        for slug, period_id in archived:
            self.stdout.write(f"Archived {slug} {period_id}.")
        taken = history.days_take_recent(now=now)
        snapshots = 0
        for board in Leaderboard.objects.order_by("slug"):
            try:
                # A read of the current period starts its daily snapshot if it is due.
                selectors.board_top(slug=board.slug, offset=0, limit=1)
                snapshots += 1
            except (*REDIS_ERRORS, ApiError) as exc:
                self.stderr.write(f"{board.slug}: no snapshot ({exc}).")
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Archived {len(archived)} periods; took {taken} days of closing ranks; "
                f"checked {snapshots} daily snapshots."
            )
