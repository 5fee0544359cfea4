"""GET /players/<id>/part/ in process: what changes on a player's page, for the page to poll;
and the pages naming the part they poll and how often."""

import re

import pytest

from frontend_site.board.views import LIVE_POLL_SECONDS
from tests.frontend.fixtures.served_sites import seed_players

pytestmark = pytest.mark.sqlite_only("what the frontend renders, not the engine")

STALE_NOTICE = "live scores are temporarily unavailable"


def live_attributes(page: str) -> tuple[str, float]:
    """The part a page polls and its interval, as static/board/refresh.js reads them."""
    found = re.search(r'data-live-url="([^"]+)" data-live-seconds="([0-9.]+)"', page)
    assert found, "the page names no part to poll"
    return found.group(1).replace("&amp;", "&"), float(found.group(2))


def test_the_part_has_the_standing_and_neighbours_without_the_page_around_them(
    backend_server, frontend, top_scores
):
    names = ["Part Above", "Part Middle", "Part Below"]
    scores = top_scores(3)
    ids = seed_players(backend_server, names, scores)

    response = frontend.get(f"/players/{ids[1]}/part/")

    assert response.status_code == 200
    part = response.content.decode()
    assert "<html" not in part and "<h1" not in part
    assert f"{scores[1]:,}" in part
    assert all(name in part for name in names)
    assert 'aria-current="true"' in part
    assert response["X-Data-Stale"] == "false"


def test_the_player_page_polls_its_own_part_with_the_same_board_and_period(
    backend_server, frontend, top_scores
):
    (player_id,) = seed_players(backend_server, ["Part Poller"], top_scores(1))

    page = frontend.get(f"/players/{player_id}/?board=global").content.decode()

    assert live_attributes(page) == (f"/players/{player_id}/part/", LIVE_POLL_SECONDS)
    assert 'role="status" aria-live="polite" data-refresh-status' in page
    weekly = frontend.get(f"/players/{player_id}/?board=global-weekly").content.decode()
    assert live_attributes(weekly)[0] == f"/players/{player_id}/part/?board=global-weekly"


def test_the_board_page_polls_its_table_with_the_same_query(backend_server, frontend, top_scores):
    seed_players(backend_server, ["Table Poller"], top_scores(1))

    page = frontend.get("/?board=global-weekly").content.decode()

    assert live_attributes(page) == ("/table/?board=global-weekly", LIVE_POLL_SECONDS)


def test_an_unknown_players_part_is_the_friendly_404_page(frontend):
    response = frontend.get("/players/nobody-part-of-this/part/")

    assert response.status_code == 404
    assert "We couldn’t find that player" in response.content.decode()


def test_when_the_backend_goes_away_the_part_keeps_the_last_standing_marked_stale(
    backend_server, frontend, frontend_settings, closed_port_url, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every poll asks the backend
    (player_id,) = seed_players(backend_server, ["Part Steady"], top_scores(1))
    assert frontend.get(f"/players/{player_id}/part/")["X-Data-Stale"] == "false"

    frontend_settings.BACKEND_URL = closed_port_url
    part = frontend.get(f"/players/{player_id}/part/")

    assert part.status_code == 200
    assert part["X-Data-Stale"] == "true"
    assert STALE_NOTICE in part.content.decode()
    assert "Part Steady" in part.content.decode()
