"""Tie-break columns (subscores): a board ranks equal scores by up to two more integers, each
in its own order, before who got there first; two entries share a rank only when the score
and every subscore are equal, and the operator weighs the whole tuple. Every read (a page,
a standing, a lookup, the export) ranks them as one reference sort in Python does."""

from __future__ import annotations

import csv
import io
import random

import pytest
import requests
from django.test import Client

from backend_site.api_keys import keys
from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.models import Leaderboard, Score, ScoreEvent
from backend_site.rankings.ranking_index import rebuild, verification
from tests.backend.api.test_api import assert_error, body, post
from tests.fixtures.sites import SERVICE_TOKEN, GunicornSite, backend_env

BOARDS = "/api/v1/leaderboards"


def tied_board(slug: str, *, order: str = "desc", operator: str = "best", subscores: str = "asc"):
    return Leaderboard.objects.create(
        slug=slug, title=slug.title(), order=order, operator=operator, subscores=subscores
    )


def submit(api, slug: str, player_id: str, score: int, subscores, *, expect: int = 200) -> dict:
    payload = {"player_id": player_id, "score": score, "name": f"Player {player_id}"}
    if subscores is not None:
        payload["subscores"] = subscores
    response = post(api, f"{BOARDS}/{slug}/scores", payload)
    assert response.status_code == expect, response.content
    return body(response)


def entries(api, slug: str, query: str = "") -> list[dict]:
    return body(api.get(f"{BOARDS}/{slug}/entries?limit=100{query}"))["entries"]


def ranked(entries_: list[dict]) -> list[tuple]:
    return [(e["rank"], e["player_id"], e["score"], e["subscores"]) for e in entries_]


def test_equal_scores_rank_by_their_subscores_and_tie_only_when_all_are_equal(api, global_board):
    tied_board("puzzle")  # most points, then fewest moves
    submit(api, "puzzle", "ana", 100, [5])
    submit(api, "puzzle", "bo", 100, [3])
    submit(api, "puzzle", "cy", 100, [5])  # ana's tuple, reached later
    submit(api, "puzzle", "di", 120, [9])
    submit(api, "puzzle", "ed", 100, [3])
    assert ranked(entries(api, "puzzle")) == [
        (1, "di", 120, [9]),
        (2, "bo", 100, [3]),
        (2, "ed", 100, [3]),
        (4, "ana", 100, [5]),
        (4, "cy", 100, [5]),
    ]
    standing = body(api.get(f"{BOARDS}/puzzle/players/ed?around=1"))
    assert (standing["rank"], standing["subscores"], standing["percentile"]) == (2, [3], 40.0)
    assert ranked(standing["around"]) == [
        (2, "bo", 100, [3]),
        (2, "ed", 100, [3]),
        (4, "ana", 100, [5]),
    ]
    found = body(post(api, f"{BOARDS}/puzzle/players/lookup", {"player_ids": ["cy", "ed", "ana"]}))
    assert [
        (e["rank"], e["group_rank"], e["player_id"], e["subscores"]) for e in found["entries"]
    ] == [
        (2, 1, "ed", [3]),
        (4, 2, "ana", [5]),
        (4, 2, "cy", [5]),
    ]


def test_a_board_without_subscores_sends_none_and_takes_none(api, global_board):
    submit(api, "global", "ana", 10, None)
    assert "subscores" not in entries(api, "global")[0]
    assert "subscores" not in body(api.get(f"{BOARDS}/global/players/ana"))
    refused = post(
        api, f"{BOARDS}/global/scores", {"player_id": "ana", "score": 1, "subscores": [1]}
    )
    assert "subscores" in assert_error(refused, 400, "invalid")


def reference(order: str, orders: tuple[str, ...], submitted: list[tuple]) -> list[tuple]:
    """The ranking a `best` board should hold after ``submitted`` (player, score, subscores)
    in this order, sorted and ranked here, independently of the code under test."""
    best: dict[str, tuple] = {}
    reached: dict[str, int] = {}

    def key(score: int, subs: list[int]) -> tuple:
        signed = [-s if o == "desc" else s for s, o in zip(subs, orders, strict=True)]
        return (-score if order == "desc" else score, *signed)

    for step, (player, score, subs) in enumerate(submitted):
        if player not in best or key(score, subs) < key(*best[player]):
            best[player], reached[player] = (score, subs), step
    rows = sorted(best, key=lambda p: (key(*best[p]), reached[p]))
    out, rank = [], 0
    for position, player in enumerate(rows, start=1):
        if position == 1 or key(*best[player]) != key(*best[rows[position - 2]]):
            rank = position
        out.append((rank, player, *best[player]))
    return out


@pytest.mark.parametrize(
    ("order", "orders", "spread"),
    [
        ("desc", ("asc",), 4),
        ("asc", ("desc", "asc"), 4),
        ("desc", ("desc", "desc"), 4),
        ("desc", ("asc",), 2),  # long runs of one tuple: the scripts gallop through them
    ],
)
def test_every_read_ranks_as_a_reference_sort_does(api, global_board, order, orders, spread):
    board = tied_board("race", order=order, subscores=",".join(orders))
    chance = random.Random(f"{order}{orders}{spread}")
    submitted = [
        (
            f"p{chance.randrange(40)}",
            chance.randrange(spread),
            [chance.randrange(spread - 1) for _ in orders],
        )
        for _ in range(120)
    ]
    for player, score, subs in submitted:
        submit(api, "race", player, score, subs)
    expected = reference(order, orders, submitted)
    assert ranked(entries(api, "race")) == [(r, p, s, subs) for r, p, s, subs in expected]
    total = len(expected)
    players = [p for _, p, _, _ in expected]
    looked_up = body(post(api, f"{BOARDS}/race/players/lookup", {"player_ids": players}))
    for (rank, player, _, subs), found in zip(expected, looked_up["entries"], strict=True):
        assert (found["rank"], found["player_id"], found["subscores"]) == (rank, player, subs)
        worse = sum(1 for r, *_ in expected if r > rank)
        assert found["percentile"] == round(100 * worse / total, 1)
        standing = body(api.get(f"{BOARDS}/race/players/{player}?around=0"))
        assert (standing["rank"], standing["percentile"]) == (rank, found["percentile"])
    # The export, from the database, ranks the same way.
    rows = list(
        csv.reader(
            io.StringIO(b"".join(api.get(f"{BOARDS}/race/export.csv").streaming_content).decode())
        )
    )
    columns = [f"subscore_{n}" for n in range(1, len(orders) + 1)]
    assert rows[0] == ["rank", "player_id", "name", "score", "reached_at", *columns]
    assert [(int(r[0]), r[1], int(r[3]), [int(v) for v in r[5:]]) for r in rows[1:]] == [
        (r, p, s, subs) for r, p, s, subs in expected
    ]
    # What Redis holds is what a rebuild from the database makes.
    assert verification.board_verify(board=board).total == 0
    rebuild.ranking_rebuild(ranking=boards.ranking_of(board, clock.now()))
    assert ranked(entries(api, "race")) == [(r, p, s, subs) for r, p, s, subs in expected]


def test_best_keeps_the_better_tuple_latest_the_last_and_increment_adds_each(api, global_board):
    tied_board("best", subscores="asc,desc")
    assert submit(api, "best", "ana", 100, [5, 1])["updated"]
    assert not submit(api, "best", "ana", 100, [6, 9])["updated"]  # a worse first subscore
    assert not submit(api, "best", "ana", 99, [0, 9])["updated"]  # a lower score, whatever
    assert submit(api, "best", "ana", 100, [5, 2])["updated"]  # equal first, better second
    assert entries(api, "best")[0]["subscores"] == [5, 2]

    tied_board("last", operator="latest")
    submit(api, "last", "ana", 100, [5])
    assert submit(api, "last", "ana", 100, [7])["updated"]
    assert not submit(api, "last", "ana", 100, [7])["updated"]
    assert entries(api, "last")[0]["subscores"] == [7]

    tied_board("total", operator="increment", subscores="desc")
    submit(api, "total", "ana", 10, [1])
    assert submit(api, "total", "ana", 0, [2])["updated"]  # a subscore alone moves it
    assert (entries(api, "total")[0]["score"], entries(api, "total")[0]["subscores"]) == (10, [3])


def test_a_batch_weighs_the_tuple_as_a_single_submission_does(api, global_board):
    tied_board("puzzle")
    items = [
        {"leaderboard": "puzzle", "player_id": "ana", "score": 100, "subscores": [5], "name": "A"},
        {"leaderboard": "puzzle", "player_id": "ana", "score": 100, "subscores": [7]},
        {"leaderboard": "puzzle", "player_id": "bo", "score": 100, "subscores": [4], "name": "B"},
        {"leaderboard": "puzzle", "player_id": "ana", "score": 100, "subscores": [4]},
    ]
    results = body(post(api, "/api/v1/scores/batch", {"scores": items}))["results"]
    assert [r["updated"] for r in results] == [True, False, True, True]
    assert ranked(entries(api, "puzzle")) == [(1, "bo", 100, [4]), (1, "ana", 100, [4])]
    events = ScoreEvent.objects.filter(player_id="ana").order_by("id")
    assert [(e.value, e.tie_1) for e in events] == [(100, 5), (100, 4)]


@pytest.mark.parametrize(
    ("subscores", "problem"),
    [
        (None, "required"),
        ([], "list of 2"),
        ([1], "list of 2"),
        ([1, 2, 3], "list of 2"),
        ("1,2", "list of 2"),
        ([1, "2"], "subscores[1]"),
        ([True, 2], "subscores[0]"),
        ([1.5, 2], "subscores[0]"),
        ([2**53, 0], "subscores[0]"),
    ],
)
def test_subscores_that_do_not_fit_the_board_are_a_400_naming_them(
    api, global_board, subscores, problem
):
    tied_board("race", subscores="asc,desc")
    payload = {"player_id": "ana", "score": 1, "name": "Ana"}
    if subscores is not None:
        payload["subscores"] = subscores
    message = assert_error(post(api, f"{BOARDS}/race/scores", payload), 400, "invalid")
    assert problem in message
    item = {"leaderboard": "race", **payload}
    good = {"leaderboard": "race", "player_id": "bo", "score": 1, "name": "Bo", "subscores": [1, 1]}
    refused = post(api, "/api/v1/scores/batch", {"scores": [good, item]})
    assert "scores[1].subscores" in assert_error(refused, 400, "invalid")
    assert not Score.objects.exists()  # a refused batch applies nothing


def test_rank_changes_count_subscores(api, global_board):
    board = tied_board("puzzle")
    submit(api, "puzzle", "ana", 100, [5])
    submit(api, "puzzle", "bo", 100, [6])
    rebuild.snapshot_start(boards.ranking_of(board, clock.now()))
    submit(api, "puzzle", "bo", 100, [4])  # the same score, fewer moves: past ana
    assert [(e["player_id"], e["rank"], e["rank_change"]) for e in entries(api, "puzzle")] == [
        ("bo", 1, 1),
        ("ana", 2, -1),
    ]
    standing = body(api.get(f"{BOARDS}/puzzle/players/ana"))
    assert standing["rank_change"] == -1


def test_a_rollback_and_a_hide_keep_the_subscores_of_the_score_they_bring_back(
    api, global_board, moderator
):
    tied_board("puzzle")
    submit(api, "puzzle", "ana", 100, [5])
    since = clock.now()
    submit(api, "puzzle", "ana", 100, [2])
    done = post(moderator, "/api/v1/players/ana/rollback", {"since": since.isoformat()})
    assert done.status_code == 200, done.content
    assert entries(api, "puzzle")[0]["subscores"] == [5]
    made = post(moderator, "/api/v1/players/ana/sanctions", {"action": "hide", "reason": "check"})
    assert made.status_code == 201, made.content
    assert entries(api, "puzzle") == []
    lifted = moderator.delete(f"/api/v1/players/ana/sanctions/{body(made)['id']}")
    assert lifted.status_code == 204
    assert ranked(entries(api, "puzzle")) == [(1, "ana", 100, [5])]


@pytest.fixture
def studio(api):
    _, secret = keys.key_create(name="studio-tools", scopes="manage")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client, method: str, path: str, payload):
    return client.generic(
        method, path, data=__import__("json").dumps(payload), content_type="application/json"
    )


def test_boards_take_subscores_over_the_api_until_they_have_scores(api, studio, global_board):
    made = send(
        studio, "POST", BOARDS, {"slug": "race", "order": "asc", "subscores": ["asc", "desc"]}
    )
    assert made.status_code == 201, made.content
    assert body(made)["subscores"] == ["asc", "desc"]
    changed = send(studio, "PATCH", f"{BOARDS}/race", {"subscores": ["desc"]})
    assert body(changed)["subscores"] == ["desc"]
    submit(api, "race", "ana", 10, [3])
    fixed = send(studio, "PATCH", f"{BOARDS}/race", {"subscores": []})
    assert "subscores" in assert_error(fixed, 409, "board_setting_fixed")
    for wrong in (["up"], ["asc", "asc", "asc"], "asc", [None]):
        refused = send(studio, "POST", BOARDS, {"slug": "other", "subscores": wrong})
        assert "subscores" in assert_error(refused, 400, "invalid")
    unlike = send(studio, "POST", BOARDS, {"slug": "fed", "source": "race"})
    assert "source" in assert_error(unlike, 400, "invalid")
    alike = send(studio, "POST", BOARDS, {"slug": "fed", "source": "race", "subscores": ["desc"]})
    assert alike.status_code == 201, alike.content


@pytest.mark.served
def test_a_served_backend_ranks_by_subscores(redis_url, make_database_url, tmp_path):
    env = backend_env(redis_url, make_database_url(tmp_path))
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    made = site.manage(
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard\n"
        "Leaderboard.objects.create(slug='race', title='Race', order='asc', subscores='asc')",
    )
    assert made.returncode == 0, made.stderr
    site.start()
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    try:
        items = [
            {"leaderboard": "race", "player_id": p, "score": s, "subscores": [m], "name": p}
            for p, s, m in [("ana", 61_000, 2), ("bo", 61_000, 0), ("cy", 59_500, 4)]
        ]
        sent = requests.post(
            f"{site.url}/api/v1/scores/batch", json={"scores": items}, headers=headers, timeout=10
        )
        assert sent.status_code == 200, sent.text
        page = requests.get(f"{site.url}{BOARDS}/race/entries", headers=headers, timeout=10)
        assert [(e["rank"], e["player_id"], e["subscores"]) for e in page.json()["entries"]] == [
            (1, "cy", [4]),
            (2, "bo", [0]),
            (3, "ana", [2]),
        ]
    finally:
        site.stop()
