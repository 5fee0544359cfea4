"""The public pages end to end: real backend and frontend under gunicorn, real Redis."""

import html
import json
import re

import requests

from tests.frontend.conftest import eventually, seed_players, submit_score


def get(site, path: str, **kwargs) -> requests.Response:
    return requests.get(f"{site.url}{path}", timeout=10, **kwargs)


def page_showing(site, path: str, text: str) -> str:
    """The page at ``path`` once it shows ``text`` (the fresh cache lasts about a second)."""

    def body():
        page = get(site, path).text
        return page if text in page else None

    return eventually(body, what=f"{text!r} on {path}")


def names_in_order(page: str, names: list[str]) -> list[str]:
    """The given names in the order they appear on the page."""
    return sorted(names, key=lambda name: page.index(html.escape(name)))


def test_the_leaderboard_lists_seeded_players_in_rank_order(
    backend_server, frontend_server, top_scores
):
    names = ["Carol Ranked-1st", "Alice Ranked-2nd", "Bob Ranked-3rd"]
    seed_players(backend_server, names, top_scores(3))

    page = page_showing(frontend_server, "/", names[2])

    assert names_in_order(page, names) == names
    assert "Gaming Leaderboard" in page
    assert "Refresh Scores" in page
    # Without JavaScript the button submits a plain GET form back to this page.
    assert re.search(r'<form class="refresh" method="get" action="/"', page)
    assert re.search(r"Scores as of <time datetime=\"[^\"]+\"", page)


def test_a_submitted_score_shows_on_the_page_and_in_data_json_after_the_cache_time(
    backend_server, frontend_server, top_scores
):
    high, low = top_scores(2)
    (player_id,) = seed_players(backend_server, ["Climber McRise"], [low])
    page_showing(frontend_server, "/", "Climber McRise")

    submit_score(backend_server, player_id=player_id, score=high)

    def data_json_score():
        rows = get(frontend_server, "/data.json").json()
        return next((row["score"] for row in rows if row["name"] == "Climber McRise"), None)

    eventually(lambda: data_json_score() == high, what="new score in /data.json")
    page_showing(frontend_server, "/", f"{high:,}")


def test_data_json_keeps_the_samples_shape(backend_server, frontend_server, top_scores):
    seed_players(backend_server, ["Shape Keeper"], top_scores(1))

    rows = eventually(
        lambda: (
            (r := get(frontend_server, "/data.json").json())
            and any(row["name"] == "Shape Keeper" for row in r)
            and r
        ),
        what="player in /data.json",
    )

    assert all(set(row) == {"id", "name", "score"} for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert rows[0]["name"] == "Shape Keeper" and rows[0]["id"] == 1


def test_data_json_is_valid_json_for_names_with_quotes_apostrophes_and_emoji(
    backend_server, frontend_server, top_scores
):
    names = ['Dan "The Man"', "O'Brien's Ghost", "Zoë 🎮🔥", "back\\slash </script>"]
    seed_players(backend_server, names, top_scores(len(names)))

    def fetched():
        response = get(frontend_server, "/data.json")
        found = [row["name"] for row in json.loads(response.content)]
        return response if all(name in found for name in names) else None

    response = eventually(fetched, what="hostile names in /data.json")

    assert response.headers["Content-Type"] == "application/json"
    assert [row["name"] for row in response.json()[: len(names)]] == names


def test_a_script_name_shows_as_text_and_never_runs(backend_server, frontend_server, top_scores):
    hostile = "<script>alert(1)</script>"
    (player_id,) = seed_players(backend_server, [hostile], top_scores(1))

    page = page_showing(frontend_server, "/", "&lt;script&gt;alert(1)&lt;/script&gt;")
    player_page = get(frontend_server, f"/players/{player_id}/").text

    for text in (page, player_page):
        assert hostile not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_player_page_shows_rank_score_percentile_and_neighbours(
    backend_server, frontend_server, top_scores
):
    names = ["Neighbour Above", "Middle Player", "Neighbour Below"]
    scores = top_scores(3)
    ids = seed_players(backend_server, names, scores)

    response = get(frontend_server, f"/players/{ids[1]}/")

    assert response.status_code == 200
    page = response.text
    standing = requests.get(
        f"{backend_server.url}/api/v1/leaderboards/global/players/{ids[1]}",
        headers={"Authorization": "Bearer test-service-token"},
        timeout=5,
    ).json()
    assert f"#{standing['rank']:,}" in page
    assert f"{scores[1]:,}" in page
    percentile = f"{standing['percentile']:g}"
    assert f"better than {percentile}% of players" in page
    assert names_in_order(page.split("<tbody>", 1)[1], names) == names
    assert 'aria-current="true"' in page


def test_an_unknown_player_gets_a_friendly_404_page(frontend_server):
    response = get(frontend_server, "/players/nobody-by-this-id/")

    assert response.status_code == 404
    assert "We couldn’t find that player" in response.text
    assert "Traceback" not in response.text


def test_an_unknown_page_or_board_gets_a_friendly_404_page(frontend_server):
    for path in ("/no/such/page", "/?board=no-such-board", "/?board=<bad>"):
        response = get(frontend_server, path)

        assert response.status_code == 404, path
        assert "We couldn’t find that" in response.text


def test_a_page_past_the_end_says_so_and_links_back_to_the_top(frontend_server):
    response = get(frontend_server, "/?page=9999999")

    assert response.status_code == 200
    assert "This page is past the end of the board." in response.text
    assert 'rel="prev"' in response.text


def test_pages_send_a_content_security_policy_and_fresh_data_is_not_marked_stale(
    frontend_server,
):
    response = get(frontend_server, "/")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Data-Stale"] == "false"
    assert "temporarily unavailable" not in response.text


def test_static_assets_are_served_hashed_and_compressed(frontend_server):
    page = get(frontend_server, "/").text
    stylesheet = re.search(r'href="(/static/board/leaderboard\.[0-9a-f]{12}\.css)"', page)

    assert stylesheet, "the page links a hashed stylesheet"
    response = get(frontend_server, stylesheet[1], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "http" not in re.sub(r"xmlns=\"http[^\"]+\"", "", page.split("<body", 1)[0])


def test_the_health_check_answers_whatever_the_host_header(frontend_server):
    response = get(frontend_server, "/healthz", headers={"Host": "checker.internal"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_request_id_follows_the_call_into_the_backends_log(backend_server, frontend_server):
    response = get(
        frontend_server, "/players/nobody-traced/", headers={"X-Request-ID": "trace-me-42"}
    )

    assert response.headers["X-Request-ID"] == "trace-me-42"
    eventually(lambda: "rid=trace-me-42" in backend_server.log(), what="request id in backend log")


def test_a_repeated_view_is_the_same_page_with_its_own_request_id(frontend_server):
    first = get(frontend_server, "/data.json", headers={"X-Request-ID": "first-view"})
    second = get(frontend_server, "/data.json", headers={"X-Request-ID": "second-view"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert [first.headers["X-Request-ID"], second.headers["X-Request-ID"]] == [
        "first-view",
        "second-view",
    ]
    assert second.headers["Content-Type"] == "application/json"
    assert second.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
