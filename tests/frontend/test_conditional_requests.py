"""ETags, 304s and Cache-Control of the pages and /data.json, in process over the served
backend (tests/frontend/test_public_answers.py follows them through gunicorn)."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from frontend_site.board import etags
from frontend_site.board.backend_client import Period
from tests.frontend.fixtures.served_sites import seed_players, submit_score

FRESH_CACHE_CONTROL = "public, max-age=1, stale-while-revalidate=2, stale-if-error=300"
PAGES = ["/", "/table/", "/players/{player_id}/", "/data.json"]


def test_an_etag_follows_the_data_and_its_staleness_and_nothing_else():
    def week(name: str, day: int) -> Period:
        start = datetime(2026, 11, day, tzinfo=UTC)
        return Period(name, start, start + timedelta(days=7))

    page, same, later = week("2026-W49", 30), week("2026-W49", 30), week("2026-W50", 23)

    tag = etags.etag_of(("/", ((page, False),)))

    assert tag == etags.etag_of(("/", ((same, False),)))  # equal data, another object
    assert tag != etags.etag_of(("/", ((later, False),)))
    assert tag != etags.etag_of(("/", ((page, True),)))  # the stale copy shows a notice
    assert tag != etags.etag_of(("/table/", ((page, False),)))
    assert tag.startswith('W/"') and tag.endswith('"')


@pytest.fixture
def leader(backend_server, top_scores) -> tuple[str, int]:
    """A player at the top of the global board: (id, the next score that would move them)."""
    higher, score = top_scores(2)
    (player_id,) = seed_players(backend_server, ["Tag Holder"], [score])
    return player_id, higher


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_data_json_send_a_weak_etag_and_public_caching(frontend, leader, path):
    response = frontend.get(path.format(player_id=leader[0]))

    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"] == FRESH_CACHE_CONTROL
    assert "Accept-Encoding" in response["Vary"]


@pytest.mark.parametrize("path", PAGES)
def test_the_etag_outlives_a_refetch_of_unchanged_scores_and_changes_with_a_new_one(
    backend_server, frontend, frontend_settings, leader, path
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0.1
    player_id, higher = leader
    path = path.format(player_id=player_id)
    first = frontend.get(path)

    time.sleep(0.15)  # the snapshot is fetched again: a new "Scores as of", the same scores
    again = frontend.get(path)
    submit_score(backend_server, player_id=player_id, score=higher)
    time.sleep(0.15)
    moved = frontend.get(path)

    assert again["ETag"] == first["ETag"]
    assert moved["ETag"] != first["ETag"]
    assert str(higher) in moved.content.decode().replace(",", "")


@pytest.mark.parametrize("cache_seconds", [5.0, 0.0], ids=["from-the-page-cache", "from-a-view"])
def test_if_none_match_gets_a_304_without_a_body_and_with_the_caching_headers(
    frontend, frontend_settings, leader, cache_seconds
):
    frontend_settings.FRONTEND_CACHE_SECONDS = cache_seconds
    full = frontend.get("/table/")

    again = frontend.get("/table/", HTTP_IF_NONE_MATCH=f'"other", {full["ETag"]}')
    other = frontend.get("/table/", HTTP_IF_NONE_MATCH='W/"not-this-one"')

    assert (again.status_code, again.content) == (304, b"")
    for header in ("ETag", "Cache-Control", "Vary", "X-Data-Stale"):
        assert again[header] == full[header]
    assert "Content-Type" not in again
    assert (other.status_code, other["ETag"]) == (200, full["ETag"]) and other.content


def test_a_stale_copy_says_how_old_it_is_and_is_revalidated_before_reuse(
    frontend, frontend_settings, closed_port_url, leader
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    fresh = frontend.get("/data.json")
    time.sleep(1.0)  # Age counts whole seconds

    frontend_settings.BACKEND_URL = closed_port_url
    stale = frontend.get("/data.json")
    revalidated = frontend.get("/data.json", HTTP_IF_NONE_MATCH=stale["ETag"])

    assert (stale.status_code, stale["X-Data-Stale"]) == (200, "true")
    assert stale["Warning"] == '110 - "Response is Stale"'
    assert int(stale["Age"]) >= 1
    assert stale["Cache-Control"] == "no-cache"
    assert stale["ETag"] != fresh["ETag"]  # the stale notice is part of what it shows
    assert (revalidated.status_code, revalidated.content) == (304, b"")


def test_error_pages_are_not_stored_but_a_404_is_believed_briefly(frontend, frontend_settings):
    frontend_settings.FRONTEND_NOT_FOUND_SECONDS = 10.0

    missing = frontend.get("/?board=no-such-board")
    refused = frontend.options("/")

    assert (missing.status_code, missing["Cache-Control"]) == (404, "public, max-age=10")
    assert "ETag" not in missing
    assert refused.status_code == 405
