"""POST /api/v1/scores/batch: many scores in order, in one transaction, all or nothing."""

from __future__ import annotations

import pytest

from backend_site.rankings.models import MAX_SCORE, Player, Score
from backend_site.rankings.reads import selectors
from tests.backend.api.test_api import assert_error, body, post
from tests.backend.conftest import make_board, make_score

BATCH = "/api/v1/scores/batch"


def item(board: str, player_id: str, score: int, name: str | None = None) -> dict:
    entry = {"leaderboard": board, "player_id": player_id, "score": score}
    if name is not None:
        entry["name"] = name
    return entry


def test_a_batch_applies_every_item_in_order_with_each_boards_operator(api, global_board):
    make_board("coins", operator="increment")
    make_score(global_board, "a", 50, name="A")

    response = post(
        api,
        BATCH,
        {
            "scores": [
                item("global", "a", 40),  # not a new best
                item("coins", "a", 5),
                item("global", "b", 60, name="B"),
                item("coins", "a", 7),  # the same entry twice: both count
                item("global", "a", 70),
            ]
        },
    )

    assert response.status_code == 200, response.content
    assert body(response)["results"] == [
        {
            "leaderboard": "global",
            "player_id": "a",
            "score": 50,
            "rank": 1,
            "updated": False,
            "also": [],
        },
        {
            "leaderboard": "coins",
            "player_id": "a",
            "score": 5,
            "rank": 1,
            "updated": True,
            "also": [],
        },
        {
            "leaderboard": "global",
            "player_id": "b",
            "score": 60,
            "rank": 2,
            "updated": True,
            "also": [],
        },
        {
            "leaderboard": "coins",
            "player_id": "a",
            "score": 12,
            "rank": 1,
            "updated": True,
            "also": [],
        },
        {
            "leaderboard": "global",
            "player_id": "a",
            "score": 70,
            "rank": 1,
            "updated": True,
            "also": [],
        },
    ]
    global_page = selectors.board_top(slug="global", offset=0, limit=10).entries
    assert [(e.player_id, e.name, e.score) for e in global_page] == [
        ("a", "A", 70),
        ("b", "B", 60),
    ]
    assert Score.objects.get(board__slug="coins", player_id="a").value == 12


@pytest.mark.parametrize(
    ("items", "named"),
    [
        ([item("global", "a", 1, "A"), item("nope", "a", 1)], "scores[1].leaderboard"),
        ([item("global", "a", 1, "A"), item("global", "new", 1)], "scores[1].name"),
        ([item("global", "a", 1, "A"), {"leaderboard": "global", "score": 1}], "scores[1]"),
        ([item("global", "a", 1, "A"), item("global", "a", True)], "scores[1].score"),
        ([item("global", "a", 1, "A"), item("global", "a b", 1)], "scores[1].player_id"),
        ([item("global", "a", 1, "A"), {**item("global", "a", 1), "x": 1}], "scores[1].x"),
        ([item("global", "a", 1, "A"), "not an object"], "scores[1]"),
    ],
)
def test_one_bad_item_is_a_400_naming_its_index_and_nothing_is_applied(
    api, global_board, items, named
):
    response = post(api, BATCH, {"scores": items})

    message = assert_error(response, 400, "invalid")
    assert message.startswith(named)
    assert not Player.objects.filter(player_id="a").exists()
    assert selectors.board_top(slug="global", offset=0, limit=10).total == 0


def test_an_increment_that_would_overflow_mid_batch_applies_nothing(api, global_board):
    make_board("coins", operator="increment")

    response = post(
        api,
        BATCH,
        {
            "scores": [
                item("global", "a", 5, "A"),
                item("coins", "a", MAX_SCORE),
                item("coins", "a", 1),
            ]
        },
    )

    assert assert_error(response, 400, "invalid").startswith("scores[2].score")
    assert not Score.objects.exists()


@pytest.mark.parametrize("size", [0, 1001])
def test_a_batch_holds_1_to_1000_items(api, global_board, size):
    scores = [item("global", f"p{i}", i, "P") for i in range(size)]

    assert_error(post(api, BATCH, {"scores": scores}), 400, "invalid")


def test_a_batch_of_1000_new_players_lands_whole(api, global_board):
    scores = [item("global", f"p{i}", i, f"Player {i}") for i in range(1000)]

    response = post(api, BATCH, {"scores": scores})

    assert response.status_code == 200
    results = body(response)["results"]
    assert results[999] == {
        "leaderboard": "global",
        "player_id": "p999",
        "score": 999,
        "rank": 1,
        "updated": True,
        "also": [],
    }
    assert selectors.board_top(slug="global", offset=0, limit=1).total == 1000


def test_malformed_batches_are_400s(api, global_board):
    for raw in [b"", b"[]", b'{"scores": {}}', b'{"scores": []', b'{"other": []}']:
        assert_error(post(api, BATCH, raw), 400)
    assert_error(api.get(BATCH), 405, "method_not_allowed")
