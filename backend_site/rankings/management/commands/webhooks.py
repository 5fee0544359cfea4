"""manage.py webhooks add|list|remove: the webhook endpoints, each change audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backend_site.audit import log
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import WEBHOOK_EVENTS
from backend_site.rankings.webhooks import endpoints

ACTOR = log.command_actor("webhooks")


class Command(BaseCommand):
    help = "Add, list or remove webhook endpoints."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Add an endpoint; prints its id and secret.")
        add.add_argument("url", help="http:// or https:// URL receiving the events.")
        add.add_argument(
            "--events",
            required=True,
            help=f"Comma-separated, of: {', '.join(WEBHOOK_EVENTS)}.",
        )
        add.add_argument("--secret", default=None, help="Default: a new random one.")
        commands.add_parser("list", help="Id, URL, events and state of every endpoint.")
        remove = commands.add_parser("remove", help="Remove an endpoint and its deliveries.")
        remove.add_argument("id", type=int)

    def handle(self, *args, command, **options):
        if command == "add":
            try:
                endpoint = endpoints.endpoint_create(
                    url=options["url"],
                    events=options["events"],
                    secret=options["secret"],
                    actor=ACTOR,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(f"Added endpoint {endpoint.pk}: {endpoint.url}")
            self.stdout.write(f"Secret (shown once): {endpoint.secret}")
        elif command == "list":
            for endpoint in endpoints.endpoints_list():
                state = "active" if endpoint.active else "inactive"
                self.stdout.write(f"{endpoint.pk}\t{endpoint.url}\t{endpoint.events}\t{state}")
        else:
            try:
                endpoint = endpoints.endpoint_remove(endpoint_id=options["id"], actor=ACTOR)
            except NotFound as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"Removed endpoint {options['id']}: {endpoint.url}")
