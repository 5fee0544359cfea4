"""manage.py api_keys create NAME --scopes read,write [--rate 50/s] [--expires 2027-01-01]
| list | revoke NAME"""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backend_site.api_keys import keys
from backend_site.api_keys.models import SCOPES, ApiKey
from backend_site.audit import log

ACTOR = log.command_actor("api_keys")


class Command(BaseCommand):
    help = "Create, list and revoke the backend's API keys. A key's secret is shown once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a key and print its secret once.")
        create.add_argument("name")
        create.add_argument("--scopes", required=True, help=f"Some of: {','.join(SCOPES)}")
        create.add_argument(
            "--rate", help="Requests a second, with a burst of as many (50/s). Default: none."
        )
        create.add_argument("--expires", help="A date (2027-01-01) or an ISO 8601 time.")
        create.add_argument(
            "--replace", action="store_true", help="Replace a key of that name (make run does)."
        )
        actions.add_parser("list", help="Names, scopes, last use and state; never secrets.")
        revoke = actions.add_parser("revoke", help="Revoke a key (every worker within 5 s).")
        revoke.add_argument("name")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(
        self, *, name: str, scopes: str, rate: str | None, expires: str | None, replace: bool, **_
    ):
        try:
            per_second = keys.rate_clean(rate)
            keys.scopes_clean(scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not replace and ApiKey.objects.filter(name=name).exists():
            raise CommandError(f"A key named {name!r} exists already.")
        key, secret = keys.key_create(
            name=name,
            scopes=scopes,
            expires_at=_moment(expires),
            rate=per_second,
            replace=replace,  # the old key's secret stops working
            actor=ACTOR,
        )
        limit = f", {key.rate}/s" if key.rate else ""
        self.stderr.write(f"Created {key.name} ({key.scopes}{limit}). Its secret, shown only now:")
        self.stdout.write(secret)

    def _list(self, **_):
        now = timezone.now()
        self.stdout.write(f"{'name':24} {'scopes':28} {'rate':9} {'last used':20} state")
        for key in ApiKey.objects.all():
            used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
            rate = f"{key.rate}/s" if key.rate else "-"
            self.stdout.write(f"{key.name:24} {key.scopes:28} {rate:9} {used:20} {key.state(now)}")

    def _revoke(self, *, name: str, **_):
        try:
            keys.key_revoke(name=name, actor=ACTOR)
        except ApiKey.DoesNotExist:
            raise CommandError(f"No key named {name!r}.") from None
        self.stdout.write(f"Revoked {name}: refused everywhere within {keys.VERDICT_SECONDS:g} s.")


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--expires must be a date or ISO 8601 time, not {text!r}.") from None
    if len(text) == 10:  # a date: the start of that day
        moment = datetime.combine(moment.date(), time(0))
    return moment if moment.tzinfo else timezone.make_aware(moment, timezone.get_default_timezone())
