"""The slow-client drill against both real sites under gunicorn (gunicorn.conf.py, our
worker): while 300 connections trickle their heads, each site answers everyone else at once.
The worker's own drills are in tests/test_hostile_traffic.py; `make hostile` runs 1,000."""

import time

import pytest
import requests

from bench.hostile import SLOW_HEAD, Tricklers, p99
from tests.conftest import SERVICE_TOKEN


def probe(url: str, headers: dict | None = None, count: int = 20) -> list[tuple[int, float]]:
    answers = []
    for _ in range(count):
        started = time.monotonic()
        status = requests.get(url, headers=headers, timeout=10).status_code
        answers.append((status, time.monotonic() - started))
        time.sleep(0.05)
    return answers


@pytest.mark.parametrize("site", ["backend", "frontend"])
def test_three_hundred_slow_clients_leave_the_site_answering_everyone_else(
    site, backend_server, frontend_server
):
    served = backend_server if site == "backend" else frontend_server
    path = "/api/v1/leaderboards" if site == "backend" else "/"
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"} if site == "backend" else None

    with Tricklers(served.port, count=300, interval=1.0, request=SLOW_HEAD) as slow:
        answers = probe(f"{served.url}{path}", headers)

    assert slow.opened >= 300
    assert [status for status, _ in answers] == [200] * len(answers)
    assert p99([seconds for _, seconds in answers]) < 1.0
