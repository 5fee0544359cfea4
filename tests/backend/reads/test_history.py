"""Rank history (backend_site/rankings/reads/history.py): closing ranks of finished days taken once
from the score events, a player's points, the endpoint, and pruning old history."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import (
    DayRank,
    Leaderboard,
    Player,
    RankDay,
    Score,
    ScoreEvent,
)
from backend_site.rankings.reads import history
from tests.backend.conftest import make_board

pytestmark = pytest.mark.django_db(transaction=True)


def moment(text: str) -> datetime:
    """An aware instant, e.g. "2026-03-02T10:00Z"."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def day(text: str) -> date:
    return date.fromisoformat(text)


def board_with(*, reset: str = "never", zone: str = "UTC", order: str = "desc") -> Leaderboard:
    board = make_board(order=order)
    board.reset = reset
    board.timezone = zone
    board.save()
    return board


def events(board: Leaderboard, *rows: tuple[str, int | None, str]) -> None:
    """(player_id, value after the change or None when removed, when), in the period in force
    then, as the write paths append them."""
    for player_id, _, _ in rows:
        Player.objects.get_or_create(player_id=player_id, defaults={"name": f"P {player_id}"})
    made = []
    for player_id, value, at in rows:
        period = board.period_at(moment(at))
        made.append(
            ScoreEvent(
                board=board,
                player_id=player_id,
                value=value,
                at=moment(at),
                period=period.id if period else periods.NO_PERIOD,
            )
        )
    ScoreEvent.objects.bulk_create(made)


@pytest.fixture
def now(monkeypatch):
    """Set the backend's clock: ``now("2026-03-10T12:00Z")``."""

    def set_now(text: str) -> datetime:
        instant = moment(text)
        monkeypatch.setattr(clock, "now", lambda: instant)
        return instant

    return set_now


def closing(board: Leaderboard, when: str) -> list[tuple[int, str, int]]:
    """The closing (rank, player, score) rows of a day, taking it if needed."""
    history.days_take(board=board, day=day(when))
    rows = DayRank.objects.filter(board=board, day=day(when))
    return sorted((row.rank, row.player_id, row.score) for row in rows)


def points(board: Leaderboard, player_id: str, days: int) -> list[tuple[str, int, int]]:
    found = history.player_history(board=board, player_id=player_id, days=days)
    return [(point.date.isoformat(), point.score, point.rank) for point in found]


def test_closing_ranks_follow_players_overtaking_ties_and_removals(now):
    now("2026-03-10T12:00Z")
    board = board_with()
    events(
        board,
        ("a", 100, "2026-03-02T09:00Z"),
        ("b", 80, "2026-03-02T10:00Z"),
        ("c", 80, "2026-03-02T11:00Z"),
        ("d", 40, "2026-03-02T12:00Z"),
        ("d", 50, "2026-03-02T23:59:59.999999Z"),
        ("d", 120, "2026-03-03T08:00Z"),
        ("b", None, "2026-03-03T09:00Z"),
        ("c", 130, "2026-03-04T00:00Z"),
    )

    assert closing(board, "2026-03-02") == [(1, "a", 100), (2, "b", 80), (2, "c", 80), (4, "d", 50)]
    # a did not play: d passing them moves them down all the same; b is off the board.
    assert closing(board, "2026-03-03") == [(1, "d", 120), (2, "a", 100), (3, "c", 80)]
    assert closing(board, "2026-03-04") == [(1, "c", 130), (2, "d", 120), (3, "a", 100)]
    assert RankDay.objects.get(board=board, day=day("2026-03-03")).players == 3


def test_events_at_the_same_instant_count_in_the_order_they_were_appended(now):
    now("2026-03-10T12:00Z")
    board = board_with()
    events(board, ("a", 10, "2026-03-02T10:00Z"), ("a", 30, "2026-03-02T10:00Z"))
    events(board, ("a", 20, "2026-03-02T10:00Z"), ("b", 25, "2026-03-02T11:00Z"))

    assert closing(board, "2026-03-02") == [(1, "b", 25), (2, "a", 20)]


def test_on_an_ascending_board_the_lowest_score_ranks_first_and_ties_share(now):
    now("2026-03-10T12:00Z")
    board = board_with(order="asc")
    events(
        board,
        ("a", 30, "2026-03-02T10:00Z"),
        ("b", 10, "2026-03-02T10:00Z"),
        ("c", 20, "2026-03-02T10:00Z"),
        ("d", 10, "2026-03-02T10:00Z"),
    )

    assert closing(board, "2026-03-02") == [(1, "b", 10), (1, "d", 10), (3, "c", 20), (4, "a", 30)]


def test_a_day_ends_at_midnight_in_the_board_zone_across_a_daylight_saving_change(now):
    now("2026-03-12T12:00Z")
    board = board_with(zone="America/New_York")
    events(
        board,
        ("a", 10, "2026-03-08T04:30Z"),  # 23:30 EST on the 7th
        ("b", 20, "2026-03-09T03:30Z"),  # 23:30 EDT on the 8th, a 23-hour day
        ("c", 30, "2026-03-09T04:30Z"),  # 00:30 EDT on the 9th
    )

    assert closing(board, "2026-03-07") == [(1, "a", 10)]
    assert closing(board, "2026-03-08") == [(1, "b", 20), (2, "a", 10)]
    assert closing(board, "2026-03-09") == [(1, "c", 30), (2, "b", 20), (3, "a", 10)]


def test_a_weekly_board_ranks_each_day_in_the_week_in_force_at_its_end(now, ranking_redis):
    now("2026-03-10T12:00Z")  # a Tuesday; the week of 2 March ended on Sunday the 8th
    board = board_with(reset="weekly")
    events(
        board,
        ("a", 50, "2026-03-04T10:00Z"),
        ("b", 70, "2026-03-06T10:00Z"),
        ("c", 10, "2026-03-09T10:00Z"),  # the new week's first score
        ("a", 5, "2026-03-10T08:00Z"),
    )

    assert closing(board, "2026-03-08") == [(1, "b", 70), (2, "a", 50)]
    assert closing(board, "2026-03-09") == [(1, "c", 10)]
    assert points(board, "a", 10) == [
        ("2026-03-04", 50, 1),
        ("2026-03-05", 50, 1),
        ("2026-03-06", 50, 2),
        ("2026-03-07", 50, 2),
        ("2026-03-08", 50, 2),
    ]  # none on the 9th (a had no score that week yet), and no live score today


def test_a_day_is_taken_once_and_a_day_not_over_is_refused(now):
    current = now("2026-03-03T00:00:05Z")
    board = board_with()
    events(board, ("a", 1, "2026-03-02T10:00Z"), ("b", 2, "2026-03-02T11:00Z"))

    with pytest.raises(ValueError, match="not ended"):
        history.days_take(board=board, day=day("2026-03-03"))
    with pytest.raises(ValueError, match="not ended"):  # ended, but a write may be committing
        history.days_take(board=board, day=day("2026-03-02"))
    now((current + history.SETTLE).isoformat())
    assert history.days_take(board=board, day=day("2026-03-02")) is True
    assert history.days_take(board=board, day=day("2026-03-02")) is False

    assert RankDay.objects.filter(board=board).count() == 1
    assert DayRank.objects.filter(board=board).count() == 2


@pytest.mark.postgres_only
def test_threads_taking_the_same_day_at_once_write_it_once(now):
    now("2026-03-10T12:00Z")
    board = board_with()
    events(board, *[(f"p{n}", n, "2026-03-02T10:00Z") for n in range(50)])
    threads = 8
    start = threading.Barrier(threads)
    results = []

    def take():
        try:
            start.wait()
            results.append(history.days_take(board=board, day=day("2026-03-02")))
        finally:
            connection.close()

    workers = [threading.Thread(target=take) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(results) == [False] * (threads - 1) + [True]
    assert RankDay.objects.get(board=board, day=day("2026-03-02")).players == 50
    assert DayRank.objects.filter(board=board).count() == 50


def test_a_history_takes_only_the_days_it_needs_and_skips_days_already_taken(now, ranking_redis):
    now("2026-03-10T12:00Z")
    board = board_with()
    events(board, ("a", 10, "2026-03-05T10:00Z"), ("b", 20, "2026-03-07T10:00Z"))
    RankDay.objects.create(board=board, day=day("2026-03-08"), players=0, taken_at=clock.now())

    assert points(board, "a", 30) == [
        ("2026-03-05", 10, 1),
        ("2026-03-06", 10, 1),
        ("2026-03-07", 10, 2),
        ("2026-03-09", 10, 2),
    ]  # the 8th was marked taken (empty) already: it is not taken again
    taken = sorted(RankDay.objects.filter(board=board).values_list("day", flat=True))
    assert taken == [day(f"2026-03-0{n}") for n in range(5, 10)]
    assert points(board, "a", 2) == [("2026-03-09", 10, 2)]


def test_a_player_who_never_played_on_the_board_has_no_history(now, ranking_redis):
    now("2026-03-10T12:00Z")
    board = board_with()
    events(board, ("a", 10, "2026-03-05T10:00Z"))
    with pytest.raises(NotFound):
        history.player_history(board=board, player_id="b", days=30)


def test_days_take_recent_takes_yesterday_in_each_board_zone(now):
    now("2026-03-10T03:00Z")
    utc = board_with()
    pacific = board_with(zone="America/Los_Angeles")  # 20:00 on the 9th there
    events(utc, ("a", 1, "2026-03-09T10:00Z"))
    events(pacific, ("a", 1, "2026-03-08T10:00Z"))

    taken = history.days_take_recent(now=clock.now())

    assert {utc.slug, pacific.slug} <= set(taken)
    assert RankDay.objects.filter(board=utc).get().day == day("2026-03-09")
    assert RankDay.objects.filter(board=pacific).get().day == day("2026-03-08")
    assert DayRank.objects.filter(board=utc).count() == 1
    assert history.days_take_recent(now=clock.now()) == []


def test_days_take_recent_waits_for_writes_committing_across_midnight(now):
    now("2026-03-10T00:00:05Z")
    board = board_with()
    history.days_take_recent(now=clock.now())
    assert RankDay.objects.get(board=board).day == day("2026-03-08")


# --- The endpoint ------------------------------------------------------------------------


@pytest.fixture
def played_board(now):
    """A board on which a and b played on the 1st and 2nd of March; today is the 3rd."""
    now("2026-03-03T12:00Z")
    board = board_with()
    events(
        board,
        ("a", 10, "2026-03-01T10:00Z"),
        ("b", 20, "2026-03-01T11:00Z"),
        ("a", 30, "2026-03-02T10:00Z"),
    )
    for player_id, value in (("a", 30), ("b", 20)):
        Score.objects.create(board=board, player_id=player_id, value=value, achieved_at=clock.now())
    return board


def history_url(slug: str, player_id: str, query: str = "") -> str:
    return f"/api/v1/leaderboards/{slug}/players/{player_id}/history{query}"


def test_the_history_endpoint_answers_closing_points_and_today_live(api, played_board):
    answer = api.get(history_url(played_board.slug, "a", "?days=3"))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "leaderboard": played_board.slug,
        "player_id": "a",
        "days": 3,
        "points": [
            {"date": "2026-03-01", "score": 10, "rank": 2},
            {"date": "2026-03-02", "score": 30, "rank": 1},
            {"date": "2026-03-03", "score": 30, "rank": 1},
        ],
    }
    assert api.get(history_url(played_board.slug, "b")).json()["days"] == 30
    assert api.get(history_url(played_board.slug, "b", "?days=1")).json()["points"] == [
        {"date": "2026-03-03", "score": 20, "rank": 2}
    ]


@pytest.mark.parametrize("days", ["0", "366", "abc", "-1", "1.5"])
def test_days_out_of_bounds_is_a_400(api, played_board, days):
    answer = api.get(history_url(played_board.slug, "a", f"?days={days}"))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert "days" in answer.json()["error"]["message"]


def test_an_unknown_board_or_player_is_a_json_404(api, played_board):
    for url, code in (
        (history_url("no-such-board", "a"), "not_found"),
        (history_url(played_board.slug, "nobody"), "player_not_found"),
    ):
        answer = api.get(url)
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, code)
    assert api.get(history_url(played_board.slug, "a*b")).status_code == 400


def test_the_history_needs_the_service_token(api, played_board):
    assert Client().get(history_url(played_board.slug, "a")).status_code == 401


def test_a_history_reaches_no_further_back_than_the_retention(api, now, settings):
    settings.HISTORY_RETENTION_DAYS = 3
    now("2026-03-20T12:00Z")
    board = board_with()
    events(board, ("a", 10, "2026-03-01T10:00Z"))

    answer = api.get(history_url(board.slug, "a", "?days=30"))

    assert [point["date"] for point in answer.json()["points"]] == [
        "2026-03-17",
        "2026-03-18",
        "2026-03-19",
    ]
    assert min(RankDay.objects.filter(board=board).values_list("day", flat=True)) == day(
        "2026-03-17"
    )


# --- Pruning ----------------------------------------------------------------------------


def retake(board: Leaderboard, when: str) -> list[tuple[int, str, int]]:
    """The day's closing ranks taken anew from the events as they are now."""
    DayRank.objects.filter(board=board, day=day(when)).delete()
    RankDay.objects.filter(board=board, day=day(when)).delete()
    return closing(board, when)


def kept_events(board: Leaderboard) -> list[tuple[str, int | None, str]]:
    rows = ScoreEvent.objects.filter(board=board).order_by("at", "id")
    return [(e.player_id, e.value, e.at.date().isoformat()) for e in rows]


def test_pruning_keeps_what_the_kept_days_are_rebuilt_from(now, settings, capsys):
    settings.HISTORY_RETENTION_DAYS = 10
    now("2026-03-20T12:00Z")  # the cutoff: 10 March, 00:00 UTC (a Tuesday)
    never = board_with()
    events(
        never,
        ("a", 10, "2026-03-01T10:00Z"),
        ("b", 15, "2026-03-02T10:00Z"),
        ("a", 20, "2026-03-03T10:00Z"),
        ("b", None, "2026-03-04T10:00Z"),
        ("c", 5, "2026-03-05T10:00Z"),
        ("c", 40, "2026-03-11T10:00Z"),
        ("a", 25, "2026-03-12T10:00Z"),
    )
    weekly = board_with(reset="weekly")
    events(
        weekly,
        ("a", 90, "2026-03-03T10:00Z"),  # the week that ended on the 8th
        ("a", 10, "2026-03-09T10:00Z"),  # the week in force at the cutoff
        ("a", 12, "2026-03-09T11:00Z"),
        ("b", 11, "2026-03-11T10:00Z"),
    )
    daily = board_with(reset="daily")
    events(daily, ("a", 1, "2026-03-09T23:00Z"), ("a", 2, "2026-03-10T01:00Z"))
    days = ["2026-03-10", "2026-03-11", "2026-03-14"]
    before = {(b.slug, d): closing(b, d) for b in (never, weekly, daily) for d in days}
    closing(never, "2026-03-05")  # older than the retention: removed

    call_command("prune_history", "--chunk", "1")

    assert "Removed 5 score events, 2 day ranks and 1 taken days older than 10 days." in (
        capsys.readouterr().out
    )
    assert kept_events(never) == [
        ("a", 20, "2026-03-03"),
        ("b", None, "2026-03-04"),
        ("c", 5, "2026-03-05"),
        ("c", 40, "2026-03-11"),
        ("a", 25, "2026-03-12"),
    ]
    assert kept_events(weekly) == [
        ("a", 12, "2026-03-09"),
        ("b", 11, "2026-03-11"),
    ]
    assert kept_events(daily) == [("a", 2, "2026-03-10")]
    assert not RankDay.objects.filter(day__lt=day("2026-03-10")).exists()
    after = {(b.slug, d): retake(b, d) for b in (never, weekly, daily) for d in days}
    assert after == before
    assert before[(weekly.slug, "2026-03-10")] == [(1, "a", 12)]


def test_pruning_to_fewer_days_than_the_retention_is_refused(settings):
    settings.HISTORY_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="HISTORY_RETENTION_DAYS"):
        call_command("prune_history", "--days", "10")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_history", "--days", "0")


def test_a_later_history_still_matches_after_pruning(now, settings, ranking_redis):
    settings.HISTORY_RETENTION_DAYS = 5
    now("2026-03-10T12:00Z")
    board = board_with()
    events(
        board,
        *[
            (f"p{n}", 10 * n + d, f"2026-03-{d:02d}T{n:02d}:00Z")
            for d in range(1, 10)
            for n in range(4)
        ],
    )
    earlier = points(board, "p1", 30)
    RankDay.objects.all().delete()
    DayRank.objects.all().delete()
    call_command("prune_history", verbosity=0)

    assert points(board, "p1", 30) == earlier
    assert earlier == [(f"2026-03-0{d}", 10 + d, 3) for d in range(5, 10)]
    assert not ScoreEvent.objects.filter(at__lt=moment("2026-03-04T00:00Z")).exists()
