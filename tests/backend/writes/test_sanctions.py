"""Hiding and banning players: a hidden player leaves every read of every board and period at
once (entries, others' windows, /getdata, totals, percentiles, period winners and counts,
rank movement) while their submissions are kept; a banned one's are refused; a lift brings
back exactly what the database holds; ``until`` ends a sanction at the first request after
it; every change is audited, and verify_rankings finds no drift through any of it."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend_site.audit.models import AuditEntry
from backend_site.rankings.calendar import boards
from backend_site.rankings.models import PeriodArchive, Player, Sanction, Score
from backend_site.rankings.ranking_index import rebuild, store
from backend_site.rankings.writes import sanctions, services
from tests.backend.conftest import make_board, resetting_board
from tests.fixtures.sites import SERVICE_TOKEN


def submit(client: Client, slug: str, player_id: str, score: int):
    return client.post(
        f"/api/v1/leaderboards/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Name of {player_id}"},
        content_type="application/json",
    )


def sanction(client: Client, player_id: str, action: str = "hide", **fields):
    return client.post(
        f"/api/v1/players/{player_id}/sanctions",
        {"action": action, "reason": "impossible scores", **fields},
        content_type="application/json",
    )


def lift(client: Client, player_id: str, sanction_id: int):
    return client.delete(f"/api/v1/players/{player_id}/sanctions/{sanction_id}")


def board(client: Client, slug: str, **params) -> list[tuple[str, int, int]]:
    answer = client.get(f"/api/v1/leaderboards/{slug}/entries", params)
    assert answer.status_code == 200, answer.content
    return [(e["player_id"], e["rank"], e["score"]) for e in answer.json()["entries"]]


def total(client: Client, slug: str) -> int:
    return client.get(f"/api/v1/leaderboards/{slug}/entries").json()["total"]


def players_count(client: Client, slug: str) -> int:
    boards = client.get("/api/v1/leaderboards").json()["leaderboards"]
    return next(b["players"] for b in boards if b["slug"] == slug)


def verified() -> None:
    call_command("verify_rankings", verbosity=0)  # exits non-zero on drift


def test_a_hidden_player_leaves_every_read_and_a_lift_brings_back_what_the_database_holds(
    api, global_board, moderator
):
    other = make_board("other")
    for player_id, score in (("cheat", 10**6), ("ann", 300), ("bob", 200), ("cy", 100)):
        assert submit(api, "global", player_id, score).status_code == 200
    submit(api, "other", "cheat", 50)
    submit(api, "other", "ann", 40)
    assert board(api, "global")[0] == ("cheat", 1, 10**6)

    made = sanction(moderator, "cheat")

    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["action"], body["reason"], body["until"], body["ended_at"]) == (
        "hide",
        "impossible scores",
        None,
        None,
    )
    assert body["created_by"] == "moderator"
    assert board(api, "global") == [("ann", 1, 300), ("bob", 2, 200), ("cy", 3, 100)]
    assert board(api, "other") == [("ann", 1, 40)]
    assert (total(api, "global"), players_count(api, "global")) == (3, 3)
    own = api.get("/api/v1/leaderboards/global/players/cheat")
    assert (own.status_code, own.json()["error"]["code"]) == (404, "player_not_found")
    history = api.get("/api/v1/leaderboards/global/players/cheat/history")
    assert (history.status_code, history.json()["error"]["code"]) == (404, "player_not_found")
    ann = api.get("/api/v1/leaderboards/global/players/ann", {"around": 5}).json()
    assert (ann["rank"], ann["total"], ann["percentile"]) == (1, 3, 66.7)
    assert [e["player_id"] for e in ann["around"]] == ["ann", "bob", "cy"]
    assert [row["name"] for row in api.get("/getdata").json()] == [
        "Name of ann",
        "Name of bob",
        "Name of cy",
    ]
    verified()  # hidden entries are absent on purpose: no drift

    # Hidden, their submissions are still taken and stored, and shown nowhere.
    kept = submit(api, "global", "cheat", 2 * 10**6)
    new_board = submit(api, "other", "cheat", 70)
    assert (kept.status_code, kept.json()["rank"], kept.json()["updated"]) == (200, None, True)
    assert new_board.status_code == 200
    assert Score.objects.get(board=global_board, player_id="cheat").value == 2 * 10**6
    assert board(api, "global")[0][0] == "ann"
    verified()

    lifted = lift(moderator, "cheat", body["id"])

    assert lifted.status_code == 204
    assert board(api, "global")[0] == ("cheat", 1, 2 * 10**6)
    assert board(api, "other") == [("cheat", 1, 70), ("ann", 2, 40)]
    assert players_count(api, "global") == 4
    verified()
    actions = list(
        AuditEntry.objects.filter(action__startswith="sanction.")
        .order_by("id")
        .values_list("action", "actor", "target")
    )
    assert actions == [
        ("sanction.create", "moderator", "player:cheat"),
        ("sanction.lift", "moderator", "player:cheat"),
    ]
    assert other.pk  # both boards followed in the one request each way


def test_a_ban_refuses_submissions_and_a_batch_naming_the_item(api, global_board, moderator):
    submit(api, "global", "cheat", 10)
    submit(api, "global", "ann", 5)
    made = sanction(moderator, "cheat", "ban").json()

    alone = submit(api, "global", "cheat", 99)
    batch = api.post(
        "/api/v1/scores/batch",
        {
            "scores": [
                {"leaderboard": "global", "player_id": "ann", "score": 50},
                {"leaderboard": "global", "player_id": "cheat", "score": 99},
            ]
        },
        content_type="application/json",
    )

    assert (alone.status_code, alone.json()["error"]["code"]) == (403, "player_banned")
    assert (batch.status_code, batch.json()["error"]["code"]) == (403, "player_banned")
    assert batch.json()["error"]["message"].startswith("scores[1]:")
    assert Score.objects.get(player_id="ann").value == 5  # the refused batch applied nothing
    assert Score.objects.get(player_id="cheat").value == 10
    assert board(api, "global") == [("ann", 1, 5)]
    assert Player.objects.filter(player_id="cheat", hidden=True, banned=True).exists()

    lift(moderator, "cheat", made["id"])

    assert submit(api, "global", "cheat", 99).status_code == 200
    assert board(api, "global") == [("cheat", 1, 99), ("ann", 2, 5)]
    verified()


def test_a_hidden_player_in_a_batch_is_stored_and_not_shown(api, global_board, moderator):
    submit(api, "global", "cheat", 10)
    sanction(moderator, "cheat")

    answer = api.post(
        "/api/v1/scores/batch",
        {
            "scores": [
                {"leaderboard": "global", "player_id": "cheat", "score": 500},
                {"leaderboard": "global", "player_id": "ann", "score": 50, "name": "Ann"},
            ]
        },
        content_type="application/json",
    )

    assert answer.status_code == 200, answer.content
    assert [r["rank"] for r in answer.json()["results"]] == [None, 1]
    assert board(api, "global") == [("ann", 1, 50)]
    assert Score.objects.get(player_id="cheat").value == 500
    verified()


def test_until_ends_a_sanction_at_the_first_read_after_it(api, global_board, moderator, now):
    submit(api, "global", "cheat", 10)
    submit(api, "global", "ann", 5)
    until = now.moment.replace(hour=13)
    made = sanction(moderator, "cheat", "ban", until=until.isoformat())
    assert made.json()["until"] == until.isoformat()
    assert board(api, "global") == [("ann", 1, 5)]

    now.advance(minutes=59)
    assert board(api, "global") == [("ann", 1, 5)]
    assert submit(api, "global", "cheat", 11).status_code == 403

    now.advance(minutes=1)

    assert board(api, "global") == [("cheat", 1, 10), ("ann", 2, 5)]
    listed = moderator.get("/api/v1/players/cheat/sanctions").json()["sanctions"]
    assert [(s["id"], s["ended_at"], s["ended_by"]) for s in listed] == [
        (made.json()["id"], until.isoformat(), "expiry")
    ]
    assert AuditEntry.objects.filter(action="sanction.expire", actor="expiry").count() == 1
    assert submit(api, "global", "cheat", 11).status_code == 200
    verified()


def test_overlapping_sanctions_end_only_when_the_last_one_does(api, global_board, moderator):
    submit(api, "global", "cheat", 10)
    first = sanction(moderator, "cheat", "ban").json()
    second = sanction(moderator, "cheat", "hide").json()

    lift(moderator, "cheat", first["id"])

    assert Player.objects.filter(player_id="cheat", hidden=True, banned=False).exists()
    assert board(api, "global") == []
    assert submit(api, "global", "cheat", 20).status_code == 200  # hidden, not banned
    assert lift(moderator, "cheat", first["id"]).status_code == 204  # again: nothing to do
    assert AuditEntry.objects.filter(action="sanction.lift").count() == 1

    lift(moderator, "cheat", second["id"])

    assert board(api, "global") == [("cheat", 1, 20)]


def test_a_hidden_winner_leaves_the_periods_and_a_lift_restores_them(
    api,
    global_board,
    moderator,
    now,
):
    resetting_board("daily", "daily")
    submit(api, "daily", "cheat", 999)
    submit(api, "daily", "ann", 70)
    submit(api, "daily", "bob", 60)
    now.advance(days=1, minutes=5)
    call_command("close_periods", verbosity=0)
    submit(api, "daily", "cheat", 5)  # today's period too
    submit(api, "daily", "ann", 1)

    def periods() -> list[tuple[str, int, str | None]]:
        found = api.get("/api/v1/leaderboards/daily/periods").json()["periods"]
        return [
            (p["id"], p["players"], p["winner"]["player_id"] if p["winner"] else None)
            for p in found
        ]

    assert periods() == [("2026-11-26", 2, "cheat"), ("2026-11-25", 3, "cheat")]

    made = sanction(moderator, "cheat").json()

    assert periods() == [("2026-11-26", 1, "ann"), ("2026-11-25", 2, "ann")]
    yesterday = board(api, "daily", period="2026-11-25")
    assert yesterday == [("ann", 1, 70), ("bob", 2, 60)]
    archive = PeriodArchive.objects.get(period="2026-11-25")
    assert (archive.winner_id, archive.players) == ("cheat", 3)  # the archive keeps the truth

    lift(moderator, "cheat", made["id"])

    assert periods() == [("2026-11-26", 2, "cheat"), ("2026-11-25", 3, "cheat")]
    assert board(api, "daily", period="2026-11-25")[0] == ("cheat", 1, 999)
    verified()


def test_rank_movement_counts_as_if_the_hidden_player_was_never_there(
    api,
    global_board,
    moderator,
    now,
):
    for player_id, score in (("ann", 300), ("bob", 200), ("cy", 100)):
        submit(api, "global", player_id, score)
    now.advance(days=1)  # the day's snapshot: ann, bob, cy
    submit(api, "global", "cheat", 10**6)

    def moves() -> dict[str, int | None]:
        entries = api.get("/api/v1/leaderboards/global/entries").json()["entries"]
        return {e["player_id"]: e["rank_change"] for e in entries}

    assert moves() == {"cheat": None, "ann": -1, "bob": -1, "cy": -1}

    sanction(moderator, "cheat")

    assert moves() == {"ann": 0, "bob": 0, "cy": 0}
    rebuild.ranking_rebuild(ranking=boards.ranking_of(global_board, now.moment))
    assert moves() == {"ann": 0, "bob": 0, "cy": 0}  # rebuilt mid-day from the history too
    submit(api, "global", "bob", 400)  # and movement goes on as usual
    assert moves() == {"bob": 1, "ann": -1, "cy": 0}


def test_a_hide_takes_one_request_and_no_board_scan_however_many_boards(
    api, global_board, moderator
):
    slugs = [f"b{i}" for i in range(10)]
    for slug in slugs:
        make_board(slug)
        submit(api, slug, "cheat", 1000)
        for i in range(5):
            submit(api, slug, f"p{i}", i)
    one = make_board("solo")
    submit(api, one.slug, "loner", 1)

    with CaptureQueriesContext(connection) as on_ten:
        assert sanction(moderator, "cheat").status_code == 201
    with CaptureQueriesContext(connection) as on_one:
        assert sanction(moderator, "loner").status_code == 201

    assert all(board(api, slug)[0][0] == "p4" for slug in slugs)
    assert len(on_ten.captured_queries) == len(on_one.captured_queries)
    scores_table = Score._meta.db_table
    for query in on_ten.captured_queries:
        sql = query["sql"]
        if scores_table in sql and "player_id" not in sql:
            pytest.fail(f"a query reads scores without the player: {sql}")
    assert store.ranking_size(ranking="b0") == 5
    verified()


def test_sanction_requests_are_checked(api, global_board, moderator, now):
    submit(api, "global", "p", 1)

    def refused(answer, status: int, code: str) -> str:
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
        return answer.json()["error"]["message"]

    assert refused(sanction(moderator, "p", "mute"), 400, "invalid").startswith("action:")
    past = now.moment.replace(hour=11).isoformat()
    assert refused(sanction(moderator, "p", until=past), 400, "invalid").startswith("until:")
    no_zone = sanction(moderator, "p", until="2027-01-01T00:00:00")
    assert refused(no_zone, 400, "invalid").startswith("until:")
    assert refused(sanction(moderator, "p", reason="x" * 501), 400, "invalid").startswith("reason")
    assert refused(sanction(moderator, "nobody"), 404, "not_found")
    assert refused(sanction(api, "p"), 403, "insufficient_scope")
    assert refused(moderator.get("/api/v1/players/nobody/sanctions"), 404, "not_found")
    assert refused(lift(moderator, "p", 12345), 404, "not_found")
    bad_id = moderator.delete("/api/v1/players/p/sanctions/99999999999999999999999")
    assert refused(bad_id, 400, "invalid").startswith("sanction_id")
    other_digits = moderator.delete("/api/v1/players/p/sanctions/1%D9%A1")  # 1 and Arabic 1
    assert refused(other_digits, 400, "invalid").startswith("sanction_id")
    control = sanction(moderator, "p", reason="bad\x85")
    assert refused(control, 400, "invalid").startswith("reason")
    assert refused(moderator.put("/api/v1/players/p/sanctions"), 405, "method_not_allowed")
    assert not Sanction.objects.exists()


def test_erasing_a_sanctioned_player_takes_the_sanctions_and_frees_the_id(
    api, global_board, moderator
):
    submit(api, "global", "cheat", 10)
    sanction(moderator, "cheat", "ban")

    assert moderator.delete("/api/v1/players/cheat").status_code == 204

    assert not Sanction.objects.exists()
    assert submit(api, "global", "cheat", 3).status_code == 200  # a new player, not banned
    assert board(api, "global") == [("cheat", 1, 3)]


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to run
@pytest.mark.parametrize("hidden_before", [False, True], ids=["hide", "lift"])
def test_a_write_that_meets_a_hide_or_lift_in_progress_ends_up_on_its_side(
    api, global_board, moderator, monkeypatch, hidden_before
):
    """A submission arrives while a hide (or lift) holds the player's row, its rows already
    given new versions: the write waits for it and lands as the new flags say, newer than
    the hide's (or lift's) own entries. Read before the wait, it would show a hidden player
    (or keep a lifted one off the board)."""
    submit(api, "global", "cheat", 10)
    if hidden_before:
        made = sanctions.sanction_create(
            player_id="cheat", action="hide", reason="", until=None, actor="t"
        )
    inside, release = threading.Event(), threading.Event()
    settle = sanctions._flags_settle

    def paused(player, moment) -> None:
        settle(player, moment)
        inside.set()
        assert release.wait(10)

    monkeypatch.setattr(sanctions, "_flags_settle", paused)
    done: list[object] = []

    def in_thread(action) -> threading.Thread:
        def run() -> None:
            try:
                done.append(action())
            except BaseException as exc:
                done.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    if hidden_before:
        moderating = in_thread(
            lambda: sanctions.sanction_lift(player_id="cheat", sanction_id=made.pk, actor="t")
        )
    else:
        moderating = in_thread(
            lambda: sanctions.sanction_create(
                player_id="cheat", action="hide", reason="", until=None, actor="t"
            )
        )
    assert inside.wait(10)
    writing = in_thread(
        lambda: services.score_submit(board=global_board, player_id="cheat", score=20)
    )
    time.sleep(0.3)  # the write is under way, waiting on the moderator's transaction
    release.set()
    moderating.join(10)
    writing.join(10)

    assert not [outcome for outcome in done if isinstance(outcome, BaseException)], done
    assert Score.objects.get(player_id="cheat").value == 20
    assert board(api, "global") == ([("cheat", 1, 20)] if hidden_before else [])
    verified()


def test_writes_racing_hides_and_lifts_lose_nothing_and_bring_nothing_back_wrongly(
    served_moderated,
):
    """Game servers keep submitting for the player (and another) while a moderator hides and
    lifts them, on the served backend (two workers): after each hide, once the writes in
    flight have landed, the player is on no board; after each lift, every board shows
    exactly what the database holds."""
    site, moderator_key = served_moderated(
        setup="from backend_site.rankings.models import Leaderboard; "
        "Leaderboard.objects.create(slug='race', title='Race', operator='increment')"
    )
    token = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    moderation = {"Authorization": f"Bearer {moderator_key}"}
    stop = threading.Event()
    errors: list[str] = []
    sent = {"cheat": 0, "ann": 0}

    def write(player_id: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                for slug in ("global", "race"):
                    answer = session.post(
                        f"{site.url}/api/v1/leaderboards/{slug}/scores",
                        json={"player_id": player_id, "score": 1, "name": player_id},
                        headers=token,
                        timeout=10,
                    )
                    if answer.status_code != 200:
                        errors.append(f"{answer.status_code} {answer.text}")
                sent[player_id] += 1

    def shown(slug: str) -> dict[str, int]:
        answer = requests.get(
            f"{site.url}/api/v1/leaderboards/{slug}/entries", headers=token, timeout=10
        )
        return {e["player_id"]: e["score"] for e in answer.json()["entries"]}

    writers = [threading.Thread(target=write, args=(pid,)) for pid in ("cheat", "ann")]
    for writer in writers:
        writer.start()
    try:
        deadline = time.monotonic() + 5
        while sent["cheat"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(4):
            made = requests.post(
                f"{site.url}/api/v1/players/cheat/sanctions",
                json={"action": "hide"},
                headers=moderation,
                timeout=10,
            )
            assert made.status_code == 201, made.text
            before = sent["cheat"]
            while sent["cheat"] < before + 3:  # writes that began before the hide have landed
                time.sleep(0.02)
            assert "cheat" not in shown("race") and "cheat" not in shown("global")
            lifted = requests.delete(
                f"{site.url}/api/v1/players/cheat/sanctions/{made.json()['id']}",
                headers=moderation,
                timeout=10,
            )
            assert lifted.status_code == 204
            before = sent["cheat"]
            while sent["cheat"] < before + 3:
                time.sleep(0.02)
            assert "cheat" in shown("race")
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
    assert errors == []
    race = shown("race")
    assert race == {"cheat": sent["cheat"], "ann": sent["ann"]}  # increments: none lost
    checked = site.manage("verify_rankings")
    assert checked.returncode == 0, checked.stdout + checked.stderr
