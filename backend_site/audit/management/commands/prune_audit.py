"""manage.py prune_audit: delete audit entries older than AUDIT_RETENTION_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend_site.audit import log, services
from backend_site.rankings.calendar import clock


class Command(BaseCommand):
    help = "Delete audit log entries older than AUDIT_RETENTION_DAYS (or --days), in chunks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days (default AUDIT_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--chunk", type=int, default=services.PRUNE_CHUNK, help="Rows deleted per statement."
        )

    def handle(self, *args, **options):
        days = settings.AUDIT_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1.")
        removed = services.audit_prune(now=clock.now(), days=days, chunk=options["chunk"])
        if removed:  # entries leaving the log is itself a change to it
            log.record(
                actor=log.command_actor("prune_audit"),
                action="audit.prune",
                target="audit",
                detail={"days": days, "removed": removed},
            )
        if options["verbosity"] >= 1:
            self.stdout.write(f"Removed {removed} audit entries older than {days} days.")
