"""Managing webhooks: the admin adds, edits, deactivates and removes endpoints (the secret
shown once), lists every delivery and sends chosen ones again; ``manage.py webhooks`` adds,
lists and removes. Every change is in the audit log, never the secret."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from backend_site.audit.models import AuditEntry
from backend_site.rankings.models import WebhookDelivery, WebhookEndpoint
from tests.backend.conftest import make_board, make_score

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client, ranking_redis):
    user = get_user_model().objects.create_superuser("root", "", "a-long-password-123")
    client.force_login(user)
    return client


def audit_actions() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.order_by("id").values_list("actor", "action", "target"))


def run(*args) -> str:
    out = StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_the_commands_add_list_and_remove_endpoints(ranking_redis):
    added = run("add", "https://game.example/h", "--events", "leader.changed,period.closed")
    endpoint = WebhookEndpoint.objects.get()
    assert f"Added endpoint {endpoint.pk}: https://game.example/h" in added
    assert f"Secret (shown once): {endpoint.secret}" in added
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.events == "period.closed,leader.changed"  # known order, no repeats
    run("add", "http://127.0.0.1:9/x", "--events", "player.erased", "--secret", "s" * 20)
    assert WebhookEndpoint.objects.get(url="http://127.0.0.1:9/x").secret == "s" * 20
    listed = run("list").splitlines()
    assert (
        listed[0] == f"{endpoint.pk}\thttps://game.example/h\tperiod.closed,leader.changed\tactive"
    )
    assert len(listed) == 2
    assert "Removed endpoint" in run("remove", str(endpoint.pk))
    assert WebhookEndpoint.objects.count() == 1
    assert audit_actions() == [
        ("command:webhooks", "webhook.create", f"webhook:{endpoint.pk}"),
        ("command:webhooks", "webhook.create", f"webhook:{endpoint.pk + 1}"),
        ("command:webhooks", "webhook.remove", f"webhook:{endpoint.pk}"),
    ]
    assert "secret" not in str(AuditEntry.objects.values_list("detail", flat=True)[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ftp://game.example/h", "--events", "leader.changed"], "URL"),
        (["add", "https://game.example/h", "--events", "score.posted"], "Unknown event"),
        (["add", "https://game.example/h", "--events", ","], "at least one event"),
        (["add", "https://game.example/h", "--events", "leader.changed", "--secret", "x"], "16"),
        (["remove", "999"], "No webhook endpoint 999"),
    ],
)
def test_the_commands_refuse_bad_input_by_name(ranking_redis, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not AuditEntry.objects.exists()


def test_the_admin_adds_an_endpoint_and_shows_its_secret_once(admin_client):
    answer = admin_client.post(
        "/admin/rankings/webhookendpoint/add/",
        {"url": "https://game.example/<b>", "events": ["leader.changed"], "active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    body = answer.content.decode()
    assert endpoint.secret in body and "<b>" not in body  # shown, escaped
    page = admin_client.get(f"/admin/rankings/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in page.content.decode()  # never again
    # Deactivated from the list; then given a new secret, shown once too.
    admin_client.post(
        "/admin/rankings/webhookendpoint/",
        {"action": "deactivate", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert not endpoint.active
    old = endpoint.secret
    answer = admin_client.post(
        f"/admin/rankings/webhookendpoint/{endpoint.pk}/change/",
        {"url": endpoint.url, "events": ["leader.changed", "player.erased"], "generate": "on"},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in answer.content.decode()
    assert endpoint.events == "leader.changed,player.erased"
    admin_client.post(f"/admin/rankings/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"})
    assert not WebhookEndpoint.objects.exists()
    assert [action for _, action, _ in audit_actions()] == [
        "webhook.create", "webhook.change", "webhook.change", "webhook.remove",
    ]  # fmt: skip
    assert {actor for actor, _, _ in audit_actions()} == {"admin:root"}


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://game.example/h", "game"])
def test_the_admin_refuses_a_url_that_is_not_http(admin_client, url):
    answer = admin_client.post(
        "/admin/rankings/webhookendpoint/add/", {"url": url, "events": ["leader.changed"]}
    )
    assert answer.status_code == 200 and "Enter a valid URL" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_lists_deliveries_and_sends_one_again(admin_client):
    run("add", "http://127.0.0.1:9/x", "--events", "leader.changed")
    make_score(make_board("cup"), "ann", 1)
    row = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status="failed", attempts=33, last_status=503, last_error="HTTP 503"
    )
    listed = admin_client.get("/admin/rankings/webhookdelivery/").content.decode()
    assert str(row.event.uid) in listed and "HTTP 503" in listed and "Failed" in listed
    assert admin_client.get(f"/admin/rankings/webhookdelivery/{row.pk}/change/").status_code == 200
    answer = admin_client.post(
        "/admin/rankings/webhookdelivery/",
        {"action": "send_again", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "Queued 1 delivery" in answer.content.decode()
    row.refresh_from_db()
    assert row.status == "pending" and row.lease_until is None
    assert audit_actions()[-1] == ("admin:root", "webhook.resend", f"webhook_delivery:{row.pk}")
