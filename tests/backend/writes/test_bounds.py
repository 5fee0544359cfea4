"""A board's bounds: a score out of them is refused with a 422 and nothing applied (a batch
whole, naming the item), and every refusal is kept for review, listed to a moderator."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from backend_site.api_keys import keys
from backend_site.audit.models import AuditEntry
from backend_site.rankings.models import Leaderboard, Review, Score
from tests.backend.conftest import make_board
from tests.fixtures.sites import SERVICE_TOKEN


@pytest.fixture
def bounded(api, global_board) -> Leaderboard:
    """A best board taking 0 to 1,000."""
    board = make_board("bounded")
    board.min_score, board.max_score = 0, 1000
    board.save()
    return board


@pytest.fixture
def counter(api, global_board) -> Leaderboard:
    """An increment board: at most 50 at a time, a total of at most 100."""
    board = make_board("counter", operator="increment")
    board.max_increment, board.max_score = 50, 100
    board.save()
    return board


def submit(client: Client, slug: str, player_id: str, score: int):
    return client.post(
        f"/api/v1/leaderboards/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Player {player_id}"},
        content_type="application/json",
    )


def submit_batch(client: Client, items: list[tuple[str, str, int]]):
    scores = [{"leaderboard": b, "player_id": p, "score": s, "name": p} for b, p, s in items]
    return client.post("/api/v1/scores/batch", {"scores": scores}, content_type="application/json")


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def test_a_score_out_of_bounds_is_refused_kept_for_review_and_not_applied(api, bounded):
    _, secret = keys.key_create(name="game-eu-1", scopes="write")
    game = Client(headers={"Authorization": f"Bearer {secret}"})
    assert submit(game, "bounded", "pat", 1000).status_code == 200

    too_high = submit(game, "bounded", "pat", 10**9)
    too_low = submit(game, "bounded", "sam", -1)

    status, code, message = error_of(too_high)
    assert (status, code) == (422, "score_out_of_bounds")
    assert message == "score: 1000000000 is above 1000, the highest 'bounded' accepts."
    assert error_of(too_low)[:2] == (422, "score_out_of_bounds")
    assert Score.objects.get(board=bounded, player_id="pat").value == 1000
    assert not Score.objects.filter(player_id="sam").exists()
    assert [(r.player_id, r.score, r.key) for r in Review.objects.all()] == [
        ("sam", -1, "game-eu-1"),
        ("pat", 10**9, "game-eu-1"),
    ]


def test_an_unbounded_board_takes_any_score(api, global_board):
    assert submit(api, "global", "pat", 2**53 - 1).status_code == 200
    assert not Review.objects.exists()


def test_an_increment_board_bounds_each_addition_and_the_total(api, counter):
    assert error_of(submit(api, "counter", "pat", 60))[:2] == (422, "score_out_of_bounds")
    assert error_of(submit(api, "counter", "pat", -60))[:2] == (422, "score_out_of_bounds")
    assert submit(api, "counter", "pat", 50).json()["score"] == 50
    assert submit(api, "counter", "pat", 40).json()["score"] == 90

    over = submit(api, "counter", "pat", 20)

    assert error_of(over) == (
        422,
        "score_out_of_bounds",
        "score: a total of 110 is above 100, the highest 'counter' accepts.",
    )
    assert Score.objects.get(board=counter, player_id="pat").value == 90  # rolled back
    assert Review.objects.first().reason.startswith("a total of 110")
    ranked = api.get("/api/v1/leaderboards/counter/players/pat").json()
    assert ranked["score"] == 90


def test_a_batch_with_a_score_out_of_bounds_is_refused_whole_naming_it(api, bounded, counter):
    refused = submit_batch(
        api, [("bounded", "pat", 5), ("global", "sam", 10**12), ("bounded", "sam", 5000)]
    )

    assert error_of(refused)[:2] == (422, "score_out_of_bounds")
    assert error_of(refused)[2].startswith("scores[2].score: 5000 is above 1000")
    assert not Score.objects.exists()
    assert [(r.leaderboard, r.player_id) for r in Review.objects.all()] == [("bounded", "sam")]

    items = [("counter", "pat", 50), ("bounded", "pat", 1), ("counter", "pat", 50)]
    totals = submit_batch(api, [*items, ("counter", "pat", 1)])

    assert error_of(totals)[2].startswith("scores[3].score: a total of 101 is above 100")
    assert not Score.objects.exists()


def test_reviews_are_listed_to_a_moderator_newest_first(api, bounded, moderator):
    for player_id, score in [("pat", 2000), ("sam", 3000), ("pat", -5)]:
        submit(api, "bounded", player_id, score)
    submit_batch(api, [("bounded", "kim", 9999)])

    listed = moderator.get("/api/v1/reviews").json()["reviews"]
    pats = moderator.get("/api/v1/reviews?player_id=pat&limit=1").json()["reviews"]

    assert [(r["player_id"], r["score"]) for r in listed] == [
        ("kim", 9999), ("pat", -5), ("sam", 3000), ("pat", 2000)
    ]  # fmt: skip
    first = listed[-1]
    assert set(first) == {"leaderboard", "player_id", "score", "reason", "key", "at"}
    assert (first["leaderboard"], first["key"]) == ("bounded", "service-token")
    assert [(r["player_id"], r["score"]) for r in pats] == [("pat", -5)]
    assert moderator.get("/api/v1/reviews?leaderboard=global").json() == {"reviews": []}
    assert error_of(moderator.get("/api/v1/reviews?limit=0"))[:2] == (400, "invalid")
    refused = api.get("/api/v1/reviews")  # the service token reads and writes, no more
    assert error_of(refused)[:2] == (403, "insufficient_scope")
    assert "'moderate' scope" in error_of(refused)[2]


def test_the_admin_lists_reviews_and_clears_them(api, bounded):
    submit(api, "bounded", "pat", 5000)
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "", "pw-123-long"))

    page = admin.get("/admin/rankings/review/").content.decode()
    cleared = admin.post(
        "/admin/rankings/review/",
        {"action": "clear", "_selected_action": [Review.objects.get().pk]},
    )

    assert "pat" in page and "5000" in page
    assert cleared.status_code == 302
    assert not Review.objects.exists()
    audited = AuditEntry.objects.get(action="review.clear")
    assert (audited.actor, audited.target) == ("admin:root", "reviews:1")
    assert audited.detail["reviews"][0]["player_id"] == "pat"


def test_bounds_hold_on_the_served_backend(served_moderated):
    site, moderator_key = served_moderated(
        "from backend_site.rankings.models import Leaderboard; "
        "Leaderboard.objects.create(slug='bounded', title='Bounded', max_score=100)"
    )
    url = f"{site.url}/api/v1/leaderboards/bounded/scores"
    token = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    given = {"player_id": "p", "score": 100, "name": "P"}

    kept = requests.post(url, json=given, headers=token, timeout=5)
    refused = requests.post(url, json={**given, "score": 101}, headers=token, timeout=5)
    listed = requests.get(
        f"{site.url}/api/v1/reviews",
        headers={"Authorization": f"Bearer {moderator_key}"},
        timeout=5,
    )

    assert kept.status_code == 200
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "score_out_of_bounds")
    assert [(r["player_id"], r["score"]) for r in listed.json()["reviews"]] == [("p", 101)]
