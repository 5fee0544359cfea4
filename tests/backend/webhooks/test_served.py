"""End to end: writers racing for the lead of a board on the backend under gunicorn, then
the deliverer as its own process (``manage.py deliver_webhooks --once``) to a real
receiver. The leader.changed events form one chain: each names as previous the leader the
one before announced, and the last names the board's real #1."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.backend.webhooks.conftest import readme_verify
from tests.fixtures.sites import SERVICE_TOKEN

pytestmark = pytest.mark.served

WRITERS, ROUNDS = 6, 5


def test_racing_writers_announce_one_unbroken_chain_of_leaders(backend_server, receiver):
    slug = f"race-{threading.get_ident() % 10_000}"
    made = backend_server.manage(  # one process for both: each start of manage.py costs
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard; "
        "from backend_site.rankings.webhooks import endpoints; "
        f"Leaderboard.objects.create(slug={slug!r}, title='Race'); "
        f"e = endpoints.endpoint_create(url={receiver.url!r}, events='leader.changed', "
        "actor='test'); print(e.pk, e.secret)",
    )
    assert made.returncode == 0, made.stderr
    endpoint_id, secret = made.stdout.split()[-2:]
    # Each backend worker asks whether anyone hears leader.changed once a second at most
    # (WEBHOOK_SUBSCRIBERS_SECONDS): after that, every write checks the lead.
    time.sleep(1.2)
    url = f"{backend_server.url}/api/v1/leaderboards/{slug}/scores"
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> list[int]:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
        start.wait()
        return [
            http.post(
                url,
                json={"player_id": f"p{writer}", "name": f"P{writer}", "score": 10 * n + writer},
                timeout=30,
            ).status_code
            for n in range(1, ROUNDS + 1)
        ]

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            answers = [code for codes in pool.map(write, range(WRITERS)) for code in codes]
        assert set(answers) == {200}
        sent = backend_server.manage("deliver_webhooks", "--once")
        assert sent.returncode == 0, sent.stderr
    finally:
        left = backend_server.manage(  # what was not delivered, then the endpoint removed
            "shell",
            "-c",
            "from backend_site.rankings.models import WebhookEndpoint as E; "
            f"e = E.objects.get(pk={endpoint_id}); "
            "print(list(e.deliveries.exclude(status='delivered')"
            ".values_list('status', 'attempts', 'last_error'))); e.delete()",
        )
    assert left.stdout.strip().splitlines()[-1] == "[]", (left.stdout, left.stderr, sent.stdout)
    verify = readme_verify()
    chain = []
    for got in receiver.delivered():
        assert verify(secret, got.body, got.headers["Leaderboard-Signature"])
        if got.event["data"]["board"] == slug:
            chain.append(got.event["data"])
    assert chain, "no leader.changed arrived"
    assert chain[0]["previous"] is None
    for before, after in itertools.pairwise(chain):
        assert after["previous"]["player_id"] == before["leader"]["player_id"]
        assert after["leader"]["score"] > before["leader"]["score"]  # best: the lead only rises
    # The last change named the real #1 (who may have raised their own lead since: no change).
    last = WRITERS - 1
    assert (chain[-1]["leader"]["player_id"], chain[-1]["leader"]["name"]) == (
        f"p{last}",
        f"P{last}",
    )
