"""What the served frontend asks of its backend, all workers together: one call for a page per
fresh period, a 404 believed for a while, never more calls in flight than its limit, and the
excess answered at once. Over CountingBackend, a stand-in that is slow on purpose and counts
what it is asked."""

import collections
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.frontend.fixtures.fake_backends import CountingBackend
from tests.frontend.fixtures.served_sites import get

WORKERS = 3
VISITS = 15
SLOW = 2.0  # seconds the stand-in backend takes to answer
LIMIT = 2
READ_TIMEOUT = 4.0
UNAVAILABLE_PAGE = "Live scores are taking a short break"


def visit_at_once(site, paths: list[str], *, clients: int) -> list[tuple[str, object, float]]:
    """GET every path, ``clients`` at a time, each on a fresh connection (so every worker
    takes some); return (path, response, seconds it took) in order."""

    def visit(path: str):
        started = time.monotonic()
        response = get(site, path)
        return path, response, time.monotonic() - started

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(visit, paths))


@pytest.fixture(scope="module")
def counted(make_frontend):
    """A slow CountingBackend and a frontend of WORKERS workers over it, whose answers and 404s
    stay fresh for the whole module."""
    backend = CountingBackend(delay=SLOW)
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY=str(WORKERS),
        FRONTEND_CACHE_SECONDS="600",
        FRONTEND_NOT_FOUND_SECONDS="600",
        BACKEND_READ_TIMEOUT=str(READ_TIMEOUT),
    )
    yield backend, frontend
    frontend.stop()
    backend.close()


def test_a_burst_of_views_of_one_page_across_workers_costs_the_backend_one_call(counted):
    backend, frontend = counted

    visits = visit_at_once(frontend, ["/players/burst/"] * 30, clients=30)

    assert [response.status_code for _, response, _ in visits] == [200] * 30
    assert backend.calls["/api/v1/leaderboards/global/players/burst"] == 1


def test_a_missing_player_costs_the_backend_one_call_whichever_worker_answers(counted):
    backend, frontend = counted

    answers = [get(frontend, "/players/missing-player/") for _ in range(VISITS)]

    assert [answer.status_code for answer in answers] == [404] * VISITS
    assert backend.calls["/api/v1/leaderboards/global/players/missing-player"] == 1


def test_viewers_polling_with_if_none_match_cost_one_call_per_fresh_period(
    counting_backend, make_frontend
):
    cache_seconds, polling_for, pollers = 0.5, 2.0, 8
    backend = counting_backend(0.0)
    frontend = make_frontend(
        backend.url, WEB_CONCURRENCY=str(WORKERS), FRONTEND_CACHE_SECONDS=str(cache_seconds)
    )
    etag = get(frontend, "/table/").headers["ETag"]

    def poll(_) -> collections.Counter:
        statuses = collections.Counter()
        with requests.Session() as session:
            deadline = time.monotonic() + polling_for
            while time.monotonic() < deadline:
                url = f"{frontend.url}/table/"
                answer = session.get(url, headers={"If-None-Match": etag}, timeout=10)
                statuses[answer.status_code] += 1
        return statuses

    with ThreadPoolExecutor(pollers) as pool:
        statuses = sum(pool.map(poll, range(pollers)), collections.Counter())

    assert set(statuses) == {304}, statuses  # the same scores, fetched again: the same ETag
    assert statuses[304] > 10 * pollers
    # One call for the first view, then at most one per fresh period, all workers together.
    calls = backend.calls["/api/v1/leaderboards/global/entries"]
    assert calls <= 1 + polling_for / cache_seconds + 1, (calls, statuses)


def test_a_flood_of_distinct_pages_keeps_the_backend_within_the_limit_and_the_excess_is_quick(
    counting_backend, make_frontend
):
    backend = counting_backend(SLOW)
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY=str(WORKERS),
        FRONTEND_BACKEND_CONCURRENCY=str(LIMIT),
        BACKEND_READ_TIMEOUT=str(READ_TIMEOUT),
        # The concurrency limit is this test's subject, not the budget for unknown players.
        FRONTEND_LOOKUPS_PER_SECOND="1000",
        FRONTEND_LOOKUPS_PER_VISITOR_MINUTE="100000",
    )
    assert get(frontend, "/").status_code == 200  # the front page's last good copy
    time.sleep(1.0)  # FRONTEND_CACHE_SECONDS: from now on it is asked for again
    # Every fourth view is the front page; the others are player pages nobody asked for yet.
    paths = [f"/players/flood-{n}/" if n % 4 else "/" for n in range(80)]

    visits = visit_at_once(frontend, paths, clients=24)

    assert backend.most_in_flight <= LIMIT
    statuses = collections.Counter(response.status_code for _, response, _ in visits)
    assert set(statuses) <= {200, 503}, statuses
    # The front page is always shown: fresh, or its last good copy while the slots are taken.
    # Only the server's last-resort refusal, before any Django code runs on a machine too busy
    # for even the quick lane (as for the refusals below), may stand in for it.
    front = [response for path, response, _ in visits if path == "/"]
    assert any(response.status_code == 200 for response in front)
    for response in front:
        if response.status_code != 200:
            assert '"overloaded"' in response.text, (response.status_code, response.text[:200])
    refused = [(response, took) for _, response, took in visits if response.status_code == 503]
    assert len(refused) > len(paths) / 4, f"a flood beyond the limit, yet only {statuses}"
    for response, _ in refused:
        assert response.headers["Retry-After"]
        # The site's own page; or, when even the worker's quick lane is full (a slow or busy
        # machine), the server's last-resort refusal, sent before any Django code runs.
        assert UNAVAILABLE_PAGE in response.text or '"overloaded"' in response.text
    # Most of the excess is answered before the backend could have answered anything; the
    # rest waited for the lock of a page being fetched (keys share a few hundred locks).
    quick = [took for _, took in refused if took < SLOW]
    assert len(quick) > len(refused) / 2, sorted(took for _, took in refused)
    # Nothing waits longer than the backend's timeouts allow (plus a loaded machine's margin).
    slowest = max(took for *_, took in visits)
    assert slowest < 0.5 + READ_TIMEOUT + SLOW + 3.0, f"a view took {slowest:.1f}s"


def test_a_flood_of_made_up_player_ids_costs_the_backend_a_bounded_number_of_calls(
    counting_backend, make_frontend
):
    backend = counting_backend(0.0)
    rate = 5
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY="1",
        FRONTEND_LOOKUPS_PER_SECOND=str(rate),
        FRONTEND_LOOKUPS_PER_VISITOR_MINUTE="100000",
    )
    assert get(frontend, "/").status_code == 200  # the board shows "counted": a known player
    started = time.monotonic()

    answers = visit_at_once(frontend, [f"/players/missing-{n}/" for n in range(300)], clients=8)
    known = get(frontend, "/players/counted/")

    took = time.monotonic() - started
    calls = sum(n for path, n in backend.calls.items() if "/players/missing-" in path)
    assert calls <= rate + rate * took + 1, (calls, took)
    statuses = collections.Counter(response.status_code for _, response, _ in answers)
    assert set(statuses) <= {404, 429} and statuses[429] > 200, statuses
    for _, response, seconds in answers:
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert seconds < 1.0
    assert known.status_code == 200


def test_each_visitor_behind_the_proxy_has_a_budget_of_its_own(counting_backend, make_frontend):
    backend = counting_backend(0.0)
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY="1",
        FRONTEND_LOOKUPS_PER_SECOND="1000",
        FRONTEND_LOOKUPS_PER_VISITOR_MINUTE="10",
    )
    one, other = {"X-Forwarded-For": "203.0.113.1"}, {"X-Forwarded-For": "203.0.113.2"}

    first = [get(frontend, f"/players/missing-a{n}/", headers=one).status_code for n in range(20)]
    second = get(frontend, "/players/missing-b/", headers=other).status_code

    assert first == [404] * 10 + [429] * 10
    assert second == 404
