"""The outbox: each event is written with the change that causes it (and rolls back with
it), one delivery per subscribed active endpoint; leader.changed follows the #1 of a
board's current period through every write path, at one index-served query for a write
that does not move it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backend_site.rankings.models import (
    BoardLeader,
    Leaderboard,
    Score,
    WebhookDelivery,
    WebhookEvent,
)
from backend_site.rankings.webhooks import endpoints, leaders
from backend_site.rankings.writes import batch, closing, erasure, rollback, sanctions, services
from tests.backend.conftest import make_board, make_score, resetting_board

ALL = "period.closed,leader.changed,player.sanctioned,player.erased"


def events(type_: str | None = None) -> list[dict]:
    found = WebhookEvent.objects.order_by("id")
    if type_:
        found = found.filter(type=type_)
    return [{"type": e.type, "stream": e.stream, **e.data} for e in found]


def leads(board) -> list[tuple[str | None, str | None]]:
    """Each leader.changed of the board: (new #1, previous #1) ids."""
    return [
        (
            (e["leader"] or {}).get("player_id"),
            (e["previous"] or {}).get("player_id"),
        )
        for e in events("leader.changed")
        if e["board"] == board.slug
    ]


@pytest.fixture
def hooked(transactional_db, ranking_redis):
    """An active endpoint subscribed to everything, and one inactive."""
    live = endpoints.endpoint_create(url="https://game.example/a", events=ALL, actor="test")
    endpoints.endpoint_create(url="https://game.example/b", events=ALL, actor="test", active=False)
    return live


def test_a_submission_that_takes_the_lead_is_announced_and_one_that_does_not_is_not(hooked):
    board = make_board("cup")
    make_score(board, "ann", 10)
    make_score(board, "bob", 5)  # below ann: no change
    make_score(board, "bob", 20)  # bob takes the lead
    make_score(board, "ann", 15)  # ann improves, still second
    make_score(board, "bob", 1)  # not an improvement (best): nothing written
    assert leads(board) == [("ann", None), ("bob", "ann")]
    change = events("leader.changed")[-1]
    assert change["leader"] == {"player_id": "bob", "name": "Player bob", "score": 20}
    assert change["previous"] == {"player_id": "ann", "name": "Player ann"}
    assert change["stream"] == "board:cup" and change["period"] == ""
    # One delivery per event, to the active endpoint only.
    assert WebhookDelivery.objects.filter(endpoint=hooked).count() == 2
    assert WebhookDelivery.objects.count() == 2


def test_a_rolled_back_change_writes_no_event(hooked):
    board = make_board("cup")
    make_score(board, "ann", 10)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_score(board, "bob", 99)
        assert len(leads(board)) == 2  # written inside the transaction...
        raise RuntimeError("the caller fails after the write")
    assert leads(board) == [("ann", None)]  # ...and gone with it
    assert WebhookDelivery.objects.count() == 1
    assert BoardLeader.objects.get(board=board).player_id == "ann"


def test_a_ban_that_removes_the_leader_is_announced_and_so_is_the_lift(hooked):
    board = make_board("cup")
    make_score(board, "ann", 30)
    make_score(board, "bob", 20)
    sanctions.sanction_create(
        player_id="ann", action="ban", reason="cheat", until=None, actor="mod"
    )
    assert leads(board) == [("ann", None), ("bob", "ann")]
    sanctioned = events("player.sanctioned")
    assert sanctioned == [
        {
            "type": "player.sanctioned",
            "stream": "player:ann",
            "player_id": "ann",
            "sanction": sanctioned[0]["sanction"],
            "kind": "ban",
            "reason": "cheat",
            "until": None,
            "actor": "mod",
        }
    ]
    sanctions.players_lift_all(player_ids=["ann"], actor="mod")
    assert leads(board)[-1] == ("ann", "bob")


def test_a_batch_an_admin_edit_a_rollback_and_an_erasure_each_move_the_lead(hooked, now):
    board = make_board("cup")
    start = now()
    make_score(board, "ann", 30)
    now.advance(minutes=1)
    batch.scores_submit_batch(
        items=[
            batch.BatchItem("cup", "bob", 10, "Bob"),
            batch.BatchItem("cup", "bob", 40, None),  # bob passes ann within the batch
            batch.BatchItem("cup", "cy", 5, "Cy"),
        ]
    )
    assert leads(board) == [("ann", None), ("bob", "ann")]
    score = Score.objects.get(board=board, player_id="cy")
    score.value = 50
    services.score_set(score=score)  # the admin's edit
    assert leads(board)[-1] == ("cy", "bob")
    now.advance(minutes=1)
    rollback.player_rollback(player_id="cy", since=start)  # cy had no score then
    assert leads(board)[-1] == ("bob", "cy")
    erasure.player_erase(player_id="bob")
    # The erased leader is no longer named: previous is null, and player.erased says who.
    assert leads(board)[-1] == ("ann", None)
    assert events("player.erased") == [
        {"type": "player.erased", "stream": "player:bob", "player_id": "bob"}
    ]


def test_a_write_to_a_past_period_sends_no_leader_change(hooked, now):
    daily = resetting_board("daily-cup", "daily")
    make_score(daily, "ann", 10)
    yesterday = Score.objects.get(board=daily, player_id="ann").period
    now.advance(days=1)
    make_score(daily, "bob", 1)  # today's first: a change of today's #1
    old = Score(board=daily, player_id="bob", value=99, period=yesterday, achieved_at=now())
    services.score_set(score=old)  # an edit of yesterday: its result is period.closed's
    assert [(e["period"], e["leader"]["player_id"]) for e in events("leader.changed")] == [
        (yesterday, "ann"),
        (now().date().isoformat(), "bob"),
    ]


def test_period_closed_ranks_equal_scores_as_reads_do(hooked, now):
    """Equal scores share a rank in the event's top, as on every read: 1, 1, 3."""
    weekly = resetting_board("weekly-cup", "weekly")
    for player_id, score in (("ann", 10), ("bob", 10), ("cal", 5)):
        make_score(weekly, player_id, score)
    now.advance(days=8)
    closing.periods_close()
    (closed,) = events("period.closed")
    assert [(e["rank"], e["player_id"]) for e in closed["top"]] == [
        (1, "ann"),
        (1, "bob"),
        (3, "cal"),
    ]


def test_period_closed_carries_the_top_10_once(hooked, now, settings):
    weekly = resetting_board("weekly-cup", "weekly")
    for index in range(12):
        make_score(weekly, f"p{index:02}", 100 + index)
    week = weekly.period_at(now())
    sanctions.sanction_create(player_id="p11", action="hide", reason="", until=None, actor="m")
    now.advance(days=8)
    closing.periods_close()
    closing.periods_close()  # again: archived once, announced once
    closed = events("period.closed")
    assert len(closed) == 1
    assert {k: closed[0][k] for k in ("board", "period", "start", "end", "stream")} == {
        "board": "weekly-cup",
        "period": week.id,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "stream": "board:weekly-cup",
    }
    # The hidden p11 is left out, as every read leaves them out.
    assert closed[0]["top"] == [
        {"rank": rank, "player_id": f"p{i:02}", "name": f"Player p{i:02}", "score": 100 + i}
        for rank, i in enumerate(range(10, 0, -1), start=1)
    ]


def _submission_queries(board, player_id, score) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        make_score(board, player_id, score)
    return [q["sql"] for q in captured.captured_queries]


def test_a_plain_submission_pays_one_query_for_the_lead_unless_it_moved(
    hooked, monkeypatch, capsys
):
    """The check is one index-served query when the lead did not move; counted against the
    same submission with the check taken out (the cost before webhooks)."""
    board = make_board("cup")
    make_score(board, "ann", 100)
    make_score(board, "bob", 1)
    after = _submission_queries(board, "bob", 2)  # improves, stays second
    with monkeypatch.context() as patch:
        patch.setattr(leaders, "leaders_check", lambda **kwargs: None)
        before = _submission_queries(board, "bob", 3)
    leader_queries = [sql for sql in after if "rankings_boardleader" in sql]
    if connection.vendor == "postgresql":  # the check rides in the score's transaction
        assert after[after.index(leader_queries[0]) + 1 :][-1] == "COMMIT"
        assert "BEGIN" in after[: after.index(leader_queries[0])]
    assert len(after) == len(before) + 1 and len(leader_queries) == 1
    assert "ORDER BY s.value DESC" in leader_queries[0] and "LIMIT 1" in leader_queries[0]
    unchanged = _submission_queries(board, "bob", 1)  # nothing written: no check at all
    assert not [sql for sql in unchanged if "rankings_boardleader" in sql]
    taking = _submission_queries(board, "bob", 500)  # the lead moves: lock, event, deliveries
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] queries of a submission: {len(before)} without the "
            f"check, {len(after)} with it, {len(unchanged)} unchanged, {len(taking)} taking "
            "the lead"
        )
    assert leads(board)[-1] == ("bob", "ann")


@pytest.mark.django_db(transaction=True)
def test_an_event_is_written_with_no_endpoint_and_gets_no_delivery(ranking_redis):
    board = make_board("cup")
    make_score(board, "ann", 1)
    assert len(leads(board)) == 1 and not WebhookDelivery.objects.exists()


def test_an_endpoint_takes_only_the_events_it_subscribes_to(transactional_db, ranking_redis):
    leads_only = endpoints.endpoint_create(
        url="http://127.0.0.1:9/x", events="leader.changed", actor="test"
    )
    board = make_board("cup")
    make_score(board, "ann", 1)
    sanctions.sanction_create(
        player_id="ann",
        action="hide",
        reason="",
        until=datetime.now(UTC) + timedelta(days=1),
        actor="m",
    )
    assert list(WebhookDelivery.objects.values_list("event__type", "endpoint")) == [
        ("leader.changed", leads_only.pk),
        ("leader.changed", leads_only.pk),  # the hide took ann off: nobody leads
    ]
    assert leads(board) == [("ann", None), (None, "ann")]


def test_boards_scored_before_the_release_take_their_leader_from_the_migration(hooked):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("backend_site.rankings.migrations.0015_board_leaders_now")
    board = make_board("cup")
    make_score(board, "ann", 10)
    BoardLeader.objects.all().delete()  # as before the release
    WebhookEvent.objects.all().delete()
    migration.leaders_record(apps, None)
    assert BoardLeader.objects.get(board=board).player_id == "ann"
    make_score(board, "bob", 5)  # not the lead: nothing to announce
    assert leads(board) == []
    make_score(board, "bob", 50)
    assert leads(board) == [("bob", "ann")]


def test_a_seed_and_a_flip_of_the_boards_order_each_announce_the_new_leader(hooked):
    from backend_site.rankings.writes import boards as board_writes
    from backend_site.rankings.writes import seeding

    given = [{"id": "ann", "name": "Ann", "score": 3}, {"id": "bob", "name": "Bob", "score": 9}]
    entries = seeding.seed_entries_parse(given, rng=random.Random(1))
    seeding.seed_apply(slug="cup", entries=entries)
    board = Leaderboard.objects.get(slug="cup")
    assert leads(board) == [("bob", None)]
    board_writes.board_change(slug="cup", changes={"order": "asc"}, actor="test")
    assert leads(board) == [("bob", None), ("ann", "bob")]  # lowest first now


def test_with_nobody_listening_for_leader_changed_a_submission_skips_the_check(
    transactional_db, ranking_redis
):
    """No endpoint subscribes: writes pay nothing for the lead (on PostgreSQL a plain
    submission stays one statement, no transaction); once one subscribes, the next move of
    the lead is announced against the #1 last recorded."""
    board = make_board("cup")
    endpoints.endpoint_create(url="https://game.example/a", events="period.closed", actor="t")
    make_score(board, "ann", 100)
    make_score(board, "bob", 1)
    queries = _submission_queries(board, "bob", 200)  # takes the lead, unheard
    assert not [sql for sql in queries if "rankings_boardleader" in sql]
    if connection.vendor == "postgresql":
        assert not [sql for sql in queries if sql.startswith(("BEGIN", "COMMIT"))], queries
    assert events("leader.changed") == []
    endpoints.endpoint_create(url="https://game.example/b", events="leader.changed", actor="t")
    make_score(board, "carl", 300)
    assert leads(board) == [("carl", None)]
