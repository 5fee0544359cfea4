"""The JSON API as a caller sees it: every endpoint, every error, never a 500 page."""

from __future__ import annotations

import json

import pytest
import requests
from django.test import Client

from backend_site.rankings.models import Leaderboard, Player
from tests.backend.conftest import make_board, make_score, make_scores
from tests.fixtures.sites import SERVICE_TOKEN

SCORES = "/api/v1/leaderboards/global/scores"


def body(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def assert_error(response, status: int, code: str | None = None) -> str:
    """The one error shape, {"error": {"code", "message"}}; returns the message."""
    assert response.status_code == status, response.content
    data = body(response)
    assert set(data) == {"error"}
    assert set(data["error"]) == {"code", "message"}
    assert isinstance(data["error"]["code"], str) and data["error"]["message"]
    if code is not None:
        assert data["error"]["code"] == code
    return data["error"]["message"]


def post(api: Client, path: str, payload) -> object:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return api.post(path, raw, content_type="application/json")


# --- /getdata --------------------------------------------------------------------------


def test_getdata_is_a_real_json_array_of_the_global_board_best_first(api, global_board):
    make_scores(global_board, {"1": 10, "2": 30, "3": 20, "4": 30})
    names = {"1": "O'Brien", "2": 'Say "hi"', "3": "Zoë 🎮", "4": "Back\\slash"}
    for player_id, name in names.items():
        make_score(global_board, player_id, 0, name=name)
    response = api.get("/getdata")
    assert response.status_code == 200
    assert body(response) == [
        {"id": 1, "name": 'Say "hi"', "score": 30},
        {"id": 1, "name": "Back\\slash", "score": 30},
        {"id": 3, "name": "Zoë 🎮", "score": 20},
        {"id": 4, "name": "O'Brien", "score": 10},
    ]


def test_getdata_gives_100_players_by_default_and_at_most_1000(api, global_board):
    make_scores(global_board, {f"p{i}": i for i in range(105)})
    assert len(body(api.get("/getdata"))) == 100
    assert len(body(api.get("/getdata?limit=3"))) == 3
    assert len(body(api.get("/getdata?limit=1000"))) == 105
    assert assert_error(api.get("/getdata?limit=1001"), 400, "invalid").startswith("limit:")
    assert assert_error(api.get("/getdata?limit=0"), 400).startswith("limit:")
    assert assert_error(api.get("/getdata?limit=ten"), 400).startswith("limit:")


def test_getdata_on_an_empty_board_is_an_empty_array(api, global_board):
    assert body(api.get("/getdata")) == []


# --- /api/v1/leaderboards --------------------------------------------------------------


def test_the_board_list_describes_every_board_with_its_player_count(api, global_board):
    speed = make_board("speed-run", order="asc", operator="best", title="Speed run")
    make_scores(global_board, {"a": 1, "b": 2})
    make_score(speed, "a", 90)
    response = api.get("/api/v1/leaderboards")
    assert response.status_code == 200
    assert body(response) == {
        "leaderboards": [
            {
                "slug": "global",
                "title": "Global",
                "order": "desc",
                "operator": "best",
                "players": 2,
                "reset": "never",
                "timezone": "UTC",
                "min_score": None,
                "max_score": None,
                "max_increment": None,
                "max_submissions_per_minute": None,
                "source": None,
                "subscores": [],
                "period": None,
            },
            {
                "slug": "speed-run",
                "title": "Speed run",
                "order": "asc",
                "operator": "best",
                "players": 1,
                "reset": "never",
                "timezone": "UTC",
                "min_score": None,
                "max_score": None,
                "max_increment": None,
                "max_submissions_per_minute": None,
                "source": None,
                "subscores": [],
                "period": None,
            },
        ]
    }


def without_movement(entry: dict) -> dict:
    """An entry without its rank_change (tests/backend/reads/test_rank_change.py checks those)."""
    assert "rank_change" in entry
    return {key: value for key, value in entry.items() if key != "rank_change"}


# --- entries -----------------------------------------------------------------------------


def test_entries_page_through_the_board_with_ranks_and_names(api, global_board):
    make_scores(global_board, {f"p{i}": 100 - i // 2 for i in range(15)})
    first = body(api.get("/api/v1/leaderboards/global/entries"))
    assert (first["leaderboard"], first["total"], first["offset"], first["limit"]) == (
        "global",
        15,
        0,
        10,
    )
    assert [without_movement(e) for e in first["entries"][:3]] == [
        {"rank": 1, "player_id": "p0", "name": "Player p0", "score": 100},
        {"rank": 1, "player_id": "p1", "name": "Player p1", "score": 100},
        {"rank": 3, "player_id": "p2", "name": "Player p2", "score": 99},
    ]
    second = body(api.get("/api/v1/leaderboards/global/entries?offset=11&limit=3"))
    assert [(e["rank"], e["player_id"]) for e in second["entries"]] == [
        (11, "p11"),
        (13, "p12"),
        (13, "p13"),
    ]


def test_an_offset_past_the_end_gives_an_empty_list_not_an_error(api, global_board):
    make_scores(global_board, {"a": 1})
    data = body(api.get("/api/v1/leaderboards/global/entries?offset=5&limit=100"))
    assert (data["total"], data["offset"], data["limit"], data["entries"]) == (1, 5, 100, [])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=1.5", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("offset=9007199254740992", "offset"),
    ],
)
def test_entries_refuse_an_offset_or_limit_out_of_bounds(api, global_board, query, field):
    response = api.get(f"/api/v1/leaderboards/global/entries?{query}")
    assert assert_error(response, 400, "invalid").startswith(f"{field}:")


def test_an_unknown_board_is_a_json_404(api, global_board):
    assert "nope" in assert_error(api.get("/api/v1/leaderboards/nope/entries"), 404, "not_found")
    assert "nope" in assert_error(api.get("/api/v1/leaderboards/nope/players/a"), 404)
    assert "nope" in assert_error(
        post(api, "/api/v1/leaderboards/nope/scores", {"player_id": "a", "score": 1, "name": "A"}),
        404,
    )
    assert not Player.objects.filter(player_id="a").exists()


# --- players/<id> --------------------------------------------------------------------------


def test_a_players_standing_has_rank_percentile_and_neighbours(api, global_board):
    make_scores(global_board, {"a": 50, "b": 40, "c": 40, "d": 30, "e": 20, "f": 10})
    data = body(api.get("/api/v1/leaderboards/global/players/c?around=1"))
    assert {k: data[k] for k in ("player_id", "name", "score", "rank", "percentile")} == {
        "player_id": "c",
        "name": "Player c",
        "score": 40,
        "rank": 2,
        "percentile": 50.0,
    }
    assert [without_movement(e) for e in data["around"]] == [
        {"rank": 2, "player_id": "b", "name": "Player b", "score": 40},
        {"rank": 2, "player_id": "c", "name": "Player c", "score": 40},
        {"rank": 4, "player_id": "d", "name": "Player d", "score": 30},
    ]
    assert body(api.get("/api/v1/leaderboards/global/players/d"))["percentile"] == 33.3
    assert body(api.get("/api/v1/leaderboards/global/players/a"))["percentile"] == 83.3


def around_ids(api, player_id: str, around: int | None = None) -> list[str]:
    query = "" if around is None else f"?around={around}"
    data = body(api.get(f"/api/v1/leaderboards/global/players/{player_id}{query}"))
    return [entry["player_id"] for entry in data["around"]]


def test_the_window_shifts_at_the_edges_so_it_stays_full(api, global_board):
    make_scores(global_board, {f"p{i}": 100 - i for i in range(8)})
    assert around_ids(api, "p0") == ["p0", "p1", "p2", "p3", "p4"]  # around=2 by default
    assert around_ids(api, "p7") == ["p3", "p4", "p5", "p6", "p7"]
    assert around_ids(api, "p6", 1) == ["p5", "p6", "p7"]
    assert around_ids(api, "p3", 0) == ["p3"]
    assert around_ids(api, "p3", 25) == [f"p{i}" for i in range(8)]


@pytest.mark.parametrize("around", ["-1", "26", "two"])
def test_around_must_be_between_0_and_25(api, global_board, around):
    make_score(global_board, "a", 1)
    response = api.get(f"/api/v1/leaderboards/global/players/a?around={around}")
    assert assert_error(response, 400).startswith("around:")


def test_a_player_without_a_score_there_is_a_json_404(api, global_board):
    make_score(make_board("other"), "a", 1)
    assert "'a'" in assert_error(api.get("/api/v1/leaderboards/global/players/a"), 404)
    assert assert_error(api.get("/api/v1/leaderboards/global/players/ghost"), 404)


def test_a_malformed_player_id_in_the_path_is_a_400(api, global_board):
    response = api.get("/api/v1/leaderboards/global/players/" + "x" * 65)
    assert assert_error(response, 400).startswith("player_id:")
    assert assert_error(api.get("/api/v1/leaderboards/global/players/a%20b"), 400)


# --- POST scores -------------------------------------------------------------------------


def test_posting_a_score_creates_the_player_and_answers_the_new_standing(api, global_board):
    response = post(api, SCORES, {"player_id": "24323", "score": 1500, "name": "Alice"})
    assert response.status_code == 200
    assert body(response) == {
        "player_id": "24323",
        "score": 1500,
        "rank": 1,
        "previous_rank": None,
        "updated": True,
        "also": [],
    }
    assert Player.objects.get(player_id="24323").name == "Alice"
    second = post(api, SCORES, {"player_id": "94566", "score": 2000, "name": "Bob"})
    assert body(second)["rank"] == 1
    assert body(api.get("/getdata")) == [
        {"id": 1, "name": "Bob", "score": 2000},
        {"id": 2, "name": "Alice", "score": 1500},
    ]


def test_a_score_that_does_not_beat_the_best_is_not_an_update(api, global_board):
    post(api, SCORES, {"player_id": "a", "score": 10, "name": "A"})
    worse = body(post(api, SCORES, {"player_id": "a", "score": 5}))
    assert worse == {
        "player_id": "a",
        "score": 10,
        "rank": 1,
        "previous_rank": 1,
        "updated": False,
        "also": [],
    }
    better = body(post(api, SCORES, {"player_id": "a", "score": 11}))
    assert better == {
        "player_id": "a",
        "score": 11,
        "rank": 1,
        "previous_rank": 1,
        "updated": True,
        "also": [],
    }


def test_a_name_sent_with_a_score_renames_the_player(api, global_board):
    post(api, SCORES, {"player_id": "a", "score": 10, "name": "Old"})
    post(api, SCORES, {"player_id": "a", "score": 1, "name": '  D\'Arcy "Zoë" 🎮 '})
    assert body(api.get("/getdata"))[0]["name"] == 'D\'Arcy "Zoë" 🎮'


def test_a_new_player_without_a_name_is_refused(api, global_board):
    response = post(api, SCORES, {"player_id": "new", "score": 10})
    assert assert_error(response, 400, "invalid").startswith("name:")
    assert not Player.objects.filter(player_id="new").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": 1, "name": "A"}, "player_id"),
        ({"player_id": "a", "name": "A"}, "score"),
        ({"player_id": "a", "score": 1, "name": "A", "level": 3}, "level"),
        ({"player_id": 7, "score": 1, "name": "A"}, "player_id"),
        ({"player_id": "a b", "score": 1, "name": "A"}, "player_id"),
        ({"player_id": "a", "score": True, "name": "A"}, "score"),
        ({"player_id": "a", "score": 1.5, "name": "A"}, "score"),
        ({"player_id": "a", "score": 2.0, "name": "A"}, "score"),
        ({"player_id": "a", "score": "10", "name": "A"}, "score"),
        ({"player_id": "a", "score": None, "name": "A"}, "score"),
        ({"player_id": "a", "score": 2**53, "name": "A"}, "score"),
        ({"player_id": "a", "score": -(2**53), "name": "A"}, "score"),
        ({"player_id": "a", "score": 10**400, "name": "A"}, "score"),
        ({"player_id": "a", "score": 1, "name": ""}, "name"),
        ({"player_id": "a", "score": 1, "name": "x" * 65}, "name"),
        ({"player_id": "a", "score": 1, "name": ["A"]}, "name"),
    ],
)
def test_a_wrong_missing_or_unknown_field_is_a_400_naming_it(api, global_board, payload, field):
    assert assert_error(post(api, SCORES, payload), 400, "invalid").startswith(f"{field}:")
    assert not Player.objects.exists()


def test_a_score_of_thousands_of_digits_is_a_400_naming_the_score(api, global_board):
    response = post(api, SCORES, b'{"player_id": "a", "score": %s, "name": "A"}' % (b"9" * 5000))
    assert assert_error(response, 400).startswith("score:")


def test_the_largest_scores_are_kept_exactly(api, global_board):
    post(api, SCORES, {"player_id": "a", "score": 2**53 - 1, "name": "A"})
    post(api, SCORES, {"player_id": "b", "score": -(2**53) + 1, "name": "B"})
    assert [e["score"] for e in body(api.get("/getdata"))] == [2**53 - 1, -(2**53) + 1]


@pytest.mark.parametrize("raw", [b"", b"{", b"{'player_id': 'a'}", b"\xff\xfe", b"[" * 50_000])
def test_a_body_that_is_not_json_is_a_400(api, global_board, raw):
    assert "JSON" in assert_error(post(api, SCORES, raw), 400)


@pytest.mark.parametrize("raw", [b"[]", b"[1, 2]", b'"a"', b"3", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_400(api, global_board, raw):
    assert "object" in assert_error(post(api, SCORES, raw), 400)


def test_an_oversized_body_is_refused_with_a_json_4xx(api, global_board):
    padding = "x" * 2_000_000
    response = post(api, SCORES, {"player_id": "a", "score": 1, "name": "A", "pad": padding})
    assert_error(response, 413, "too_large")


def test_posting_needs_no_csrf_token_as_it_is_a_service_api(
    transactional_db, ranking_redis, settings
):
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    strict = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    response = post(strict, SCORES, {"player_id": "a", "score": 1, "name": "A"})
    assert body(response)["updated"] is True
    assert_error(post(strict, "/api/v1/nowhere", {}), 404, "not_found")
    assert_error(post(strict, "/getdata", {}), 405, "method_not_allowed")


# --- health, unknown paths, wrong methods, access ----------------------------------------


def test_health_and_readiness_answer_ok(api, global_board):
    assert body(api.get("/healthz")) == {"status": "ok"}
    ready = api.get("/readyz")
    assert (ready.status_code, body(ready)) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/nope",
        "/getdata/",
        "/api/v1",
        "/api/v1/leaderboards/",
        "/api/v1/leaderboards/global/",
        "/api/v1/leaderboards/global/entries/",
        "/api/v1/leaderboards/not a slug/entries",
        "/api/v1/leaderboards/global/players/",
    ],
)
def test_an_unknown_path_is_a_json_404(api, global_board, path):
    assert_error(api.get(path), 404, "not_found")
    assert_error(api.delete(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("post", "/getdata", "GET, HEAD"),
        ("put", "/api/v1/leaderboards", "GET, HEAD, POST"),
        ("post", "/api/v1/leaderboards/global", "GET, HEAD, PATCH, DELETE"),
        ("delete", "/api/v1/leaderboards/global/entries", "GET, HEAD"),
        ("patch", "/api/v1/leaderboards/global/players/a", "GET, HEAD"),
        ("get", SCORES, "POST"),
        ("put", SCORES, "POST"),
    ],
)
def test_a_wrong_method_is_a_json_405_that_names_the_allowed_ones(
    api, global_board, method, path, allowed
):
    response = getattr(api, method)(path)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allowed


def test_head_answers_like_get_without_a_body(api, global_board):
    make_score(global_board, "a", 1)
    response = api.head("/getdata")
    assert (response.status_code, response.content) == (200, b"")


def test_the_api_wants_the_service_token_when_one_is_configured(api, global_board):
    anonymous = Client()
    assert_error(anonymous.get("/getdata"), 401, "unauthorized")
    assert_error(anonymous.post(SCORES, b"{}", content_type="application/json"), 401)
    wrong = Client(headers={"Authorization": "Bearer not-the-token"})
    assert_error(wrong.get("/api/v1/leaderboards"), 401)
    assert body(anonymous.get("/healthz")) == {"status": "ok"}
    assert api.get("/getdata").status_code == 200


def test_a_request_for_a_host_we_do_not_serve_is_a_json_400(api, global_board):
    assert_error(api.get("/getdata", headers={"Host": "evil.example"}), 400, "bad_request")


def test_a_submission_follows_a_board_changed_since_the_process_last_read_it(api, global_board):
    board = make_board("coins", operator="best")
    scores = "/api/v1/leaderboards/coins/scores"
    post(api, scores, {"player_id": "a", "score": 10, "name": "A"})
    Leaderboard.objects.filter(pk=board.pk).update(operator="increment")

    added = post(api, scores, {"player_id": "a", "score": 5})
    Leaderboard.objects.filter(pk=board.pk).update(slug="gold")
    gone = post(api, scores, {"player_id": "a", "score": 5})

    assert body(added)["score"] == 15
    assert_error(gone, 404, "not_found")


def test_the_api_keeps_no_session_sets_no_cookie_and_does_not_vary_on_one(api, global_board):
    make_score(global_board, "a", 1)
    for path in ("/getdata", "/api/v1/leaderboards/global/entries"):
        response = api.get(path, headers={"Cookie": "sessionid=made-up"})
        assert response.status_code == 200
        assert not response.cookies
        assert "Cookie" not in response.headers.get("Vary", "")
        assert not hasattr(response.wsgi_request, "session")
        assert not hasattr(response.wsgi_request, "user")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/leaderboards/global/scores", {"player_id": "chunky", "score": 1, "name": "C"}),
        (
            "/api/v1/scores/batch",
            {"scores": [{"leaderboard": "global", "player_id": "chunky", "score": 1, "name": "C"}]},
        ),
    ],
)
def test_a_body_sent_in_chunks_is_a_411_that_says_to_send_its_length(backend_server, path, payload):
    """Through gunicorn, as a game server's HTTP client streaming its body would send it:
    Django reads a chunked body as empty, which must not read as "not valid JSON"."""
    raw = json.dumps(payload).encode()
    response = requests.post(
        backend_server.url + path,
        data=iter([raw[:10], raw[10:]]),  # a generator: requests sends it in chunks
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 411
    assert response.json()["error"]["code"] == "length_required"
    sent_whole = requests.post(
        backend_server.url + path,
        data=raw,
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert sent_whole.status_code == 200
