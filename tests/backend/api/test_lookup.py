"""POST /api/v1/leaderboards/<slug>/players/lookup: a list of players (friends, a clan) on a
board in one call, in rank order with their rank within the list, the others as missing."""

from __future__ import annotations

import pytest
from django.test import Client

from backend_site.api_keys import keys
from backend_site.rankings.models import Player
from backend_site.rankings.ranking_index import connections
from backend_site.rankings.writes import services
from tests.backend.api.test_api import assert_error, body, post
from tests.backend.conftest import make_board, make_scores, resetting_board

LOOKUP = "/api/v1/leaderboards/global/players/lookup"


def rows(data: dict) -> list[tuple]:
    return [
        (e["player_id"], e["rank"], e["group_rank"], e["score"], e["percentile"])
        for e in data["entries"]
    ]


def test_a_lookup_answers_the_players_in_rank_order_with_ranks_within_the_list(api, global_board):
    # Ranks on the board: a 1, b 2, c 2 (tie, c later), d 4, e 5, f 6.
    make_scores(global_board, {"a": 60, "b": 50, "c": 50, "d": 40, "e": 30, "f": 20})
    response = post(api, LOOKUP, {"player_ids": ["f", "c", "nobody", "b", "a", "e"]})
    assert response.status_code == 200
    data = body(response)
    assert data["leaderboard"] == "global"
    assert data["total"] == 6
    assert rows(data) == [
        ("a", 1, 1, 60, 83.3),
        ("b", 2, 2, 50, 50.0),
        ("c", 2, 2, 50, 50.0),  # tied with b on the board, so within the list too
        ("e", 5, 4, 30, 16.7),
        ("f", 6, 5, 20, 0.0),
    ]
    assert data["missing"] == ["nobody"]
    first = data["entries"][0]
    assert list(first) == [
        "rank", "group_rank", "player_id", "name", "score", "rank_change", "percentile"
    ]  # fmt: skip
    assert first["name"] == "Player a" and first["rank_change"] is None  # new today


def test_a_lookup_agrees_with_each_players_own_standing(api, global_board):
    make_scores(global_board, {f"p{i}": (i * 7) % 23 for i in range(40)})
    asked = [f"p{i}" for i in range(0, 40, 3)]
    looked = {e["player_id"]: e for e in body(post(api, LOOKUP, {"player_ids": asked}))["entries"]}
    for player_id in asked:
        own = body(api.get(f"/api/v1/leaderboards/global/players/{player_id}?around=0"))
        entry = looked[player_id]
        assert (entry["rank"], entry["score"], entry["percentile"], entry["rank_change"]) == (
            own["rank"],
            own["score"],
            own["percentile"],
            own["rank_change"],
        )


def test_an_id_given_twice_is_looked_up_once_and_nobody_found_is_all_missing(api, global_board):
    make_scores(global_board, {"a": 5})
    data = body(post(api, LOOKUP, {"player_ids": ["a", "a", "x", "y", "x"]}))
    assert [e["player_id"] for e in data["entries"]] == ["a"]
    assert data["missing"] == ["x", "y"]
    data = body(post(api, LOOKUP, {"player_ids": ["x"]}))
    assert (data["entries"], data["missing"]) == ([], ["x"])


def test_a_lookup_reads_ascending_boards_and_past_periods(api, now):
    fastest = make_board("sprint", order="asc")
    make_scores(fastest, {"slow": 90, "quick": 12, "mid": 40})
    data = body(
        post(api, "/api/v1/leaderboards/sprint/players/lookup", {"player_ids": ["slow", "quick"]})
    )
    assert rows(data) == [("quick", 1, 1, 12, 66.7), ("slow", 3, 2, 90, 0.0)]

    weekly = resetting_board("weekly", "weekly")
    make_scores(weekly, {"a": 1, "b": 2})
    now.advance(days=7)
    make_scores(weekly, {"a": 100})
    path = "/api/v1/leaderboards/weekly/players/lookup"
    current = body(post(api, path, {"player_ids": ["a", "b"]}))
    assert (rows(current), current["missing"]) == ([("a", 1, 1, 100, 0.0)], ["b"])
    previous = body(post(api, path, {"player_ids": ["a", "b"], "period": "previous"}))
    assert rows(previous) == [("b", 1, 1, 2, 50.0), ("a", 2, 2, 1, 0.0)]
    assert previous["period"]["id"] != current["period"]["id"]


def test_a_hidden_player_is_missing_from_a_lookup(api, global_board, moderator):
    make_scores(global_board, {"cheat": 1000, "fair": 10})
    made = moderator.post(
        "/api/v1/players/cheat/sanctions", {"action": "hide"}, content_type="application/json"
    )
    assert made.status_code == 201
    data = body(post(api, LOOKUP, {"player_ids": ["cheat", "fair"]}))
    assert rows(data) == [("fair", 1, 1, 10, 0.0)]
    assert data["missing"] == ["cheat"]


def test_a_lookup_is_one_round_trip_to_redis(api, global_board, monkeypatch):
    make_scores(global_board, {f"p{i}": i for i in range(30)})
    post(api, LOOKUP, {"player_ids": ["p1"]})  # the board is loaded
    calls = []
    real = connections.run
    monkeypatch.setattr(connections, "run", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    data = body(post(api, LOOKUP, {"player_ids": [f"p{i}" for i in range(0, 30, 2)]}))
    assert len(data["entries"]) == 15
    assert len(calls) == 1


def test_a_lookup_follows_a_write_at_once(api, global_board):
    make_scores(global_board, {"a": 10, "b": 20})
    services.score_submit(board=global_board, player_id="a", score=30, name=None)
    assert rows(body(post(api, LOOKUP, {"player_ids": ["a", "b"]}))) == [
        ("a", 1, 1, 30, 50.0),
        ("b", 2, 2, 20, 0.0),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "player_ids"),
        ({"player_ids": []}, "player_ids"),
        ({"player_ids": "a"}, "player_ids"),
        ({"player_ids": [f"p{i}" for i in range(101)]}, "player_ids"),
        ({"player_ids": ["ok", 7]}, "player_ids[1]"),
        ({"player_ids": ["ok", "no spaces"]}, "player_ids[1]"),
        ({"player_ids": ["a"], "period": "yesterday"}, "period"),
        ({"player_ids": ["a"], "period": 3}, "period"),
        ({"player_ids": ["a"], "extra": 1}, "extra"),
    ],
)
def test_a_malformed_lookup_is_a_400_naming_the_field(api, global_board, payload, field):
    message = assert_error(post(api, LOOKUP, payload), 400, "invalid")
    assert message.startswith(f"{field}:")


def test_a_lookup_of_an_unknown_board_or_period_is_a_404(api, global_board, now):
    assert_error(post(api, "/api/v1/leaderboards/nope/players/lookup", {"player_ids": ["a"]}), 404)
    assert_error(post(api, LOOKUP, {"player_ids": ["a"], "period": "2026-W01"}), 404)
    assert_error(post(api, LOOKUP, b"{not json"), 400, "invalid")


def test_a_lookup_needs_only_the_read_scope(api, global_board):
    make_scores(global_board, {"a": 1})
    _, reader = keys.key_create(name="friends-screen", scopes="read")
    _, writer = keys.key_create(name="game-server", scopes="write")
    as_reader = Client(headers={"Authorization": f"Bearer {reader}"})
    as_writer = Client(headers={"Authorization": f"Bearer {writer}"})
    assert post(as_reader, LOOKUP, {"player_ids": ["a"]}).status_code == 200
    assert_error(post(as_writer, LOOKUP, {"player_ids": ["a"]}), 403, "insufficient_scope")
    # The read scope does not open the board's other POSTs.
    refused = post(as_reader, "/api/v1/leaderboards/global/scores", {"player_id": "a", "score": 2})
    assert_error(refused, 403, "insufficient_scope")


def test_a_player_whose_id_is_lookup_still_has_a_standing(api, global_board):
    make_scores(global_board, {"lookup": 42})
    data = body(api.get(LOOKUP))
    assert (data["player_id"], data["score"], data["rank"]) == ("lookup", 42, 1)
    assert Player.objects.filter(player_id="lookup").exists()
    assert_error(api.put(LOOKUP), 405, "method_not_allowed")
