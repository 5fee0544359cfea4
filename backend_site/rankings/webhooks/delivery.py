"""Delivering the outbox: each due delivery POSTed, signed, to its endpoint.

A deliverer claims due deliveries in a short transaction (PostgreSQL: FOR UPDATE SKIP
LOCKED, so several deliverers never take the same one) and holds each by a lease while it
sends, outside any transaction; the claim's UPDATE takes only unleased rows, so it is
right on SQLite too. A delivery is due when its time has come and no earlier delivery of
its stream (a board, or a player) to the same endpoint is still pending: each endpoint gets
a board's events in order. A 2xx delivers it; anything else (another status, a refused
connection, a timeout) schedules a retry after WEBHOOK_BACKOFF_SECONDS, doubling up to
WEBHOOK_BACKOFF_MAX_SECONDS, until WEBHOOK_GIVE_UP_SECONDS after the event (or its "send
again"): then it is failed, and the stream moves on. At least once: a deliverer that dies
while sending leaves the lease to run out, and the delivery is sent again, with the same
Leaderboard-Event-Id.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import requests
from django.conf import settings
from django.db import connection, transaction

from backend_site.audit import log as audit
from backend_site.rankings.calendar import clock
from backend_site.rankings.db.tables import postgres, stamp
from backend_site.rankings.models import WebhookDelivery
from backend_site.rankings.webhooks import outbox, signing

logger = logging.getLogger("backend_site.rankings")

DELIVERIES = WebhookDelivery._meta.db_table
CLAIM_BATCH = 20
USER_AGENT = "leaderboard-webhooks/1"
ERROR_MAX = 500
PENDING, DELIVERED, FAILED = (s.value for s in WebhookDelivery.Status)


def session_new() -> requests.Session:
    """The one HTTP session a deliverer sends everything through (connections kept)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _lease() -> timedelta:
    """Longer than any one attempt can take: connect, read, and a margin."""
    attempt = settings.WEBHOOK_CONNECT_TIMEOUT + settings.WEBHOOK_READ_TIMEOUT
    return timedelta(seconds=2 * attempt + 30)


def deliveries_claim(*, now: datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Take up to ``limit`` due deliveries, each the first pending one of its stream to its
    endpoint, leased to this deliverer; their ids, oldest first."""
    lock = " FOR UPDATE OF d SKIP LOCKED" if postgres() else ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id FROM {DELIVERIES} d "  # noqa: S608
            "WHERE d.status = %s AND d.next_attempt_at <= %s "
            "AND (d.lease_until IS NULL OR d.lease_until <= %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {DELIVERIES} e WHERE e.status = %s "
            "AND e.endpoint_id = d.endpoint_id AND e.stream = d.stream AND e.id < d.id) "
            f"ORDER BY d.id LIMIT %s{lock}",
            [PENDING, stamp(now), stamp(now), PENDING, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"UPDATE {DELIVERIES} SET lease_until = %s "  # noqa: S608
            f"WHERE id IN ({marks}) AND status = %s "
            "AND (lease_until IS NULL OR lease_until <= %s) RETURNING id",
            [stamp(now + _lease()), *ids, PENDING, stamp(now)],
        )
        return sorted(row[0] for row in cursor.fetchall())


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST's outcome: the status (None: no answer) and the error, if it failed."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def request_of(delivery: WebhookDelivery, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the delivery's POST, signed at ``now``."""
    event = delivery.event
    body = orjson.dumps(outbox.envelope(event))
    headers = {
        "Content-Type": "application/json",
        "Leaderboard-Event-Id": str(event.uid),
        "Leaderboard-Event": event.type,
        "Leaderboard-Signature": signing.signature(
            secret=delivery.endpoint.secret, timestamp=int(now.timestamp()), body=body
        ),
    }
    return body, headers


def _post(session: requests.Session, delivery: WebhookDelivery, now: datetime) -> Attempt:
    body, headers = request_of(delivery, now=now)
    timeout = (settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT)
    try:
        # A redirect is not followed: requests would turn the POST into a GET, unsigned
        # body gone. A 3xx is a failure like any other, shown in the admin and retried.
        answer = session.post(
            delivery.endpoint.url,
            data=body,
            headers=headers,
            timeout=timeout,
            stream=True,
            allow_redirects=False,
        )
        answer.close()  # the body is not read: a receiver's answer says nothing more
    except requests.RequestException as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX])
    if 200 <= answer.status_code < 300:
        return Attempt(answer.status_code)
    return Attempt(answer.status_code, f"HTTP {answer.status_code}")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling, capped."""
    seconds = settings.WEBHOOK_BACKOFF_SECONDS * 2 ** min(attempts - 1, 32)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_BACKOFF_MAX_SECONDS))


def delivery_send(*, session: requests.Session, delivery_id: int) -> Attempt | None:
    """POST one claimed delivery and record the outcome; None if it is not there any more."""
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return None
    attempt = _post(session, delivery, clock.now())
    now = clock.now()
    delivery.attempts += 1
    delivery.last_status = attempt.status
    delivery.last_error = attempt.error
    if attempt.ok:
        delivery.status, delivery.delivered_at = DELIVERED, now
    else:
        give_up = max(delivery.event.created_at, delivery.queued_at) + timedelta(
            seconds=settings.WEBHOOK_GIVE_UP_SECONDS
        )
        if now >= give_up:
            delivery.status = FAILED
            logger.warning(
                "Webhook %s to %s failed for good after %d attempts: %s",
                delivery.event.uid,
                delivery.endpoint.url,
                delivery.attempts,
                attempt.error,
            )
        else:  # the last try falls on the deadline itself
            delivery.next_attempt_at = min(now + backoff(delivery.attempts), give_up)
    # An update, not a save: the endpoint (and so this row) may have been removed meanwhile.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        lease_until=None,
        status=delivery.status,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    return attempt


def deliveries_run(*, session: requests.Session, stop: threading.Event | None = None) -> int:
    """Send everything due now, claim after claim, until nothing is (or ``stop`` is set);
    how many attempts were made."""
    made = 0
    while stop is None or not stop.is_set():
        claimed = deliveries_claim(now=clock.now())
        if not claimed:
            break
        for delivery_id in claimed:
            if stop is not None and stop.is_set():
                _release(claimed)
                return made
            made += delivery_send(session=session, delivery_id=delivery_id) is not None
    return made


def _release(ids: list[int]) -> None:
    """Give back claimed deliveries not sent (a stop): another deliverer takes them now."""
    WebhookDelivery.objects.filter(pk__in=ids, status=PENDING).update(lease_until=None)


def deliveries_requeue(*, ids: list[int], actor: str) -> int:
    """Send these deliveries again (the admin's "send again"), from now, for another 24 h;
    audited. How many."""
    now = clock.now()
    with transaction.atomic():
        chosen = list(
            WebhookDelivery.objects.filter(pk__in=ids).values_list(
                "pk", "event__uid", "endpoint_id"
            )
        )
        WebhookDelivery.objects.filter(pk__in=[pk for pk, _, _ in chosen]).update(
            status=PENDING, next_attempt_at=now, queued_at=now, lease_until=None
        )
        for pk, uid, endpoint_id in chosen:
            audit.record(
                actor=actor,
                action="webhook.resend",
                target=f"webhook_delivery:{pk}",
                detail={"event": str(uid), "endpoint": endpoint_id},
            )
    return len(chosen)
