"""Rolling a player back to a moment: each score they changed after it goes back to its value
then (or leaves the board, if they had none), on every board and period or the one named;
the history records the rollback, everyone's ranks follow, and it is audited."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests
from django.core.management import call_command
from django.test import Client

from backend_site.audit.models import AuditEntry
from backend_site.rankings.models import PeriodArchive, Score, ScoreEvent
from tests.backend.conftest import make_board, resetting_board
from tests.fixtures.sites import SERVICE_TOKEN


def submit(client: Client, slug: str, player_id: str, score: int):
    answer = client.post(
        f"/api/v1/leaderboards/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Name of {player_id}"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer


def rollback(client: Client, player_id: str, since: datetime, leaderboard: str | None = None):
    return client.post(
        f"/api/v1/players/{player_id}/rollback",
        {"since": since.isoformat(), "leaderboard": leaderboard},
        content_type="application/json",
    )


def top(client: Client, slug: str) -> list[tuple[str, int]]:
    entries = client.get(f"/api/v1/leaderboards/{slug}/entries").json()["entries"]
    return [(e["player_id"], e["score"]) for e in entries]


def test_a_rollback_restores_the_honest_score_and_the_board_moves(
    api,
    global_board,
    moderator,
    now,
):
    submit(api, "global", "cheat", 100)
    submit(api, "global", "honest", 500)
    now.advance(hours=1)
    since = now.moment
    now.advance(minutes=1)
    submit(api, "global", "cheat", 10**9)
    assert top(api, "global")[0] == ("cheat", 10**9)

    answer = rollback(moderator, "cheat", since)

    assert answer.status_code == 200
    assert answer.json() == {
        "player_id": "cheat",
        "since": since.isoformat(),
        "leaderboard": None,
        "rolled_back": [{"leaderboard": "global", "period": "", "before": 10**9, "after": 100}],
    }
    assert top(api, "global") == [("honest", 500), ("cheat", 100)]
    last = ScoreEvent.objects.filter(player_id="cheat").order_by("-id").first()
    assert (last.value, last.key) == (100, "moderator")  # the rollback, an event of its own
    audited = AuditEntry.objects.get(action="player.rollback")
    assert (audited.actor, audited.target) == ("moderator", "player:cheat")
    call_command("verify_rankings", verbosity=0)


def test_a_player_with_no_score_then_leaves_the_board(api, global_board, moderator, now):
    submit(api, "global", "honest", 5)
    since = now.moment
    now.advance(minutes=1)
    submit(api, "global", "newcomer", 999)

    answer = rollback(moderator, "newcomer", since)

    assert answer.json()["rolled_back"] == [
        {"leaderboard": "global", "period": "", "before": 999, "after": None}
    ]
    assert top(api, "global") == [("honest", 5)]
    assert not Score.objects.filter(player_id="newcomer").exists()
    assert api.get("/api/v1/leaderboards/global/players/newcomer").status_code == 404


def test_a_rollback_across_a_period_boundary(api, global_board, moderator, now):
    daily = resetting_board("daily", "daily")
    submit(api, "daily", "rival", 70)
    submit(api, "daily", "cheat", 50)  # 2026-11-25 12:00, honest
    now.set(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    since = now.moment
    now.set(datetime(2026, 11, 25, 23, 0, tzinfo=UTC))
    submit(api, "daily", "cheat", 999)  # the cheat wins the 25th...
    now.set(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
    submit(api, "daily", "cheat", 999)  # ...and leads the 26th
    call_command("close_periods", verbosity=0)
    assert PeriodArchive.objects.get(board=daily, period="2026-11-25").winner_id == "cheat"

    answer = rollback(moderator, "cheat", since, "daily")

    assert answer.json()["rolled_back"] == [
        {"leaderboard": "daily", "period": "2026-11-25", "before": 999, "after": 50},
        {"leaderboard": "daily", "period": "2026-11-26", "before": 999, "after": None},
    ]
    archive = PeriodArchive.objects.get(board=daily, period="2026-11-25")
    assert (archive.winner_id, archive.winner_score, archive.players) == ("rival", 70, 2)
    assert top(api, "daily") == []  # the 26th: nobody else scored yet
    yesterday = api.get("/api/v1/leaderboards/daily/entries?period=2026-11-25").json()
    assert [(e["player_id"], e["score"]) for e in yesterday["entries"]] == [
        ("rival", 70),
        ("cheat", 50),
    ]


def test_a_named_board_is_the_only_one_rolled_back(api, global_board, moderator, now):
    other = make_board("other")
    since = now.moment
    now.advance(minutes=1)
    submit(api, "global", "cheat", 10)
    submit(api, other.slug, "cheat", 10)

    answer = rollback(moderator, "cheat", since, "other")

    assert [r["leaderboard"] for r in answer.json()["rolled_back"]] == ["other"]
    assert top(api, "global") == [("cheat", 10)]
    assert top(api, "other") == []


def test_bad_rollbacks_are_refused(api, global_board, moderator, now):
    submit(api, "global", "p", 1)

    no_zone = moderator.post(
        "/api/v1/players/p/rollback",
        {"since": "2026-11-25T10:00:00"},
        content_type="application/json",
    )
    unknown = rollback(moderator, "nobody", now.moment)
    no_board = rollback(moderator, "p", now.moment, "nowhere")
    not_moderator = rollback(api, "p", now.moment)

    assert (no_zone.status_code, no_zone.json()["error"]["code"]) == (400, "invalid")
    assert no_zone.json()["error"]["message"].startswith("since:")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert no_board.status_code == 404
    assert (not_moderator.status_code, not_moderator.json()["error"]["code"]) == (
        403,
        "insufficient_scope",
    )


def test_a_rollback_on_the_served_backend(served_moderated):
    site, moderator_key = served_moderated()
    token = {"Authorization": f"Bearer {SERVICE_TOKEN}"}

    def post(score: int) -> None:
        requests.post(
            f"{site.url}/api/v1/leaderboards/global/scores",
            json={"player_id": "p", "score": score, "name": "P"},
            headers=token,
            timeout=5,
        ).raise_for_status()

    post(10)
    time.sleep(0.05)
    mark = datetime.now(UTC)
    time.sleep(0.05)
    post(10**6)
    answer = requests.post(
        f"{site.url}/api/v1/players/p/rollback",
        json={"since": mark.isoformat()},
        headers={"Authorization": f"Bearer {moderator_key}"},
        timeout=5,
    )
    shown = requests.get(f"{site.url}/getdata", headers=token, timeout=5).json()

    assert answer.status_code == 200, answer.text
    assert answer.json()["rolled_back"][0]["after"] == 10
    assert shown == [{"id": 1, "name": "P", "score": 10}]
