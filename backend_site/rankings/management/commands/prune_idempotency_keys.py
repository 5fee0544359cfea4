"""manage.py prune_idempotency_keys: delete Idempotency-Keys past their 24 hours."""

from django.core.management.base import BaseCommand

from backend_site.rankings.db import idempotency_keys


class Command(BaseCommand):
    help = "Delete stored Idempotency-Keys older than 24 hours (writes also prune a few)."

    def handle(self, *args, **options):
        removed = 0
        while done := idempotency_keys.keys_prune():
            removed += done
        if options["verbosity"] >= 1:
            self.stdout.write(f"Removed {removed} expired idempotency keys.")
