"""Redis goes away mid-test: the API answers 503 JSON promptly, then recovers on its own."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests
from django.test import Client
from django_redis.pool import ConnectionFactory

from backend_site.rankings.models import Score
from common.local_servers import GunicornSite
from tests.conftest import CLUSTER
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

PROMPT_SECONDS = 3.0
# A cluster whose nodes all stop answering costs more: after the command's own timeout, the
# cluster client asks each node it knows (three masters here) for the layout, each with the
# same timeout (REDIS_TIMEOUT_SECONDS), before it gives up.
HUNG_SECONDS = 5.5 if CLUSTER else PROMPT_SECONDS
SCORES = "/api/v1/leaderboards/global/scores"
READ_PATHS = [
    "/getdata",
    "/api/v1/leaderboards",
    "/api/v1/leaderboards/global/entries",
    "/api/v1/leaderboards/global/players/a",
]


@pytest.fixture
def outage_api(own_redis, transactional_db, settings) -> Iterator[Client]:
    """The test client on a backend whose Redis is ``own_redis``."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": own_redis.url}}
    settings.REDIS_CLUSTER = CLUSTER
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    yield Client(headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    for pool in ConnectionFactory._pools.values():
        pool.disconnect()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_unavailable(response, elapsed: float, *, within: float = PROMPT_SECONDS) -> None:
    assert response.status_code == 503, response.content
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]["code"] == "redis_unavailable"
    assert elapsed < within


def submit(client, player_id: str, score: int):
    payload = json.dumps({"player_id": player_id, "score": score, "name": player_id.upper()})
    return client.post(SCORES, payload, content_type="application/json")


def test_a_stopped_redis_gives_503s_then_the_api_recovers_when_it_is_back(outage_api, own_redis):
    assert submit(outage_api, "a", 10).status_code == 200
    assert submit(outage_api, "b", 20).status_code == 200

    own_redis.stop()
    for path in READ_PATHS:
        assert_unavailable(*timed(lambda path=path: outage_api.get(path)))
    saved, elapsed = timed(lambda: submit(outage_api, "a", 99))
    # The database is the truth: the score is kept, and ranked once Redis is back.
    assert (saved.status_code, json.loads(saved.content)["rank"]) == (202, None)
    assert elapsed < PROMPT_SECONDS
    assert Score.objects.get(player_id="a").value == 99
    ready = outage_api.get("/readyz")
    assert (ready.status_code, json.loads(ready.content)["failed"]) == (503, ["redis"])
    assert outage_api.get("/healthz").status_code == 200

    own_redis.start()  # same port, empty: every board is rebuilt from the database
    assert json.loads(outage_api.get("/getdata").content) == [
        {"id": 1, "name": "A", "score": 99},
        {"id": 2, "name": "B", "score": 20},
    ]
    assert json.loads(submit(outage_api, "b", 130).content)["rank"] == 1
    assert outage_api.get("/readyz").status_code == 200


def test_a_connection_redis_closed_while_idle_is_opened_again_not_a_503(outage_api, own_redis):
    """Each thread keeps its Redis connection. Redis restarted while a thread was idle leaves
    that connection closed by the server; the thread's next command reconnects once and
    succeeds, rather than answering one 503 per thread after every restart."""
    assert submit(outage_api, "a", 10).status_code == 200

    own_redis.stop()
    own_redis.start()  # empty, and nothing asked in between: the connection is stale

    response = outage_api.get("/getdata")
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == [{"id": 1, "name": "A", "score": 10}]


def test_a_redis_that_stops_answering_gives_503s_within_the_socket_timeout(outage_api, own_redis):
    assert submit(outage_api, "a", 10).status_code == 200
    own_redis.pause()
    try:
        for path in ("/getdata", "/api/v1/leaderboards/global/players/a"):
            response, elapsed = timed(lambda path=path: outage_api.get(path))
            assert_unavailable(response, elapsed, within=HUNG_SECONDS)
        ready, elapsed = timed(lambda: outage_api.get("/readyz"))
        assert ready.status_code == 503 and elapsed < HUNG_SECONDS
        saved, elapsed = timed(lambda: submit(outage_api, "a", 50))
        assert saved.status_code == 202 and elapsed < HUNG_SECONDS
    finally:
        own_redis.resume()
    # Redis kept its data, so nothing rebuilds the board: the write it missed (or that it
    # ran from its buffer once resumed) is applied by this process's next one at the latest.
    assert submit(outage_api, "b", 5).status_code == 200
    response = outage_api.get("/getdata")
    assert json.loads(response.content) == [
        {"id": 1, "name": "A", "score": 50},
        {"id": 2, "name": "B", "score": 5},
    ]


@pytest.fixture
def outage_site(own_redis, make_database_url, tmp_path) -> Iterator[GunicornSite]:
    """The backend under gunicorn, as deployed, on ``own_redis`` and its own database."""
    env = backend_env(own_redis.url, make_database_url(tmp_path))
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    migrated = site.manage("migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    site.start()
    yield site
    site.stop()


def test_the_served_backend_answers_503_while_redis_is_down_and_recovers_unrestarted(
    outage_site, own_redis
):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
    url = outage_site.url

    def post(player_id: str, score: int):
        payload = {"player_id": player_id, "score": score, "name": player_id.upper()}
        return http.post(url + SCORES, json=payload, timeout=10)

    assert post("a", 10).status_code == 200
    assert post("b", 20).status_code == 200
    # Several requests, so both workers' connection pools are in use before the outage.
    for _ in range(6):
        assert http.get(url + "/getdata", timeout=10).status_code == 200

    own_redis.stop()
    for path in [*READ_PATHS, *READ_PATHS]:
        assert_unavailable(*timed(lambda path=path: http.get(url + path, timeout=10)))
    saved, elapsed = timed(lambda: post("a", 99))
    assert (saved.status_code, saved.json()["rank"], saved.json()["score"]) == (202, None, 99)
    assert elapsed < PROMPT_SECONDS
    assert http.get(url + "/readyz", timeout=10).status_code == 503

    own_redis.start()
    for _ in range(6):  # whichever worker and connection answers
        response = http.get(url + "/getdata", timeout=10)
        assert response.status_code == 200, outage_site.log()
        assert response.json() == [
            {"id": 1, "name": "A", "score": 99},
            {"id": 2, "name": "B", "score": 20},
        ]
    assert post("b", 130).json()["rank"] == 1
