"""Metadata per entry: what a game attaches to a score (a replay id, the car, a level seed),
kept with the submission that set the entry's current score, read back only when asked."""

from __future__ import annotations

import json

import pytest

from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.models import Score, ScoreEvent
from backend_site.rankings.ranking_index import builds, connections, layout, rebuild
from tests.backend.api.test_api import assert_error, body, post
from tests.backend.conftest import make_board

SCORES = "/api/v1/leaderboards/global/scores"
ENTRIES = "/api/v1/leaderboards/global/entries"


def submit(api, player_id: str, score: int, metadata=None, path: str = SCORES, **more):
    payload = {"player_id": player_id, "score": score, "name": f"Player {player_id}", **more}
    if metadata is not None:
        payload["metadata"] = metadata
    response = post(api, path, payload)
    assert response.status_code == 200, response.content
    return body(response)


def shown(api, query: str = "?include=metadata") -> dict[str, object]:
    return {
        e["player_id"]: e.get("metadata", "absent")
        for e in body(api.get(ENTRIES + query))["entries"]
    }


def test_a_best_board_keeps_the_metadata_of_the_run_that_made_the_best_score(api, global_board):
    submit(api, "ana", 100, {"replay": "r1", "car": "red"})
    submit(api, "ana", 90, {"replay": "r2"})  # worse: not the best run
    assert shown(api) == {"ana": {"replay": "r1", "car": "red"}}
    submit(api, "ana", 120, {"replay": "r3"})
    assert shown(api) == {"ana": {"replay": "r3"}}
    submit(api, "ana", 130)  # a better run without metadata leaves none
    assert shown(api) == {"ana": None}
    assert Score.objects.get(player_id="ana").metadata is None


def test_latest_and_increment_boards_keep_the_last_changing_submissions(api, global_board):
    make_board("last", operator="latest")
    make_board("total", operator="increment")
    for slug in ("last", "total"):
        path = f"/api/v1/leaderboards/{slug}/scores"
        submit(api, "ana", 5, {"n": 1}, path=path)
        submit(api, "ana", 7, {"n": 2}, path=path)
        entries = body(api.get(f"/api/v1/leaderboards/{slug}/entries?include=metadata"))
        assert [(e["score"], e["metadata"]) for e in entries["entries"]] == [
            (7 if slug == "last" else 12, {"n": 2})
        ]


def test_reads_send_metadata_only_when_asked(api, global_board):
    submit(api, "ana", 10, {"level": 3})
    submit(api, "bo", 20)
    plain = body(api.get(ENTRIES))["entries"]
    assert all("metadata" not in entry for entry in plain)
    assert shown(api) == {"bo": None, "ana": {"level": 3}}
    assert list(body(api.get(ENTRIES + "?include=metadata"))["entries"][0]) == [
        "rank", "player_id", "name", "score", "rank_change", "metadata"
    ]  # fmt: skip

    standing = body(api.get("/api/v1/leaderboards/global/players/ana?around=1"))
    assert "metadata" not in standing and all("metadata" not in e for e in standing["around"])
    standing = body(api.get("/api/v1/leaderboards/global/players/ana?around=1&include=metadata"))
    assert standing["metadata"] == {"level": 3}
    assert [(e["player_id"], e["metadata"]) for e in standing["around"]] == [
        ("bo", None),
        ("ana", {"level": 3}),
    ]

    lookup = "/api/v1/leaderboards/global/players/lookup"
    found = body(post(api, lookup, {"player_ids": ["ana", "bo"]}))["entries"]
    assert all("metadata" not in entry for entry in found)
    found = body(post(api, lookup, {"player_ids": ["ana", "bo"], "include": ["metadata"]}))
    assert [(e["player_id"], e["metadata"]) for e in found["entries"]] == [
        ("bo", None),
        ("ana", {"level": 3}),
    ]


def test_a_batch_keeps_each_entrys_metadata_and_the_history_keeps_every_submissions(
    api, global_board
):
    made = post(
        api,
        "/api/v1/scores/batch",
        {
            "scores": [
                {"leaderboard": "global", "player_id": "ana", "score": 5, "name": "Ana",
                 "metadata": {"try": 1}},
                {"leaderboard": "global", "player_id": "ana", "score": 9,
                 "metadata": {"try": 2}},
                {"leaderboard": "global", "player_id": "ana", "score": 3,
                 "metadata": {"try": 3}},
                {"leaderboard": "global", "player_id": "bo", "score": 4, "name": "Bo"},
            ]
        },
    )  # fmt: skip
    assert made.status_code == 200, made.content
    assert shown(api) == {"ana": {"try": 2}, "bo": None}
    events = ScoreEvent.objects.filter(player_id="ana").order_by("id")
    assert [(e.value, e.metadata) for e in events] == [(5, '{"try":1}'), (9, '{"try":2}')]
    submit(api, "ana", 11, {"try": 4})
    assert ScoreEvent.objects.filter(player_id="ana").order_by("-id")[0].metadata == '{"try":4}'


def test_metadata_survives_a_rebuild_from_the_database(api, global_board):
    submit(api, "ana", 10, {"seed": 42, "name": "Zoë 🎮", "list": [1, 2.5, None, True]})
    submit(api, "bo", 20)
    rebuild.board_rebuild(board=global_board)  # aside, then swapped in
    assert shown(api)["ana"]["seed"] == 42
    ranking = boards.ranking_of(global_board, clock.now())
    builds.ranking_forget(ranking=ranking.name)  # lost: the next read loads it again
    assert shown(api) == {
        "bo": None,
        "ana": {"seed": 42, "name": "Zoë 🎮", "list": [1, 2.5, None, True]},
    }


def test_an_entry_without_metadata_costs_no_byte_more_in_redis(api, global_board):
    submit(api, "ana", 10)
    submit(api, "bo", 20, {"k": "v"})
    client = connections.connection()
    ranking = boards.ranking_of(global_board, clock.now()).name
    plain = client.hget(layout.names_key(ranking, "ana"), "ana")
    assert len(plain) == layout.RECORD_HEAD + len(b"Player ana")
    tagged = client.hget(layout.names_key(ranking, "bo"), "bo")
    assert tagged[layout.RECORD_HEAD :] == b'Player bo\x00{"k":"v"}'


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ([1, 2], "metadata: must be a JSON object."),
        ("replay-7", "metadata: must be a JSON object."),
        (
            {"blob": "x" * 1020},
            "metadata: must be at most 1024 bytes as compact JSON (1031 given).",
        ),
    ],
)
def test_metadata_that_is_not_an_object_or_too_large_is_a_400_naming_it(
    api, global_board, metadata, message
):
    refused = post(api, SCORES, {"player_id": "ana", "score": 1, "name": "A", "metadata": metadata})
    assert assert_error(refused, 400, "invalid") == message
    assert not Score.objects.exists()


def test_metadata_is_measured_as_compact_utf8_json(api, global_board):
    at_limit = {"b": "é" * 505}  # {"b":"…"} is 8 bytes, and é two: 1,018 bytes
    assert len(json.dumps(at_limit, separators=(",", ":"), ensure_ascii=False).encode()) == 1018
    submit(api, "ana", 1, at_limit)
    spaced = (
        b'{"player_id": "bo", "score": 1, "name": "B", "metadata": {"k" :  "' + b"v" * 1000 + b'"}}'
    )
    assert post(api, SCORES, spaced).status_code == 200  # the spaces do not count


def test_hostile_metadata_is_refused_with_a_400(api, global_board):
    for raw in (
        b'{"player_id": "a", "score": 1, "name": "A", "metadata": {"x": NaN}}',
        b'{"player_id": "a", "score": 1, "name": "A", "metadata": {"x": "\\ud800"}}',
        b'{"player_id": "a", "score": 1, "name": "A", "metadata": ' + b'{"a":' * 5000 + b"1"
        + b"}" * 5000 + b"}",
    ):  # fmt: skip
        assert_error(post(api, SCORES, raw), 400, "invalid")
    refused = post(
        api,
        "/api/v1/scores/batch",
        {"scores": [
            {"leaderboard": "global", "player_id": "a", "score": 1, "name": "A"},
            {"leaderboard": "global", "player_id": "a", "score": 2, "metadata": [1]},
        ]},
    )  # fmt: skip
    assert assert_error(refused, 400, "invalid").startswith("scores[1].metadata:")
    assert not Score.objects.exists()


def test_an_unknown_include_is_a_400(api, global_board):
    assert_error(api.get(ENTRIES + "?include=replays"), 400, "invalid")
    lookup = "/api/v1/leaderboards/global/players/lookup"
    assert_error(post(api, lookup, {"player_ids": ["a"], "include": "metadata"}), 400, "invalid")
    assert_error(post(api, lookup, {"player_ids": ["a"], "include": ["x"]}), 400, "invalid")


def test_a_rollback_brings_back_the_metadata_of_the_score_it_restores(
    api, global_board, moderator, now
):
    submit(api, "ana", 100, {"replay": "honest"})
    now.advance(hours=1)
    since = now.moment
    now.advance(minutes=1)
    submit(api, "ana", 10**9, {"replay": "forged"})
    rolled = moderator.post(
        "/api/v1/players/ana/rollback",
        {"since": since.isoformat()},
        content_type="application/json",
    )
    assert rolled.status_code == 200, rolled.content
    assert shown(api) == {"ana": {"replay": "honest"}}
    last = ScoreEvent.objects.filter(player_id="ana").order_by("-id")[0]
    assert (last.value, last.metadata) == (100, '{"replay":"honest"}')


def test_a_hidden_players_metadata_comes_back_with_the_lift(api, global_board, moderator):
    submit(api, "ana", 100, {"replay": "r1"})
    made = moderator.post(
        "/api/v1/players/ana/sanctions", {"action": "hide"}, content_type="application/json"
    )
    assert shown(api) == {}
    lifted = moderator.delete(f"/api/v1/players/ana/sanctions/{made.json()['id']}")
    assert lifted.status_code == 204
    assert shown(api) == {"ana": {"replay": "r1"}}
