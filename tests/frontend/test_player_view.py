"""GET /players/<id>/ in process: a player's standing from the served backend."""

import html
import math
import time

import pytest
import requests

from frontend_site.board import instance_locks
from tests.fixtures.sites import SERVICE_TOKEN
from tests.frontend.fixtures.fake_backends import WITHIN_THE_TIMEOUTS
from tests.frontend.fixtures.served_sites import (
    eventually,
    new_player_id,
    seed_players,
    submit_score,
)
from tests.frontend.seasons import make_entry

STALE_NOTICE = "live scores are temporarily unavailable"
STANDING = "/leaderboards/global/players/p2"


def canned_standing(name: str) -> dict:
    """The backend's answer for player p2, ranked second of three."""
    around = [make_entry(1, "Above"), make_entry(2, name), make_entry(3, "Below")]
    return {
        "player_id": "p2",
        "name": name,
        "score": 9_998,
        "rank": 2,
        "percentile": 66.7,
        "total": 3,
        "around": around,
    }


def names_in_order(page: str, names: list[str]) -> list[str]:
    """The given names in the order they appear on the page."""
    return sorted(names, key=lambda name: page.index(html.escape(name)))


def test_the_player_page_shows_rank_score_percentile_and_neighbours(
    backend_server, frontend, top_scores
):
    names = ["Neighbour Above", "Middle Player", "Neighbour Below"]
    scores = top_scores(3)
    ids = seed_players(backend_server, names, scores)

    response = frontend.get(f"/players/{ids[1]}/")

    assert response.status_code == 200
    page = response.content.decode()
    standing = requests.get(
        f"{backend_server.url}/api/v1/leaderboards/global/players/{ids[1]}",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=5,
    ).json()
    assert f"#{standing['rank']:,}" in page
    assert f"{scores[1]:,}" in page
    # Every score here is distinct: the others below are total - rank, of total - 1 others.
    others = standing["total"] - 1
    share = math.floor(1000 * (standing["total"] - standing["rank"]) / others) / 10
    assert f"better than {share:g}% of the other players" in page
    neighbours = page.split('class="board-table', 1)[1]
    assert names_in_order(neighbours.split("<tbody>", 1)[1], names) == names
    assert 'aria-current="true"' in page


def test_an_unknown_player_gets_a_friendly_404_page(frontend):
    response = frontend.get("/players/nobody-by-this-id/")

    assert response.status_code == 404
    assert "We couldn’t find that player" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_an_unknown_player_is_believed_gone_for_a_while_then_asked_about_again(
    backend_server, frontend, frontend_settings, top_scores
):
    frontend_settings.FRONTEND_NOT_FOUND_SECONDS = 1.0
    player_id = new_player_id()
    assert frontend.get(f"/players/{player_id}/").status_code == 404

    submit_score(backend_server, player_id=player_id, score=top_scores(1)[0], name="Newcomer")

    assert frontend.get(f"/players/{player_id}/").status_code == 404  # the 404 believed
    time.sleep(frontend_settings.FRONTEND_NOT_FOUND_SECONDS)
    assert frontend.get(f"/players/{player_id}/").status_code == 200


def test_with_nothing_cached_and_every_backend_call_taken_a_player_gets_a_503_at_once(
    frontend, frontend_settings
):
    frontend_settings.FRONTEND_BACKEND_CONCURRENCY = 1

    with instance_locks.backend_slot(within=0):  # as a call in flight from another worker
        started = time.monotonic()
        response = frontend.get("/players/someone/")
        took = time.monotonic() - started

    assert response.status_code == 503
    assert response["Retry-After"]
    assert took < 1.0, f"the page took {took:.2f}s"


def test_a_request_id_follows_the_call_into_the_backends_log(backend_server, frontend):
    response = frontend.get("/players/nobody-traced/", headers={"X-Request-ID": "trace-me-42"})

    assert response["X-Request-ID"] == "trace-me-42"
    # The backend writes its request lines in batches, at most half a second late.
    eventually(lambda: "rid=trace-me-42" in backend_server.log(), what="request id in backend log")


def test_when_the_backend_goes_away_the_last_standing_stays_with_a_stale_notice(
    backend_server, frontend, frontend_settings, closed_port_url, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    (player_id,) = seed_players(backend_server, ["Steady Eddie"], top_scores(1))
    assert frontend.get(f"/players/{player_id}/")["X-Data-Stale"] == "false"

    frontend_settings.BACKEND_URL = closed_port_url
    player = frontend.get(f"/players/{player_id}/")

    assert player.status_code == 200
    assert player["X-Data-Stale"] == "true"
    assert STALE_NOTICE in player.content.decode()
    assert "Steady Eddie" in player.content.decode()


def test_with_nothing_cached_a_backend_that_never_answers_gives_a_503_within_the_timeouts(
    get_from_a_hanging_backend,
):
    response, took = get_from_a_hanging_backend("/players/someone/")

    assert response.status_code == 503
    assert took < WITHIN_THE_TIMEOUTS, f"/players/someone/ took {took:.2f}s"


def test_a_backend_answering_garbage_gives_a_friendly_503_never_a_500(
    frontend_settings, garbage_backend, client
):
    frontend_settings.BACKEND_URL = garbage_backend

    response = client.get("/players/someone/")

    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()


# The backend answers a player it does not show (no score on the board, or hidden or banned by
# a moderator) with player_not_found; a board or period it does not have with not_found.
@pytest.mark.parametrize("code", ["player_not_found", "not_found"])
def test_a_player_the_backend_stops_showing_gets_the_404_never_their_last_standing(
    canned_backend, frontend_settings, closed_port_url, client, code
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    frontend_settings.FRONTEND_NOT_FOUND_SECONDS = 0  # and the 404 is not believed for long
    canned_backend.answer(STANDING, canned_standing("Sly Cheater"))
    assert "Sly Cheater" in client.get("/players/p2/").content.decode()

    canned_backend.answer(STANDING, {"error": {"code": code, "message": "No."}}, status=404)
    gone = client.get("/players/p2/")
    frontend_settings.BACKEND_URL = closed_port_url
    away = client.get("/players/p2/")

    assert gone.status_code == 404
    assert "We couldn’t find that player" in gone.content.decode()
    assert "Sly Cheater" not in gone.content.decode()
    # The last good copy went with the 404: an outage right after has nothing to show.
    assert away.status_code == 503
    assert "Sly Cheater" not in away.content.decode()


def test_a_404_that_is_not_the_backends_answer_keeps_the_last_standing_with_a_stale_notice(
    canned_backend, frontend_settings, client
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0
    canned_backend.answer(STANDING, canned_standing("Steady Eddie"))
    assert client.get("/players/p2/")["X-Data-Stale"] == "false"

    # A proxy's 404 page in front of a backend that is away, not the backend saying "no one".
    canned_backend.answer(STANDING, b"<html>404 Not Found</html>", status=404)
    player = client.get("/players/p2/")

    assert player.status_code == 200
    assert player["X-Data-Stale"] == "true"
    assert "Steady Eddie" in player.content.decode()


@pytest.mark.parametrize(
    ("rank", "percentile", "total", "value", "note"),
    [
        (1, 85.7, 7, "100%", "better than 100% of the other players"),
        (7, 0.0, 7, "0%", "better than 0% of the other players"),
        (2, 66.7, 3, "50%", "better than 50% of the other players"),
        (1, 50.0, 2, "100%", "better than 100% of the other player"),
        (1, 0.0, 1, "—", "no other player to compare with"),
    ],
)
def test_the_percentile_counts_the_other_players(
    canned_backend, client, rank, percentile, total, value, note
):
    standing = canned_standing("Someone") | {"rank": rank, "percentile": percentile}
    canned_backend.answer(STANDING, standing | {"total": total})

    page = client.get("/players/p2/").content.decode()

    stat = page.split("<dt>Percentile</dt>", 1)[1].split("</dd>", 1)[0]
    assert f'<span class="stat-value">{value}</span> <span class="stat-note">{note}</span>' in stat
    assert "of players" not in page
