"""Erasing a player: their row, scores (so every entry in Redis), history, daily ranks,
reviews and stored idempotent answers go in one request; an archive they won keeps its score
without their id or name; the erasure is audited; the id is free again."""

from __future__ import annotations

import requests
from django.core.management import call_command
from django.test import Client

from backend_site.audit.models import AuditEntry
from backend_site.rankings.models import (
    DayRank,
    IdempotencyKey,
    PeriodArchive,
    Player,
    Review,
    Score,
    ScoreEvent,
)
from tests.backend.conftest import make_board, resetting_board
from tests.fixtures.sites import SERVICE_TOKEN


def submit(client: Client, slug: str, player_id: str, score: int, **headers):
    return client.post(
        f"/api/v1/leaderboards/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Name of {player_id}"},
        content_type="application/json",
        headers=headers,
    )


def test_an_erased_player_is_gone_everywhere_and_the_others_move_up(
    api,
    global_board,
    moderator,
    now,
):
    daily = resetting_board("daily", "daily")
    bounded = make_board("bounded")
    bounded.max_score = 10
    bounded.save()
    submit(api, "global", "cheat", 900, **{"Idempotency-Key": "k-cheat"})
    submit(api, "global", "honest", 500, **{"Idempotency-Key": "k-honest"})
    submit(api, "daily", "cheat", 70)
    submit(api, "daily", "honest", 60)
    submit(api, "bounded", "cheat", 11)  # refused, kept for review
    now.advance(days=1, minutes=5)
    call_command("close_periods", verbosity=0)
    DayRank.objects.create(
        board=global_board, day="2026-11-25", player_id="cheat", score=900, rank=1
    )
    assert PeriodArchive.objects.get(board=daily).winner_id == "cheat"
    honest_rank = api.get("/api/v1/leaderboards/global/players/honest").json()["rank"]

    erased = moderator.delete("/api/v1/players/cheat")

    assert erased.status_code == 204
    assert not Player.objects.filter(player_id="cheat").exists()
    assert not Score.objects.filter(player_id="cheat").exists()
    assert not ScoreEvent.objects.filter(player_id="cheat").exists()
    assert not DayRank.objects.filter(player_id="cheat").exists()
    assert not Review.objects.filter(player_id="cheat").exists()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-honest"]
    top = api.get("/api/v1/leaderboards/global/entries").json()
    assert "cheat" not in [e["player_id"] for e in top["entries"]]
    moved = api.get("/api/v1/leaderboards/global/players/honest").json()["rank"]
    assert moved == honest_rank - 1  # everyone below the cheat moved up
    assert api.get("/api/v1/leaderboards/global/players/cheat").status_code == 404
    archive = PeriodArchive.objects.get(board=daily)
    assert (archive.winner_id, archive.winner_name, archive.winner_score) == ("", "", 70)
    past = api.get("/api/v1/leaderboards/daily/periods").json()["periods"]
    closed = next(p for p in past if p["id"] == "2026-11-25")
    assert closed["winner"] == {"player_id": None, "name": None, "score": 70}
    audited = AuditEntry.objects.get(action="player.erase")
    assert (audited.actor, audited.target) == ("moderator", "player:cheat")
    assert "Name of cheat" not in str(audited.detail)
    call_command("verify_rankings", verbosity=0)  # exits non-zero on drift


def test_the_id_is_free_again_and_a_second_erasure_is_a_404(api, global_board, moderator):
    submit(api, "global", "gone", 900)
    assert moderator.delete("/api/v1/players/gone").status_code == 204

    again = moderator.delete("/api/v1/players/gone")
    reused = submit(api, "global", "gone", 5)

    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")
    assert reused.status_code == 200 and reused.json()["rank"] == 1
    assert Player.objects.get(player_id="gone").name == "Name of gone"


def test_erasure_needs_the_moderate_scope(api, global_board):
    submit(api, "global", "kept", 1)

    refused = api.delete("/api/v1/players/kept")

    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "insufficient_scope")
    assert Player.objects.filter(player_id="kept").exists()


def test_erasure_on_the_served_backend(served_moderated):
    site, moderator_key = served_moderated()
    token = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    for player_id, score in [("a", 3), ("b", 2)]:
        requests.post(
            f"{site.url}/api/v1/leaderboards/global/scores",
            json={"player_id": player_id, "score": score, "name": player_id.upper()},
            headers=token,
            timeout=5,
        ).raise_for_status()

    erased = requests.delete(
        f"{site.url}/api/v1/players/a",
        headers={"Authorization": f"Bearer {moderator_key}"},
        timeout=5,
    )
    top = requests.get(f"{site.url}/getdata", headers=token, timeout=5).json()

    assert erased.status_code == 204
    assert top == [{"id": 1, "name": "B", "score": 2}]


def test_another_players_stored_answers_stay(api, global_board, moderator):
    api.post(
        "/api/v1/leaderboards/global/scores",
        {"player_id": "other", "score": 1, "name": "victim"},
        content_type="application/json",
        headers={"Idempotency-Key": "k-other"},
    )
    submit(api, "global", "victim", 2)

    assert moderator.delete("/api/v1/players/victim").status_code == 204
    assert IdempotencyKey.objects.filter(key="k-other").exists()
