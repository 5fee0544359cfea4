"""Delivering to a real receiver that fails, times out and recovers: nothing is lost, a
retry carries the same Leaderboard-Event-Id, the signature verifies with the README's own
snippet, each board's events arrive in order, and 24 h of failures end as failed. Time is
driven through the backend's clock; only the read timeout (0.2 s) is waited for real."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from backend_site.rankings.models import WebhookDelivery
from backend_site.rankings.webhooks import delivery, endpoints
from tests.backend.conftest import Clock, make_board, make_score
from tests.backend.webhooks.conftest import SLOW, readme_verify

SECRET = "whsec_test-secret-0123456789"


@pytest.fixture
def moving(monkeypatch):
    """The backend's clock, set by the test, starting at the real time (so the README's
    tolerance on ``t`` holds)."""
    from backend_site.rankings.calendar import clock

    fake = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def endpoint(transactional_db, ranking_redis, receiver):
    return endpoints.endpoint_create(
        url=receiver.url,
        events="leader.changed,period.closed,player.sanctioned,player.erased",
        secret=SECRET,
        actor="test",
    )


def deliver_once() -> None:
    call_command("deliver_webhooks", "--once", verbosity=0)


def statuses() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("status", flat=True))


def test_a_failing_then_slow_receiver_gets_everything_once_recovered_in_order(
    endpoint, receiver, moving
):
    one, two = make_board("one"), make_board("two")
    receiver.script.extend([500, SLOW])  # the first POST fails, the second times out
    for score in (1, 2, 3):  # each takes the lead from the other: three events per board
        make_score(one, f"a{score}", score)
        make_score(two, f"b{score}", score)
    deliver_once()
    # The first of each board was tried: "one" got the 500, "two" timed out; each board's
    # later events waited behind its first.
    assert [r.answered for r in receiver.received] == [500, SLOW]
    assert statuses()[:2] == ["pending", "pending"]
    first = WebhookDelivery.objects.order_by("id").first()
    assert (first.attempts, first.last_status, first.last_error) == (1, 500, "HTTP 500")
    slow = WebhookDelivery.objects.order_by("id")[1]
    assert slow.last_status is None and "ReadTimeout" in slow.last_error
    deliver_once()  # nothing due until the backoff has passed
    assert len(receiver.received) == 2
    moving.advance(seconds=10)
    deliver_once()
    assert statuses() == ["delivered"] * 6
    # Nothing lost; each event taken once; a retried one came again with the same id.
    ids = [e.event_id for e in WebhookDelivery.objects.select_related("event").order_by("id")]
    taken = [r.headers["Leaderboard-Event-Id"] for r in receiver.delivered()]
    assert sorted(taken) == sorted(str(e.uid) for e in _events(ids))
    tried = [r.headers["Leaderboard-Event-Id"] for r in receiver.received]
    assert tried[0] in taken and tried[1] in taken and tried.count(tried[0]) == 2
    # In order per board: each board's events arrived as they were written.
    for slug in ("one", "two"):
        arrived = [r.event for r in receiver.delivered() if r.event["data"]["board"] == slug]
        assert [e["data"]["leader"]["score"] for e in arrived] == [1, 2, 3]
    # Signed: the README's snippet verifies each, and refuses a body changed by one byte.
    verify = readme_verify()
    for got in receiver.received:
        assert verify(SECRET, got.body, got.headers["Leaderboard-Signature"])
        assert not verify(SECRET, got.body + b" ", got.headers["Leaderboard-Signature"])
        assert not verify("whsec_another", got.body, got.headers["Leaderboard-Signature"])
        assert got.headers["Content-Type"] == "application/json"
        assert got.headers["Leaderboard-Event"] == "leader.changed"
        assert got.headers["User-Agent"] == delivery.USER_AGENT
        assert set(got.event) == {"id", "type", "created_at", "data"}


def _events(delivery_ids):
    from backend_site.rankings.models import WebhookEvent

    return WebhookEvent.objects.filter(pk__in=delivery_ids)


def test_24_hours_of_failures_end_as_failed_and_the_board_moves_on(
    endpoint, receiver, moving, settings
):
    board = make_board("cup")
    make_score(board, "ann", 1)
    moving.advance(hours=1)
    make_score(board, "bob", 2)  # an hour later: its own 24 h end an hour later
    receiver.script.extend([503] * 1000)
    waits = []
    while WebhookDelivery.objects.filter(status="failed").count() == 0:
        deliver_once()
        head = WebhookDelivery.objects.order_by("id").first()
        if head.status == "pending":
            waits.append(head.next_attempt_at - moving())
            moving.set(head.next_attempt_at)
    head = WebhookDelivery.objects.order_by("id").first()
    created = head.event.created_at
    assert head.status == "failed" and head.last_status == 503
    assert moving() == created + timedelta(hours=24)  # the last try on the deadline itself
    # Exponential, capped: 10 s, 20 s, 40 s ... 3,600 s.
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert max(waits) == timedelta(seconds=settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    assert head.attempts == len(waits) + 1
    # The board's second event was held until then: tried (and failed) once since, and
    # delivered once the receiver recovers.
    tried = [r.event["data"]["leader"]["player_id"] for r in receiver.received]
    assert tried == ["ann"] * head.attempts + ["bob"]
    receiver.script.clear()
    moving.advance(seconds=10)
    deliver_once()
    assert statuses() == ["failed", "delivered"]


def test_a_refused_connection_is_retried_like_a_failure(
    transactional_db, ranking_redis, receiver, moving
):
    from common.local_servers.processes import free_ports

    (closed,) = free_ports(1)
    endpoints.endpoint_create(
        url=f"http://127.0.0.1:{closed}/", events="leader.changed", actor="test"
    )
    make_score(make_board("cup"), "ann", 1)
    deliver_once()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, None)
    assert "ConnectionError" in row.last_error


def test_two_deliverers_never_claim_the_same_delivery(endpoint, moving):
    for index in range(6):
        make_score(make_board(f"b{index}"), "ann", 1)
    first = delivery.deliveries_claim(now=moving())
    second = delivery.deliveries_claim(now=moving())
    assert len(first) == 6 and second == []
    moving.advance(minutes=5)  # a deliverer that died: its lease runs out
    assert delivery.deliveries_claim(now=moving()) == first


def test_the_deliverer_loops_until_sigterm_and_exits_cleanly(endpoint, receiver, settings):
    settings.WEBHOOK_IDLE_SECONDS = 0.05
    make_score(make_board("cup"), "ann", 1)

    def stop_once_received():
        for _ in range(200):
            if receiver.delivered():
                break
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=stop_once_received)
    before = signal.getsignal(signal.SIGTERM)
    watcher.start()
    call_command("deliver_webhooks", verbosity=0)  # returns on SIGTERM
    watcher.join()
    assert statuses() == ["delivered"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_endpoint_removed_after_its_delivery_was_claimed_is_sent_nothing(
    endpoint, receiver, moving
):
    make_score(make_board("cup"), "ann", 1)
    (claimed,) = delivery.deliveries_claim(now=moving())
    endpoints.endpoint_remove(endpoint_id=endpoint.pk, actor="test")  # claimed, not sent yet
    assert delivery.delivery_send(session=delivery.session_new(), delivery_id=claimed) is None
    assert not WebhookDelivery.objects.exists() and receiver.received == []


def test_a_redirect_is_a_failure_not_followed(endpoint, receiver, moving):
    """requests would follow a 302 with a GET and no body: the event would seem delivered
    and be lost. A 3xx is retried like any other failure."""
    receiver.script.extend([302])
    make_score(make_board("cup"), "ann", 1)
    deliver_once()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, 302)
    assert [r.answered for r in receiver.received] == [302]  # no GET after it
    moving.advance(seconds=10)
    deliver_once()
    assert statuses() == ["delivered"]
