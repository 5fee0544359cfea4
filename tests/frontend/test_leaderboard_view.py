"""GET / in process: the board page rendered from the served backend's answer."""

import html
import re
import time

from frontend_site.board import instance_locks
from tests.frontend.fixtures.fake_backends import WITHIN_THE_TIMEOUTS
from tests.frontend.fixtures.served_sites import seed_players, submit_score

STALE_NOTICE = "live scores are temporarily unavailable"


def names_in_order(page: str, names: list[str]) -> list[str]:
    """The given names in the order they appear on the page."""
    return sorted(names, key=lambda name: page.index(html.escape(name)))


def test_the_leaderboard_lists_seeded_players_in_rank_order(backend_server, frontend, top_scores):
    names = ["Carol Ranked-1st", "Alice Ranked-2nd", "Bob Ranked-3rd"]
    seed_players(backend_server, names, top_scores(3))

    page = frontend.get("/").content.decode()

    assert names_in_order(page, names) == names
    assert "Gaming Leaderboard" in page
    assert "Refresh Scores" in page
    # Without JavaScript the button submits a plain GET form back to this page.
    assert re.search(r'<form class="refresh" method="get" action="/"', page)
    assert re.search(r"Scores as of <time datetime=\"[^\"]+\"", page)


def test_a_submitted_score_shows_on_the_page_after_the_cache_time(
    backend_server, frontend, frontend_settings, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0.2
    high, low = top_scores(2)
    (player_id,) = seed_players(backend_server, ["Climber McRise"], [low])
    assert "Climber McRise" in frontend.get("/").content.decode()

    submit_score(backend_server, player_id=player_id, score=high)
    time.sleep(frontend_settings.FRONTEND_CACHE_SECONDS)

    assert f"{high:,}" in frontend.get("/").content.decode()


def test_a_script_name_shows_as_text_and_never_runs(backend_server, frontend, top_scores):
    hostile = "<script>alert(1)</script>"
    (player_id,) = seed_players(backend_server, [hostile], top_scores(1))

    page = frontend.get("/").content.decode()
    player_page = frontend.get(f"/players/{player_id}/").content.decode()

    for text in (page, player_page):
        assert hostile not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_an_unknown_page_or_board_gets_a_friendly_404_page(frontend):
    for path in ("/no/such/page", "/?board=no-such-board", "/?board=<bad>"):
        response = frontend.get(path)

        assert response.status_code == 404, path
        assert "We couldn’t find that" in response.content.decode()


def test_a_page_past_the_end_says_so_and_links_back_to_the_top(frontend):
    response = frontend.get("/?page=9999999")

    assert response.status_code == 200
    assert "This page is past the end of the board." in response.content.decode()
    assert 'rel="prev"' in response.content.decode()


def test_fresh_data_is_not_marked_stale(frontend):
    response = frontend.get("/")

    assert response["X-Data-Stale"] == "false"
    assert "temporarily unavailable" not in response.content.decode()


def test_when_the_backend_goes_away_the_last_rows_stay_on_screen_with_a_stale_notice(
    backend_server, frontend, frontend_settings, closed_port_url, top_scores
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    seed_players(backend_server, ["Steady Eddie", "Runner Up"], top_scores(2))
    assert frontend.get("/")["X-Data-Stale"] == "false"

    frontend_settings.BACKEND_URL = closed_port_url
    page = frontend.get("/")

    assert page.status_code == 200
    assert page["X-Data-Stale"] == "true"
    # Kept by no CDN without asking again; its age and staleness said in standard headers too.
    assert page["Cache-Control"] == "no-cache"
    assert page["Warning"] == '110 - "Response is Stale"'
    assert int(page["Age"]) >= 0
    text = page.content.decode()
    assert STALE_NOTICE in text
    assert text.index("Steady Eddie") < text.index("Runner Up")


def test_once_the_last_good_copy_expires_a_gone_backend_gives_a_friendly_503(
    frontend, frontend_settings, closed_port_url
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0
    frontend_settings.FRONTEND_STALE_SECONDS = 0.3
    assert frontend.get("/").status_code == 200

    frontend_settings.BACKEND_URL = closed_port_url
    time.sleep(frontend_settings.FRONTEND_STALE_SECONDS)
    page = frontend.get("/")

    assert page.status_code == 503
    assert "Live scores are taking a short break" in page.content.decode()
    assert page["Retry-After"]


def test_while_every_backend_call_of_the_instance_is_taken_the_last_rows_show_at_once(
    frontend, frontend_settings
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    frontend_settings.FRONTEND_BACKEND_CONCURRENCY = 1
    assert frontend.get("/")["X-Data-Stale"] == "false"

    with instance_locks.backend_slot(within=0):  # as a call in flight from another worker
        started = time.monotonic()
        page = frontend.get("/")
        took = time.monotonic() - started

    assert (page.status_code, page["X-Data-Stale"]) == (200, "true")
    assert STALE_NOTICE in page.content.decode()
    assert took < 1.0, f"/ took {took:.2f}s"
    assert frontend.get("/")["X-Data-Stale"] == "false"  # nothing remembered: asked again


def test_with_nothing_cached_a_backend_that_never_answers_gives_a_503_within_the_timeouts(
    get_from_a_hanging_backend,
):
    response, took = get_from_a_hanging_backend("/")

    assert response.status_code == 503
    assert took < WITHIN_THE_TIMEOUTS, f"/ took {took:.2f}s"


def test_an_unreachable_backend_with_nothing_cached_gives_a_friendly_503(
    frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url

    response = client.get("/")

    assert response.status_code == 503
    assert "Live scores are taking a short break" in response.content.decode()
    assert response["Retry-After"]


def test_a_backend_answering_garbage_gives_a_friendly_503_never_a_500(
    frontend_settings, garbage_backend, client
):
    frontend_settings.BACKEND_URL = garbage_backend

    for path in ("/", "/?board=broken"):
        response = client.get(path)

        assert response.status_code == 503, path
        assert "Traceback" not in response.content.decode()


def test_a_cache_folder_that_cannot_be_written_costs_the_copies_not_the_page(
    frontend, frontend_settings, closed_port_url, tmp_path
):
    """The shared cache is a help: without it (here a "folder" below a plain file, as a full
    disk or a wrong owner would be) pages are still served, and an outage gives the friendly
    503, never a 500."""
    from frontend_site import settings as frontend_module

    blocker = tmp_path / "a-plain-file"
    blocker.write_text("")
    frontend_settings.FRONTEND_CACHE_DIR = blocker / "cache"
    frontend_settings.CACHES = frontend_module.instance_caches(blocker / "cache")
    frontend_settings.FRONTEND_CACHE_SECONDS = 0

    assert (frontend.get("/").status_code, frontend.get("/data.json").status_code) == (200, 200)

    frontend_settings.BACKEND_URL = closed_port_url
    page = frontend.get("/")
    assert page.status_code == 503
    assert "Live scores are taking a short break" in page.content.decode()
