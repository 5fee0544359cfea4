"""Webhook endpoints: made, changed and removed (by the admin and ``manage.py webhooks``),
each change audited. The secret is generated when not given; callers show it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from backend_site.audit import log as audit
from backend_site.rankings.calendar import clock
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import WebhookEndpoint, webhook_events_clean
from backend_site.rankings.webhooks import leaders, signing

SECRET_MIN = 16


def secret_clean(secret: str | None) -> str:
    """The secret given, checked; a new one when none is."""
    if secret is None or secret == "":
        return signing.secret_new()
    if len(secret) < SECRET_MIN or len(secret) > 128 or not secret.isprintable():
        raise ValidationError(f"secret: {SECRET_MIN} to 128 printable characters.")
    return secret


def _audited(endpoint: WebhookEndpoint) -> dict:
    """What the audit log keeps of an endpoint: never its secret."""
    return {"url": endpoint.url, "events": endpoint.events, "active": endpoint.active}


def endpoint_create(
    *, url: str, events: str, actor: str, secret: str | None = None, active: bool = True
) -> WebhookEndpoint:
    """A new endpoint (ValidationError for a bad URL, event or secret); its ``secret`` is
    the one given, or a new one."""
    endpoint = WebhookEndpoint(
        url=url,
        events=webhook_events_clean(events),
        secret=secret_clean(secret),
        active=active,
        created_at=clock.now(),
        created_by=actor[:160],
    )
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
        audit.record(
            actor=actor,
            action="webhook.create",
            target=f"webhook:{endpoint.pk}",
            detail=_audited(endpoint),
        )
    leaders.watched_forget()
    return endpoint


def endpoint_change(
    *, endpoint: WebhookEndpoint, actor: str, new_secret: str | None = None
) -> WebhookEndpoint:
    """Save an endpoint's new URL, events or activity (and ``new_secret``, if given); audited."""
    endpoint.events = webhook_events_clean(endpoint.events)
    if new_secret:
        endpoint.secret = secret_clean(new_secret)
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
        audit.record(
            actor=actor,
            action="webhook.change",
            target=f"webhook:{endpoint.pk}",
            detail={**_audited(endpoint), "secret_changed": bool(new_secret)},
        )
    leaders.watched_forget()
    return endpoint


def endpoint_remove(*, endpoint_id: int, actor: str) -> WebhookEndpoint:
    """Delete an endpoint and its deliveries (NotFound for none such); audited."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None:
            raise NotFound(f"No webhook endpoint {endpoint_id}.")
        audit.record(
            actor=actor,
            action="webhook.remove",
            target=f"webhook:{endpoint_id}",
            detail=_audited(endpoint),
        )
        endpoint.delete()
    leaders.watched_forget()
    return endpoint


def endpoints_list() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.order_by("id"))
