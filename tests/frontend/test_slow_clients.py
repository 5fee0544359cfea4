"""The slow-client drill against both real sites under gunicorn (gunicorn.conf.py, our
worker): while 300 connections trickle their heads, each site answers everyone else at once.
The worker's own drills are in tests/test_hostile_traffic.py; `make hostile` runs 1,000."""

import pytest

from bench.hostile import SLOW_HEAD, Tricklers, p99, probe
from tests.fixtures.sites import SERVICE_TOKEN


@pytest.mark.parametrize("site", ["backend", "frontend"])
def test_three_hundred_slow_clients_leave_the_site_answering_everyone_else(
    site, backend_server, frontend_server
):
    served = backend_server if site == "backend" else frontend_server
    path = "/api/v1/leaderboards" if site == "backend" else "/"
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"} if site == "backend" else None

    with Tricklers(served.port, count=300, interval=1.0, request=SLOW_HEAD) as slow:
        answers = probe(f"{served.url}{path}", count=20, every=0.05, headers=headers)

    assert slow.opened >= 300
    assert [answer.status for answer in answers] == [200] * len(answers)
    assert p99([answer.seconds for answer in answers]) < 1.0
