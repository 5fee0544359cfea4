"""Rate limits (backend_site/limits.py): a key's rate and a board's per-player submissions a
minute, kept in Redis and so shared by every worker and instance; over either, a 429 with
Retry-After and the RateLimit fields; a refused batch applies nothing; Redis away, no limit."""

from __future__ import annotations

import itertools
import time

import pytest
import requests
from django.test import Client

from backend_site import limits
from backend_site.api_keys import keys
from backend_site.rankings.models import Leaderboard, Score
from common.local_servers import GunicornSite
from tests.backend.conftest import make_board
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture(autouse=True)
def _fresh_limits():
    keys.forget()
    limits.forget()
    yield
    keys.forget()
    limits.forget()


@pytest.fixture
def limited_board(api, global_board) -> Leaderboard:
    """A board that takes 3 submissions a minute from each player."""
    board = make_board("capped")
    board.max_submissions_per_minute = 3
    board.save()
    return board


def submit(client: Client, slug: str, player_id: str, score: int = 1, **headers):
    return client.post(
        f"/api/v1/leaderboards/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Player {player_id}"},
        content_type="application/json",
        headers=headers,
    )


def submit_batch(client: Client, items: list[tuple[str, str, int]]):
    return client.post(
        "/api/v1/scores/batch",
        {
            "scores": [
                {"leaderboard": slug, "player_id": player, "score": score, "name": player}
                for slug, player, score in items
            ]
        },
        content_type="application/json",
    )


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- per key ------------------------------------------------------------------------------


def test_a_key_over_its_rate_gets_a_429_with_when_to_come_back(api):
    _, secret = keys.key_create(name="twitchy", scopes="read", rate=3)
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    answers = [client.get("/api/v1/leaderboards") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a["RateLimit-Limit"] for a in answers} == {"3"}
    refused = answers[-1]
    assert error_of(refused) == (429, "rate_limited")
    assert "3 requests a second" in refused.json()["error"]["message"]
    assert refused["Retry-After"] == "1"  # one token a third of a second later, rounded up
    assert 0 < int(refused["RateLimit-Reset"]) <= 1
    time.sleep(0.4)
    assert client.get("/api/v1/leaderboards").status_code == 200


def test_keys_without_a_rate_and_the_service_token_are_not_limited(api):
    _, secret = keys.key_create(name="calm", scopes="read")
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    answers = [client.get("/api/v1/leaderboards") for _ in range(30)]
    tokened = [api.get("/api/v1/leaderboards") for _ in range(30)]

    assert {a.status_code for a in answers + tokened} == {200}
    assert not any(name in a for a in answers + tokened for name in RATE_HEADERS)


def test_one_keys_rate_leaves_another_key_alone(api):
    _, greedy = keys.key_create(name="greedy", scopes="read", rate=2)
    _, other = keys.key_create(name="other", scopes="read", rate=2)
    greedy_client = Client(headers={"Authorization": f"Bearer {greedy}"})

    statuses = [greedy_client.get("/api/v1/leaderboards").status_code for _ in range(3)]
    other_status = Client(headers={"Authorization": f"Bearer {other}"}).get("/api/v1/leaderboards")

    assert statuses == [200, 200, 429]
    assert other_status.status_code == 200


def test_a_fast_key_takes_tokens_a_few_at_a_time_and_never_more_than_its_burst(api, ranking_redis):
    _, secret = keys.key_create(name="frontend", scopes="read", rate=100)
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    started = time.monotonic()
    statuses = [client.get("/api/v1/leaderboards/global/entries").status_code for _ in range(400)]
    elapsed = time.monotonic() - started

    assert limits.lease_size(100) == 5
    # 100 at once, then 100 a second for as long as the requests took: never more.
    assert statuses[:100] == [200] * 100
    assert statuses.count(200) <= 100 + elapsed * 100 + 1, (statuses.count(200), elapsed)
    assert 429 in statuses, elapsed


# --- per player and board -----------------------------------------------------------------


def test_a_player_over_the_boards_limit_gets_a_429_and_the_score_is_not_applied(api, limited_board):
    answers = [submit(api, "capped", "pat", score) for score in (10, 20, 30, 40)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[-1]
    assert error_of(refused) == (429, "rate_limited")
    assert "3 scores a minute" in refused.json()["error"]["message"]
    assert refused["RateLimit-Limit"] == "3" and refused["RateLimit-Remaining"] == "0"
    assert 55 <= int(refused["Retry-After"]) <= 60  # when the first of the three leaves
    assert Score.objects.get(board=limited_board, player_id="pat").value == 30
    # Other players, and the same player on another board, are not held back.
    assert submit(api, "capped", "sam").status_code == 200
    assert submit(api, "global", "pat").status_code == 200


def test_an_unlimited_board_takes_any_number(api, global_board):
    answers = [submit(api, "global", "pat", score) for score in range(20)]

    assert {a.status_code for a in answers} == {200}
    assert "RateLimit-Limit" not in answers[-1]


def test_a_retried_submission_replays_without_counting_again(api, limited_board):
    first = [submit(api, "capped", "pat", 5, **{"Idempotency-Key": "try-1"}) for _ in range(5)]

    assert {a.status_code for a in first} == {200}
    assert [a.get("Idempotent-Replayed") for a in first[1:]] == ["true"] * 4
    assert [submit(api, "capped", "pat").status_code for _ in range(3)] == [200, 200, 429]


def test_a_refused_write_does_not_count(api, limited_board):
    nameless = [
        api.post(
            "/api/v1/leaderboards/capped/scores",
            {"player_id": "newcomer", "score": 1},
            content_type="application/json",
        )
        for _ in range(5)
    ]

    assert {a.status_code for a in nameless} == {400}  # a new player needs a name
    assert [submit(api, "capped", "newcomer").status_code for _ in range(4)] == [200] * 3 + [429]


def test_a_batch_over_a_players_limit_is_refused_whole_naming_the_item(api, limited_board):
    submit(api, "capped", "pat", 1)
    submit(api, "capped", "pat", 2)

    refused = submit_batch(
        api,
        [("capped", "sam", 9), ("capped", "pat", 50), ("global", "pat", 7), ("capped", "pat", 60)],
    )

    assert error_of(refused) == (429, "rate_limited")
    assert refused.json()["error"]["message"].startswith("scores[3]: player 'pat'")
    assert int(refused["Retry-After"]) >= 55
    assert not Score.objects.filter(player_id="sam").exists()
    assert Score.objects.get(board=limited_board, player_id="pat").value == 2
    assert not Score.objects.filter(board__slug="global", player_id="pat").exists()
    # Nothing was counted: sam still has three, pat one.
    assert submit_batch(api, [("capped", "sam", 1)] * 3 + [("capped", "pat", 3)]).status_code == 200
    assert error_of(submit(api, "capped", "pat")) == (429, "rate_limited")


def test_a_batch_refused_on_its_second_board_gives_the_first_boards_back(api, limited_board):
    other = make_board("also-capped")
    other.max_submissions_per_minute = 1
    other.save()

    refused = submit_batch(api, [("capped", "pat", 1), ("also-capped", "pat", 1)] * 2)

    assert error_of(refused) == (429, "rate_limited")
    assert refused.json()["error"]["message"].startswith("scores[3]: ")
    assert [submit(api, "capped", "pat").status_code for _ in range(4)] == [200] * 3 + [429]


def test_a_batch_with_more_items_than_the_limit_is_refused(api, limited_board):
    refused = submit_batch(api, [("capped", "pat", score) for score in range(5)])

    assert error_of(refused) == (429, "rate_limited")
    assert refused.json()["error"]["message"].startswith("scores[3]: ")
    assert refused["Retry-After"] == "60"


@pytest.mark.single_redis_only  # points the backend at a port nothing listens on
def test_limits_fail_open_while_redis_is_away(api, limited_board, settings):
    _, secret = keys.key_create(name="limited", scopes="read,write", rate=1)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }

    answers = [submit(client, "capped", "pat", score) for score in range(6)]

    assert {a.status_code for a in answers} == {202}  # saved, ranked once Redis is back
    assert Score.objects.get(board=limited_board, player_id="pat").value == 5


# --- served: two instances share the limits ------------------------------------------------


@pytest.fixture
def two_backends(redis_url, make_database_url, tmp_path):
    """Two backends (two workers each) on one database and one Redis, as two instances
    behind a load balancer; a key with 5 requests a second; a board of 4 a minute."""
    env = backend_env(redis_url, make_database_url(tmp_path), WEB_CONCURRENCY="2")
    first = GunicornSite("backend_site.wsgi", env, tmp_path / "first.log")
    second = GunicornSite("backend_site.wsgi", env, tmp_path / "second.log")
    first.migrate()
    made = first.manage(
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard; "
        "Leaderboard.objects.create(slug='capped', title='Capped', max_submissions_per_minute=4)",
    )
    key = first.manage("api_keys", "create", "game-eu", "--scopes", "read,write", "--rate", "5/s")
    assert made.returncode == key.returncode == 0, made.stderr + key.stderr
    first.start()
    second.start()
    yield [first, second], key.stdout.strip()
    first.stop()
    second.stop()


def test_both_limits_hold_across_two_backend_instances(two_backends):
    sites, secret = two_backends
    spread = itertools.cycle(site.url for site in sites)
    # A new connection each time: the kernel spreads them over each instance's workers.
    closed = {"Connection": "close"}

    started = time.monotonic()
    reads = [
        requests.get(
            f"{next(spread)}/api/v1/leaderboards",
            headers={**closed, "Authorization": f"Bearer {secret}"},
            timeout=5,
        ).status_code
        for _ in range(16)
    ]
    elapsed = time.monotonic() - started

    # 5 at once, then 5 a second: never more, whichever worker of whichever instance answers.
    assert reads.count(200) <= 5 + int(elapsed * 5) + 1, (reads, elapsed)
    assert reads.count(429) >= 16 - (5 + int(elapsed * 5) + 1)
    assert reads[:5] == [200] * 5

    submissions = [
        requests.post(
            f"{next(spread)}/api/v1/leaderboards/capped/scores",
            json={"player_id": "pat", "score": score, "name": "Pat"},
            headers={**closed, "Authorization": f"Bearer {SERVICE_TOKEN}"},
            timeout=5,
        )
        for score in range(10)
    ]

    assert [s.status_code for s in submissions] == [200] * 4 + [429] * 6
    assert {s.json()["error"]["code"] for s in submissions[4:]} == {"rate_limited"}
    assert submissions[3].json()["score"] == 3  # the best of 0..3: none after it applied
