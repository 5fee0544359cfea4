"""The outbox: an event is a row written in the transaction of the change that caused it,
with one delivery per active endpoint subscribed to its type. A change that rolls back
takes its event with it, so nothing is sent for it; one that commits has its event kept
until delivered (delivery.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from backend_site.rankings.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

PERIOD_CLOSED = "period.closed"
LEADER_CHANGED = "leader.changed"
PLAYER_SANCTIONED = "player.sanctioned"
PLAYER_ERASED = "player.erased"


def board_stream(slug: str) -> str:
    """A board's events are delivered in order to each endpoint."""
    return f"board:{slug}"


def player_stream(player_id: str) -> str:
    return f"player:{player_id}"


def event_record(*, type: str, stream: str, data: dict, now: datetime) -> WebhookEvent:
    """Write the event and its deliveries (call it inside the change's transaction): three
    queries, two when no endpoint subscribes."""
    event = WebhookEvent.objects.create(
        uid=uuid.uuid4(), type=type, stream=stream, data=data, created_at=now
    )
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("pk", "events")
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                event=event,
                endpoint_id=pk,
                stream=stream,
                next_attempt_at=now,
                queued_at=now,
            )
            for pk, events in endpoints
            if type in events.split(",")
        ]
    )
    return event


def envelope(event: WebhookEvent) -> dict:
    """The JSON body of the event's POST: id, type, created_at and data."""
    return {
        "id": str(event.uid),
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
