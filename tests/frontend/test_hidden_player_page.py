"""A player a moderator hides or bans leaves the public site once its short cache has passed,
through the real sites under gunicorn: their page answers the friendly 404, never the last
good copy of their standing, and the board no longer lists them; lifting the sanction brings
them back."""

import time

import pytest
import requests

from tests.frontend.fixtures.served_sites import get, seed_players

# The served frontend's cache times, set in its environment so the test knows what to wait.
CACHE_SECONDS = 1.0
NOT_FOUND_SECONDS = 1.0
# Two workers, and enough views that each of them answers some.
WORKERS = 2
VISITS = 10
PLAYER_404 = "We couldn’t find that player"


@pytest.fixture
def moderated(make_backend, make_frontend):
    """A backend of the test's own with a `moderate` key, and a frontend over it with the
    cache times above: (backend, frontend, the key's secret)."""
    backend = make_backend()
    made = backend.manage("api_keys", "create", "moderator", "--scopes", "moderate")
    assert made.returncode == 0, made.stderr
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY=str(WORKERS),
        FRONTEND_CACHE_SECONDS=str(CACHE_SECONDS),
        FRONTEND_NOT_FOUND_SECONDS=str(NOT_FOUND_SECONDS),
    )
    return backend, frontend, made.stdout.strip()


def sanction(backend, secret: str, player_id: str, action: str) -> int:
    """Hide or ban the player through the backend's API, as a moderator would; its id."""
    response = requests.post(
        f"{backend.url}/api/v1/players/{player_id}/sanctions",
        json={"action": action, "reason": "cheating", "until": None},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def lift(backend, secret: str, player_id: str, sanction_id: int) -> None:
    response = requests.delete(
        f"{backend.url}/api/v1/players/{player_id}/sanctions/{sanction_id}",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=5,
    )
    assert response.status_code == 204, response.text


def shown_everywhere(frontend, player_id: str, name: str) -> None:
    """Every view of the player page, the board and /data.json shows the player, fresh."""
    for _ in range(VISITS):
        page = get(frontend, f"/players/{player_id}/")
        assert page.status_code == 200, page.status_code
        assert page.headers["X-Data-Stale"] == "false"
        assert name in page.text
    assert name in get(frontend, "/").text
    assert name in [row["name"] for row in get(frontend, "/data.json").json()]


@pytest.mark.parametrize("action", ["hide", "ban"])
def test_a_sanctioned_player_leaves_the_public_site_after_the_cache_and_a_lift_brings_them_back(
    moderated, top_scores, action
):
    backend, frontend, secret = moderated
    player_id, _ = seed_players(backend, ["Sly Cheater", "Honest Abe"], top_scores(2))
    shown_everywhere(frontend, player_id, "Sly Cheater")

    sanction_id = sanction(backend, secret, player_id, action)
    time.sleep(CACHE_SECONDS + 0.1)

    for _ in range(VISITS):
        page = get(frontend, f"/players/{player_id}/")
        assert page.status_code == 404, (page.status_code, page.headers.get("X-Data-Stale"))
        assert PLAYER_404 in page.text
        assert "Sly Cheater" not in page.text
    board = get(frontend, "/")
    assert board.status_code == 200
    assert "Sly Cheater" not in board.text
    assert "Honest Abe" in board.text
    assert "Sly Cheater" not in [row["name"] for row in get(frontend, "/data.json").json()]

    lift(backend, secret, player_id, sanction_id)
    time.sleep(max(CACHE_SECONDS, NOT_FOUND_SECONDS) + 0.1)

    shown_everywhere(frontend, player_id, "Sly Cheater")


def test_once_hidden_a_player_is_not_brought_back_as_a_stale_copy_when_the_backend_goes_away(
    moderated, top_scores
):
    backend, frontend, secret = moderated
    hidden_id, steady_id = seed_players(backend, ["Sly Cheater", "Steady Eddie"], top_scores(2))
    shown_everywhere(frontend, hidden_id, "Sly Cheater")
    assert get(frontend, f"/players/{steady_id}/").status_code == 200

    sanction(backend, secret, hidden_id, "hide")
    time.sleep(CACHE_SECONDS + 0.1)
    assert get(frontend, f"/players/{hidden_id}/").status_code == 404
    assert "Sly Cheater" not in get(frontend, "/").text  # the board's last good copy now
    backend.stop()
    time.sleep(max(CACHE_SECONDS, NOT_FOUND_SECONDS) + 0.1)

    # A player still shown keeps their last good copy; the hidden one has none left.
    steady = get(frontend, f"/players/{steady_id}/")
    assert steady.status_code == 200
    assert steady.headers["X-Data-Stale"] == "true"
    for _ in range(VISITS):
        page = get(frontend, f"/players/{hidden_id}/")
        assert page.status_code == 503, page.status_code
        assert "Sly Cheater" not in page.text
    board = get(frontend, "/")
    assert board.headers["X-Data-Stale"] == "true"
    assert "Steady Eddie" in board.text
    assert "Sly Cheater" not in board.text
