"""Many open pages polling one served frontend (three workers) cost the real backend one call
per key per FRONTEND_CACHE_SECONDS, and are answered 304 while nothing changed."""

import re
import threading
import time

import pytest
import requests

from tests.frontend.fixtures.served_sites import seed_players

pytestmark = pytest.mark.sqlite_only("what the frontend asks of the backend, not the engine")

POLLERS = 50
POLL_FOR_S = 3.0
CACHE_SECONDS = 1.0
# The frontend's reads of /table/: the board's first page and the list of boards.
BACKEND_CALLS = {
    "first page": re.compile(r"GET /api/v1/leaderboards/global/entries\?\S*offset=0\S* 200"),
    "boards": re.compile(r"GET /api/v1/leaderboards 200"),
}


def backend_calls(log: str) -> dict[str, int]:
    return {key: len(pattern.findall(log)) for key, pattern in BACKEND_CALLS.items()}


def poll(url: str, until: float, statuses: list[int]) -> None:
    """One open page: a keep-alive connection asking for ``url`` with its last ETag."""
    with requests.Session() as session:
        etag = None
        while time.monotonic() < until:
            headers = {"If-None-Match": etag} if etag else {}
            response = session.get(url, headers=headers, timeout=10)
            statuses.append(response.status_code)
            etag = response.headers.get("ETag", etag)
            time.sleep(0.05)


def test_fifty_pollers_cost_the_backend_one_call_per_key_per_cache_period(
    backend_server, make_frontend, top_scores
):
    seed_players(backend_server, ["Polled Often"], top_scores(1))
    frontend = make_frontend(
        backend_server.url, WEB_CONCURRENCY="3", FRONTEND_CACHE_SECONDS=str(CACHE_SECONDS)
    )
    # The backend writes its request lines in batches, at most half a second late.
    time.sleep(1)
    before = backend_calls(backend_server.log())
    statuses: list[int] = []
    started = time.monotonic()
    pollers = [
        threading.Thread(
            target=poll, args=(frontend.url + "/table/", started + POLL_FOR_S, statuses)
        )
        for _ in range(POLLERS)
    ]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join()
    took = time.monotonic() - started

    time.sleep(1)
    calls = {key: n - before[key] for key, n in backend_calls(backend_server.log()).items()}
    assert set(statuses) <= {200, 304}, statuses
    assert len(statuses) >= POLLERS * 5
    assert statuses.count(304) >= len(statuses) * 0.8, "polls of an unchanged board were not 304s"
    # One call per key per cache period, and one more for a period cut at each end.
    allowed = int(took / CACHE_SECONDS) + 2
    assert 1 <= calls["first page"] <= allowed, calls
    assert calls["boards"] <= allowed, calls
