"""Faults produced for real through gunicorn: a backend stopped, one that stops answering,
then back; workers killed or reloaded while it is away. What each view answers with a backend
that refuses, hangs or talks nonsense, with or without a last good copy, is tested in process
(test_*_view.py)."""

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.frontend.fixtures.served_sites import eventually, get, response_when, seed_players

CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
# What a page may take at most while the backend hangs: both timeouts plus rendering.
WITHIN_THE_TIMEOUTS = CONNECT_TIMEOUT + READ_TIMEOUT + 1.0
STALE_NOTICE = "live scores are temporarily unavailable"
# Enough workers that a visitor rarely meets the one that fetched, and views for each of them.
WORKERS = 3
VISITS = 15


def is_stale(response: requests.Response) -> bool:
    return response.headers.get("X-Data-Stale") == "true"


@pytest.fixture
def stack(make_backend, make_frontend, top_scores):
    """A backend of the test's own (so it may stop it) seeded with two players, and a
    frontend over it that has already shown them once."""

    def build(**frontend_env: str):
        backend = make_backend()
        frontend = make_frontend(
            backend.url,
            BACKEND_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
            BACKEND_READ_TIMEOUT=str(READ_TIMEOUT),
            **frontend_env,
        )
        ids = seed_players(backend, ["Steady Eddie", "Runner Up"], top_scores(2))
        for path in ("/", "/data.json", f"/players/{ids[0]}/"):
            assert get(frontend, path).status_code == 200
        return backend, frontend, ids

    return build


def test_a_stopped_backend_leaves_the_last_rows_on_screen_with_a_stale_notice(stack):
    backend, frontend, ids = stack()

    backend.stop()
    page = response_when(frontend, "/", lambda r: is_stale(r), what="stale /")

    assert page.status_code == 200
    assert STALE_NOTICE in page.text
    assert page.text.index("Steady Eddie") < page.text.index("Runner Up")
    # Said in standard headers too, and kept by no CDN without asking again.
    assert page.headers["Warning"] == '110 - "Response is Stale"'
    assert int(page.headers["Age"]) >= 0
    assert page.headers["Cache-Control"] == "no-cache"
    data = get(frontend, "/data.json")
    assert is_stale(data)
    assert data.headers["Warning"] == '110 - "Response is Stale"'
    assert "Age" in data.headers
    revalidated = get(frontend, "/data.json", headers={"If-None-Match": data.headers["ETag"]})
    assert (revalidated.status_code, revalidated.headers["X-Data-Stale"]) == (304, "true")
    assert [row["name"] for row in data.json()] == ["Steady Eddie", "Runner Up"]
    player = get(frontend, f"/players/{ids[0]}/")
    assert player.status_code == 200
    assert STALE_NOTICE in player.text


def test_a_backend_that_stops_answering_leaves_the_page_up_within_the_timeouts(
    stack, silent_server
):
    backend, frontend, _ = stack()
    backend.stop()
    silent_server(backend.port)  # takes the backend's place and never answers

    # The first views may still come from the fresh copy; each must be prompt either way.
    for _ in range(20):
        started = time.monotonic()
        page = get(frontend, "/")
        took = time.monotonic() - started
        assert took < WITHIN_THE_TIMEOUTS, f"the page took {took:.2f}s"
        if is_stale(page):
            break
        time.sleep(0.2)

    assert page.status_code == 200
    assert is_stale(page)
    assert "Steady Eddie" in page.text


def test_when_the_backend_comes_back_pages_are_fresh_again_without_a_restart(stack, top_scores):
    backend, frontend, _ = stack()
    backend.stop()
    eventually(lambda: is_stale(get(frontend, "/")), what="stale /")

    backend.start()
    seed_players(backend, ["Comeback Kid"], top_scores(1))
    page = response_when(
        frontend,
        "/",
        lambda r: "Comeback Kid" in r.text,
        what="fresh page after the backend is back",
    )

    assert not is_stale(page)
    assert STALE_NOTICE not in page.text
    assert get(frontend, "/data.json").json()[0]["name"] == "Comeback Kid"


def worker_pids(site) -> set[int]:
    """The pids of the gunicorn master's live workers (its children)."""
    workers = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(parent) == site.pid and state != "Z":
            workers.add(int(stat.parent.name))
    return workers


def kill_every_worker(site) -> None:
    """SIGKILL each worker, as the out-of-memory killer would; the master starts new ones."""
    for pid in worker_pids(site):
        os.kill(pid, signal.SIGKILL)


def reload_the_master(site) -> None:
    """SIGHUP the master, as a deploy's reload does: new workers, the old ones retired."""
    os.kill(site.pid, signal.SIGHUP)


def assert_every_visit_is_the_stale_copy(frontend, ids) -> None:
    """Views of each page on fresh connections, so that every worker answers some: each one is
    the last good copy, marked stale, never the 503 page."""
    for path, visits in (("/", VISITS), ("/data.json", 5), (f"/players/{ids[0]}/", 5)):
        answers = [get(frontend, path) for _ in range(visits)]
        assert [(a.status_code, is_stale(a)) for a in answers] == [(200, True)] * visits, path
        assert all("Steady Eddie" in answer.text for answer in answers), path


def test_with_the_backend_stopped_every_worker_shows_the_same_last_good_copy(stack):
    backend, frontend, ids = stack(WEB_CONCURRENCY=str(WORKERS))
    assert len(worker_pids(frontend)) == WORKERS

    backend.stop()
    response_when(frontend, "/", is_stale, what="stale /")

    assert_every_visit_is_the_stale_copy(frontend, ids)


@pytest.mark.parametrize("restart", [kill_every_worker, reload_the_master])
def test_workers_started_after_the_backend_stopped_show_the_last_good_copy(stack, restart):
    backend, frontend, ids = stack(WEB_CONCURRENCY=str(WORKERS))
    before = worker_pids(frontend)
    backend.stop()

    restart(frontend)
    eventually(
        lambda: len(after := worker_pids(frontend)) == WORKERS and not after & before,
        what=f"{WORKERS} new workers",
    )

    assert_every_visit_is_the_stale_copy(frontend, ids)
