"""A deploy under load: SIGTERM to gunicorn's master (what ECS and App Runner send) lets every
request it took finish with its answer; none is answered 5xx, none is reset.

Once the workers stop listening, a new connection is refused at once, which is fine: by the
time a task gets SIGTERM its load balancer has drained it (ECS's deregistration delay, App
Runner's draining) and sends it nothing new. What must not happen is a connection that was
taken, or a request sent on a kept-alive connection, ending in a reset or a 5xx.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

from common.local_servers import wait_until
from tests.fixtures.sites import SERVICE_TOKEN, start_backend_with_board

CLIENTS = 8
BATCH_ITEMS = 1000  # a real slow-ish request: one batch of 1,000 increments
DONE_BEFORE_SIGTERM = 2  # answers each client has had before the deploy


@pytest.fixture
def served(redis_databases, make_database_url, tmp_path):
    """The backend under gunicorn with an increment board, "coins"."""
    site = start_backend_with_board(
        redis_databases.take_url(),
        make_database_url(tmp_path),
        tmp_path,
        slug="coins",
        operator="increment",
        # This drill is the deploy's. Its batches wait on SQLite's one writer for longer than
        # the default queue deadline, so some would be shed (tests/test_overload.py's subject).
        QUEUE_DEADLINE_MS="60000",
    )
    yield site
    site.stop()


def refused(exc: requests.RequestException) -> bool:
    """Whether a request failed because nothing listened (never taken), not mid-way."""
    return isinstance(exc, requests.ConnectionError) and "Connection refused" in str(exc)


class Client(threading.Thread):
    """Posts batches until stopped: on a kept-alive connection, or a new one each time."""

    def __init__(self, url: str, number: int):
        super().__init__(daemon=True)
        self.url = url
        self.keep_alive = number % 2 == 0
        self.items = [
            {"leaderboard": "coins", "player_id": f"c{number}-{i}", "score": 1, "name": "C"}
            for i in range(BATCH_ITEMS)
        ]
        self.answers: list[int] = []
        self.refusals = 0
        self.broken: list[str] = []  # taken, then reset or cut off
        self.stopping = threading.Event()

    def run(self) -> None:
        http = requests.Session()
        while not self.stopping.is_set():
            if not self.keep_alive:
                http.close()
            try:
                response = http.post(
                    self.url,
                    json={"scores": self.items},
                    headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                    timeout=30,
                )
                self.answers.append(response.status_code)
            except requests.RequestException as exc:
                if refused(exc):
                    self.refusals += 1
                    time.sleep(0.05)
                else:
                    self.broken.append(repr(exc))


def test_sigterm_under_load_lets_every_request_it_took_finish_with_a_2xx(served):
    clients = [Client(f"{served.url}/api/v1/scores/batch", n) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    wait_until(
        lambda: all(len(client.answers) >= DONE_BEFORE_SIGTERM for client in clients),
        timeout=120,
        what="answers before the deploy",
    )

    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=60)
    # Whatever the clients still send now finds nothing listening.
    wait_until(lambda: all(client.refusals for client in clients), timeout=30, what="refusals")
    for client in clients:
        client.stopping.set()
        client.join(timeout=60)

    answers = [status for client in clients for status in client.answers]
    assert [client.broken for client in clients] == [[]] * CLIENTS
    assert set(answers) <= {200}, sorted(set(answers))
    assert served.process.returncode == 0
