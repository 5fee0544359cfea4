"""manage.py deliver_webhooks: POST the outbox's events to their endpoints, signed.

It runs until SIGTERM or SIGINT (finishing the delivery it is sending), pausing
WEBHOOK_IDLE_SECONDS when nothing is due; ``--once`` delivers what is due now and exits.
Several may run at once: none sends a delivery another is sending (webhooks/delivery.py).
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from backend_site.rankings.webhooks import delivery


class Command(BaseCommand):
    help = "Deliver the webhook events due, forever (or --once), until SIGTERM or SIGINT."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due, then exit.")

    def handle(self, *args, once: bool = False, **options):
        stop = threading.Event()
        session = delivery.session_new()
        if once:
            made = delivery.deliveries_run(session=session)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Made {made} delivery attempt(s).")
            return
        previous = {
            signum: signal.signal(signum, lambda *_: stop.set())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        if options["verbosity"] >= 1:
            self.stdout.write("Delivering webhooks; SIGTERM or SIGINT stops.")
            self.stdout.flush()
        try:
            while not stop.is_set():
                try:
                    made = delivery.deliveries_run(session=session, stop=stop)
                except DatabaseError as exc:  # the database away: try again after a pause
                    self.stderr.write(f"Webhooks: {exc}")
                    made = 0
                if not made:
                    stop.wait(settings.WEBHOOK_IDLE_SECONDS)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            session.close()
        if options["verbosity"] >= 1:
            self.stdout.write("Stopped.")
