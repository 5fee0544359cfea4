"""Idempotency-Key on both POST endpoints: a retried request applies once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend_site.rankings.api import idempotency
from backend_site.rankings.db import idempotency_keys
from backend_site.rankings.models import IdempotencyKey, Player, Score
from tests.backend.api.test_api import assert_error, body
from tests.backend.conftest import make_board

SCORES = "/api/v1/leaderboards/coins/scores"
BATCH = "/api/v1/scores/batch"


@pytest.fixture
def coins(api):
    return make_board("coins", operator="increment")


def send(api, path: str, payload: dict, key: str | None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(path, payload, content_type="application/json", headers=headers)


def total(player_id: str = "a") -> int:
    return Score.objects.get(board__slug="coins", player_id=player_id).value


def test_a_retried_increment_with_the_same_key_counts_once_and_replays_the_answer(api, coins):
    payload = {"player_id": "a", "score": 5, "name": "A"}

    first = send(api, SCORES, payload, "retry-1")
    again = send(api, SCORES, payload, "retry-1")

    assert first.status_code == again.status_code == 200
    assert (
        body(again)
        == body(first)
        == {
            "player_id": "a",
            "score": 5,
            "rank": 1,
            "previous_rank": None,
            "updated": True,
            "also": [],
        }
    )
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert total() == 5
    send(api, SCORES, payload, "retry-2")
    assert total() == 10


def test_a_batch_retried_with_its_key_applies_once(api, coins):
    payload = {"scores": [{"leaderboard": "coins", "player_id": "a", "score": 3, "name": "A"}]}

    first = send(api, BATCH, payload, "batch-1")
    again = send(api, BATCH, payload, "batch-1")

    assert body(again) == body(first)
    assert again["Idempotent-Replayed"] == "true"
    assert total() == 3


def test_the_same_key_with_another_body_is_a_422(api, coins):
    send(api, SCORES, {"player_id": "a", "score": 5, "name": "A"}, "k")

    reused = send(api, SCORES, {"player_id": "a", "score": 6}, "k")
    elsewhere = send(
        api, BATCH, {"scores": [{"leaderboard": "coins", "player_id": "a", "score": 5}]}, "k"
    )

    assert_error(reused, 422, "idempotency_key_reused")
    assert_error(elsewhere, 422, "idempotency_key_reused")
    assert total() == 5


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_key_that_is_not_1_to_255_printable_ascii_characters_is_a_400(api, coins, key):
    response = send(api, SCORES, {"player_id": "a", "score": 5, "name": "A"}, key)

    assert_error(response, 400, "invalid")
    assert not Score.objects.exists()


def test_a_request_that_fails_keeps_no_key_so_a_corrected_retry_is_applied(api, coins):
    failed = send(api, SCORES, {"player_id": "new", "score": 5}, "k")  # a new player needs a name
    assert_error(failed, 400, "invalid")

    assert not IdempotencyKey.objects.exists()


def test_a_key_older_than_a_day_is_applied_again_and_pruned(api, coins):
    payload = {"player_id": "a", "score": 5, "name": "A"}
    send(api, SCORES, payload, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = send(api, SCORES, payload, "old")

    assert "Idempotent-Replayed" not in again
    assert total() == 10
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys.keys_prune() == 1
    assert not IdempotencyKey.objects.exists()


def test_the_prune_command_removes_expired_keys(api, coins):
    send(api, SCORES, {"player_id": "a", "score": 5, "name": "A"}, "old")
    send(api, SCORES, {"player_id": "a", "score": 5, "name": "A"}, "new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))

    call_command("prune_idempotency_keys")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize(
    ("path", "raw", "stored"),
    [
        (
            SCORES,
            '{"player_id": "a", "score": 5, "name": "A"}',
            b'{"player_id":"a","score":5,"rank":null,"previous_rank":null,"updated":true}',
        ),
        (
            BATCH,
            '{"scores": [{"leaderboard": "coins", "player_id": "a", "score": 5, "name": "A"}]}',
            b'{"results":[{"leaderboard":"coins","player_id":"a","score":5,"rank":null,'
            b'"updated":true}]}',
        ),
    ],
    ids=["single", "batch"],
)
def test_a_retry_after_the_first_request_died_before_redis_ranks_what_it_committed(
    api, coins, monkeypatch, path, raw, stored
):
    """A worker killed between its commit and Redis leaves the score in the database and
    its answer stored but never completed. The retry replays that answer, and must also
    put the score in Redis: no later request of this player need ever come."""
    monkeypatch.setattr(idempotency, "WAIT_FOR_ANSWER", 0.1)
    send(api, SCORES, {"player_id": "b", "score": 1, "name": "B"}, None)  # the board is loaded
    # What the killed request committed: the score, and its answer without a rank yet.
    player = Player.objects.create(player_id="a", name="A")
    Score.objects.create(
        board=coins, player=player, value=5, achieved_at=timezone.now(), version=10**6
    )
    IdempotencyKey.objects.create(
        key="died-1",
        fingerprint=idempotency.fingerprint(path=path, body=raw.encode()),
        status=202,
        body=stored,
        complete=False,
        created_at=timezone.now(),
    )
    assert api.get("/api/v1/leaderboards/coins/players/a").status_code == 404

    again = api.post(
        path, raw, content_type="application/json", headers={"Idempotency-Key": "died-1"}
    )

    assert again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    standing = api.get("/api/v1/leaderboards/coins/players/a")
    assert standing.status_code == 200
    assert (body(standing)["rank"], body(standing)["score"]) == (1, 5)
    assert total() == 5
