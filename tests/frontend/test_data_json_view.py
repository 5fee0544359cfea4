"""GET /data.json in process: the original sample's rows, from the served backend."""

import json
import time

from tests.frontend.fixtures.fake_backends import WITHIN_THE_TIMEOUTS
from tests.frontend.fixtures.served_sites import seed_players, submit_score


def test_data_json_keeps_the_samples_shape(backend_server, frontend, top_scores):
    seed_players(backend_server, ["Shape Keeper"], top_scores(1))

    rows = frontend.get("/data.json").json()

    assert all(set(row) == {"id", "name", "score"} for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert rows[0]["name"] == "Shape Keeper" and rows[0]["id"] == 1


def test_a_submitted_score_shows_in_data_json_after_the_cache_time(
    backend_server, frontend, frontend_settings, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0.2
    high, low = top_scores(2)
    (player_id,) = seed_players(backend_server, ["Climber McRise"], [low])
    assert frontend.get("/data.json").json()[0]["score"] == low

    submit_score(backend_server, player_id=player_id, score=high)
    time.sleep(frontend_settings.FRONTEND_CACHE_SECONDS)

    rows = frontend.get("/data.json").json()
    assert next(row["score"] for row in rows if row["name"] == "Climber McRise") == high


def test_data_json_is_valid_json_for_names_with_quotes_apostrophes_and_emoji(
    backend_server, frontend, top_scores
):
    names = ['Dan "The Man"', "O'Brien's Ghost", "Zoë 🎮🔥", "back\\slash </script>"]
    seed_players(backend_server, names, top_scores(len(names)))

    response = frontend.get("/data.json")

    assert response["Content-Type"] == "application/json"
    assert [row["name"] for row in json.loads(response.content)[: len(names)]] == names


def test_when_the_backend_goes_away_the_last_rows_are_served_marked_stale(
    backend_server, frontend, frontend_settings, closed_port_url, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    seed_players(backend_server, ["Steady Eddie", "Runner Up"], top_scores(2))
    assert frontend.get("/data.json")["X-Data-Stale"] == "false"

    frontend_settings.BACKEND_URL = closed_port_url
    data = frontend.get("/data.json")

    assert data.status_code == 200
    assert data["X-Data-Stale"] == "true"
    assert [row["name"] for row in data.json()[:2]] == ["Steady Eddie", "Runner Up"]


def test_once_the_last_good_copy_expires_a_gone_backend_gives_a_json_503(
    frontend, frontend_settings, closed_port_url
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0
    frontend_settings.FRONTEND_STALE_SECONDS = 0.3
    assert frontend.get("/data.json").status_code == 200

    frontend_settings.BACKEND_URL = closed_port_url
    time.sleep(frontend_settings.FRONTEND_STALE_SECONDS)
    data = frontend.get("/data.json")

    assert data.status_code == 503
    assert data["Content-Type"] == "application/json"
    assert data.json()["error"]["code"] == "unavailable"


def test_with_nothing_cached_a_backend_that_never_answers_gives_a_503_within_the_timeouts(
    get_from_a_hanging_backend,
):
    response, took = get_from_a_hanging_backend("/data.json")

    assert response.status_code == 503
    assert took < WITHIN_THE_TIMEOUTS, f"/data.json took {took:.2f}s"


def test_an_unreachable_backend_with_nothing_cached_gives_a_json_503(
    frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url

    response = client.get("/data.json")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"]
    assert response.json()["error"]["code"] == "unavailable"


def test_a_backend_answering_garbage_gives_a_friendly_503_never_a_500(
    frontend_settings, garbage_backend, client
):
    frontend_settings.BACKEND_URL = garbage_backend

    response = client.get("/data.json")

    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()
