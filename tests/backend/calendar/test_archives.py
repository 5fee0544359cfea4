"""Boards that reset: periods in a board's zone, fed boards, reading any period, archives.

The clock is set by the tests (``clock.now``), never waited for.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from backend_site.rankings.calendar import boards, periods
from backend_site.rankings.models import Leaderboard, PeriodArchive, Score, ScoreEvent
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import boards as board_writes
from backend_site.rankings.writes import closing, services
from common.local_servers.sites import manage
from tests.backend.conftest import make_score, resetting_board

# --- periods.py: ids and bounds in the board's zone ---------------------------------------


def test_period_ids_name_the_day_iso_week_and_month_in_the_zone():
    moment = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already the 26th in Tokyo
    assert periods.period_at("daily", "UTC", moment).id == "2026-11-25"
    assert periods.period_at("daily", "Asia/Tokyo", moment).id == "2026-11-26"
    assert periods.period_at("weekly", "UTC", moment).id == "2026-W48"
    assert periods.period_at("monthly", "UTC", moment).id == "2026-11"
    assert periods.period_at("never", "UTC", moment) is None
    week = periods.period_at("weekly", "UTC", moment)
    assert week.start == datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
    assert week.end == datetime(2026, 11, 30, tzinfo=UTC)
    # ISO weeks: 2026-12-31 is in week 53 of 2026, 2027-01-04 starts 2027-W01.
    assert periods.period_at("weekly", "UTC", datetime(2026, 12, 31, tzinfo=UTC)).id == "2026-W53"
    assert periods.period_at("weekly", "UTC", datetime(2027, 1, 4, tzinfo=UTC)).id == "2027-W01"


def test_a_daylight_saving_day_is_23_or_25_hours_long_and_ends_at_local_midnight():
    # Europe/Paris: clocks went forward on 2026-03-29 and go back on 2026-10-25.
    def length(period: periods.Period) -> timedelta:
        return period.end.astimezone(UTC) - period.start.astimezone(UTC)

    spring = periods.period_parse("daily", "Europe/Paris", "2026-03-29")
    assert length(spring) == timedelta(hours=23)
    assert spring.start.astimezone(UTC) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert spring.end.astimezone(UTC) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    autumn = periods.period_parse("daily", "Europe/Paris", "2026-10-25")
    assert length(autumn) == timedelta(hours=25)
    # One microsecond either side of the boundary falls in different periods.
    boundary = autumn.end
    assert periods.period_at("daily", "Europe/Paris", boundary).id == "2026-10-26"
    before = boundary - timedelta(microseconds=1)
    assert periods.period_at("daily", "Europe/Paris", before).id == "2026-10-25"
    # The week holding it is 7 days and an hour long.
    week = periods.period_at("weekly", "Europe/Paris", boundary - timedelta(hours=1))
    assert length(week) == timedelta(days=7, hours=1)


def test_period_ids_that_name_no_period_are_refused():
    assert periods.period_parse("daily", "UTC", "2026-02-30") is None
    assert periods.period_parse("daily", "UTC", "2026-W48") is None
    assert periods.period_parse("weekly", "UTC", "2026-W54") is None
    assert periods.period_parse("monthly", "UTC", "2026-13") is None
    assert periods.period_parse("monthly", "UTC", "2026-11").end == datetime(
        2026, 12, 1, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="Unknown time zone"):
        periods.zone("Mars/Olympus")


# --- writes: one submission, every window -------------------------------------------------


def test_a_score_on_the_source_lands_in_each_fed_board_with_its_own_operator_and_period(
    global_board, now
):
    daily = resetting_board("g-daily", "daily", source=global_board)
    total = resetting_board("g-total", "weekly", source=global_board, operator="increment")
    make_score(global_board, "ann", 100)
    result = make_score(global_board, "ann", 40)
    assert (result.score, result.updated) == (100, False)
    also = {fed.slug: fed for fed in result.also}
    assert (also["g-daily"].score, also["g-daily"].updated, also["g-daily"].rank) == (100, False, 1)
    assert (also["g-total"].score, also["g-total"].updated) == (140, True)
    assert Score.objects.get(board=daily, player_id="ann").period == "2026-11-25"
    assert Score.objects.get(board=total, player_id="ann").period == "2026-W48"
    assert Score.objects.get(board=global_board, player_id="ann").period == ""
    # Every accepted change is a history event, on each board it changed.
    events = ScoreEvent.objects.filter(player_id="ann").values_list("board__slug", "value")
    assert sorted(events) == [("g-daily", 100), ("g-total", 100), ("g-total", 140), ("global", 100)]


def test_the_post_answer_lists_the_fed_boards(api, global_board, now):
    resetting_board("g-daily", "daily", source=global_board)
    answer = api.post(
        "/api/v1/leaderboards/global/scores",
        {"player_id": "ann", "score": 5, "name": "Ann"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["also"] == [
        {"leaderboard": "g-daily", "score": 5, "rank": 1, "updated": True}
    ]
    batch = api.post(
        "/api/v1/scores/batch",
        {"scores": [{"leaderboard": "global", "player_id": "bob", "score": 9, "name": "Bob"}]},
        content_type="application/json",
    )
    assert batch.status_code == 200, batch.content
    assert batch.json()["results"][0]["also"] == [
        {"leaderboard": "g-daily", "score": 9, "rank": 1, "updated": True}
    ]


def test_a_batch_feeds_the_fed_boards_in_the_period_in_force(api, global_board, now):
    daily = resetting_board("g-daily", "daily", source=global_board)
    body = {
        "scores": [
            {"leaderboard": "global", "player_id": "ann", "score": 3, "name": "Ann"},
            {"leaderboard": "global", "player_id": "ann", "score": 7},
        ]
    }
    assert (
        api.post("/api/v1/scores/batch", body, content_type="application/json").status_code == 200
    )
    now.advance(days=1)
    body = {"scores": [{"leaderboard": "global", "player_id": "ann", "score": 5}]}
    answer = api.post("/api/v1/scores/batch", body, content_type="application/json").json()
    assert answer["results"][0]["also"][0] == {
        "leaderboard": "g-daily",
        "score": 5,
        "rank": 1,
        "updated": True,
    }
    rows = Score.objects.filter(board=daily).values_list("period", "value").order_by("period")
    assert list(rows) == [("2026-11-25", 7), ("2026-11-26", 5)]


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize(
    ("reset", "period_id"),
    [
        ("daily", "9999-12-31"),
        ("daily", "0001-01-01"),
        ("weekly", "9999-W52"),
        ("weekly", "0001-W01"),
        ("monthly", "9999-12"),
        ("monthly", "0001-01"),
    ],
)
def test_periods_at_the_edges_of_the_calendar_name_no_period_and_never_overflow(
    reset, period_id, tz
):
    assert periods.period_parse(reset, tz, period_id) is None


def test_the_latest_period_named_still_has_a_period_before_and_an_end():
    last = periods.period_parse("monthly", "Pacific/Kiritimati", "9999-10")

    assert last.end.year == 9999
    assert periods.period_before("monthly", "Pacific/Kiritimati", last).id == "9999-09"


@pytest.mark.parametrize(
    ("slug", "reset", "period_id"),
    [
        ("edge-daily", "daily", "9999-12-31"),
        ("edge-daily", "daily", "0001-01-01"),
        ("edge-weekly", "weekly", "9999-W52"),
        ("edge-weekly", "weekly", "2099-W53"),
        ("edge-monthly", "monthly", "9999-12"),
    ],
)
def test_reading_a_period_at_the_edge_of_the_calendar_is_a_404_in_the_error_shape(
    api, now, slug, reset, period_id
):
    resetting_board(slug, reset)
    make_score(Leaderboard.objects.get(slug=slug), "ann", 10)

    for path in (
        f"/api/v1/leaderboards/{slug}/entries?period={period_id}",
        f"/api/v1/leaderboards/{slug}/players/ann?period={period_id}",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert set(response.json()["error"]) == {"code", "message"}


# --- reads: any period ---------------------------------------------------------------------


def test_the_first_read_after_the_boundary_sees_a_new_empty_period_and_previous_is_readable(
    api, global_board, now
):
    resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 10)
    make_score(global_board, "bob", 20)
    page = api.get("/api/v1/leaderboards/g-daily/entries").json()
    assert page["period"]["id"] == "2026-11-25"
    assert page["total"] == 2
    now.set(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))  # midnight exactly
    page = api.get("/api/v1/leaderboards/g-daily/entries").json()
    assert (page["period"]["id"], page["total"], page["entries"]) == ("2026-11-26", 0, [])
    previous = api.get("/api/v1/leaderboards/g-daily/entries?period=previous").json()
    assert previous["period"] == {
        "id": "2026-11-25",
        "start": "2026-11-25T00:00:00+00:00",
        "end": "2026-11-26T00:00:00+00:00",
    }
    assert [(e["player_id"], e["rank"]) for e in previous["entries"]] == [("bob", 1), ("ann", 2)]
    by_id = api.get("/api/v1/leaderboards/g-daily/players/ann?period=2026-11-25").json()
    assert (by_id["rank"], by_id["total"], by_id["percentile"]) == (2, 2, 0.0)
    # The all-time board did not reset.
    assert api.get("/api/v1/leaderboards/global/entries").json()["total"] == 2


def test_a_past_period_gone_from_redis_is_loaded_back_from_the_database(
    api, global_board, now, ranking_redis
):
    resetting_board("g-weekly", "weekly", source=global_board)
    for number in range(30):
        make_score(global_board, f"p{number:02d}", number)
    now.advance(days=7)
    ranking_redis.flushall()
    page = api.get("/api/v1/leaderboards/g-weekly/entries?period=2026-W48&offset=10&limit=3")
    body = page.json()
    assert body["total"] == 30
    assert [e["player_id"] for e in body["entries"]] == ["p19", "p18", "p17"]
    around = api.get("/api/v1/leaderboards/g-weekly/players/p05?period=previous&around=1").json()
    assert (around["rank"], [e["rank"] for e in around["around"]]) == (25, [24, 25, 26])
    # Kept for a while, not for ever.
    assert 0 < ranking_redis.ttl("lb:{g-weekly/2026-W48}:meta") <= 3600


@pytest.mark.parametrize(
    "query",
    ["period=2026-11-27", "period=2025-12-31", "period=2026-W48", "period=2026-02-30"],
)
def test_a_period_the_board_never_had_is_a_404(api, global_board, now, query):
    resetting_board("g-daily", "daily", source=global_board)
    answer = api.get(f"/api/v1/leaderboards/g-daily/entries?{query}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_malformed_period_is_a_400_and_a_never_board_has_only_current(api, global_board, now):
    assert api.get("/api/v1/leaderboards/global/entries?period=yesterday").status_code == 400
    assert api.get("/api/v1/leaderboards/global/entries?period=current").status_code == 200
    never = api.get("/api/v1/leaderboards/global/entries?period=previous")
    assert never.status_code == 404
    assert api.get("/api/v1/leaderboards/global/entries").json()["period"] is None


def test_the_overview_shows_each_boards_reset_zone_source_and_period(api, global_board, now):
    resetting_board("g-daily", "daily", tz="America/New_York", source=global_board)
    make_score(global_board, "ann", 1)
    rows = {row["slug"]: row for row in api.get("/api/v1/leaderboards").json()["leaderboards"]}
    assert rows["global"]["reset"] == "never"
    assert rows["global"]["period"] is None
    assert rows["g-daily"] == {
        "slug": "g-daily",
        "title": "G-Daily",
        "order": "desc",
        "operator": "best",
        "players": 1,
        "reset": "daily",
        "timezone": "America/New_York",
        "min_score": None,
        "max_score": None,
        "max_increment": None,
        "max_submissions_per_minute": None,
        "source": "global",
        "subscores": [],
        "period": {
            "id": "2026-11-25",
            "start": "2026-11-25T00:00:00-05:00",
            "end": "2026-11-26T00:00:00-05:00",
        },
    }


# --- archives --------------------------------------------------------------------------------


def test_periods_are_listed_newest_first_with_players_and_winner(api, global_board, now):
    resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 10)
    make_score(global_board, "bob", 30)
    now.advance(days=1)
    make_score(global_board, "ann", 50)
    now.advance(days=1, minutes=2)  # past the 60 s grace of both earlier days
    make_score(global_board, "cid", 5, name="Cid <b>")
    body = api.get("/api/v1/leaderboards/g-daily/periods").json()
    listed = [(p["id"], p["players"], p["winner"], p["closed"]) for p in body["periods"]]
    assert listed == [
        ("2026-11-27", 1, {"player_id": "cid", "name": "Cid <b>", "score": 5}, False),
        ("2026-11-26", 1, {"player_id": "ann", "name": "Player ann", "score": 50}, True),
        ("2026-11-25", 2, {"player_id": "bob", "name": "Player bob", "score": 30}, True),
    ]
    assert api.get("/api/v1/leaderboards/global/periods").json()["periods"] == []
    assert api.get("/api/v1/leaderboards/g-daily/periods?limit=0").status_code == 400


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to run
@pytest.mark.django_db(transaction=True)
def test_writers_racing_across_a_boundary_land_each_score_in_one_period_and_archive_once(
    global_board, now, ranking_redis
):
    """Eight writers submit while the clock crosses midnight; then eight readers race to
    archive the closed day. Every accepted score is in exactly one period (the one its
    acceptance named), and the archive is written once, with every player of that day."""
    daily = resetting_board("g-daily", "daily", source=global_board)
    # Each reading of the clock moves it a millisecond: the boundary falls after 80 of the
    # ~300 readings the 96 submissions make, whatever the threads' speed.
    now.set(datetime(2026, 11, 25, 23, 59, 59, 920_000, tzinfo=UTC))
    now.tick = timedelta(milliseconds=1)
    accepted: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    go = threading.Barrier(9)

    def writer(number: int) -> None:
        try:
            go.wait()
            for round_ in range(12):
                player = f"w{number}-{round_}"
                result = services.score_submit(
                    board=global_board, player_id=player, score=round_, name=player
                )
                accepted.append((player, result.also[0].ranking))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    go.wait()
    for thread in threads:
        thread.join()
    assert not errors, errors
    rows = dict(Score.objects.filter(board=daily).values_list("player_id", "period"))
    assert len(rows) == len(accepted) == 96
    for player, ranking in accepted:
        assert ranking == f"g-daily/{rows[player]}"
    assert set(rows.values()) == {"2026-11-25", "2026-11-26"}
    closed_day = sum(1 for period in rows.values() if period == "2026-11-25")

    now.tick = timedelta(0)
    now.set(datetime(2026, 11, 26, 0, 1, 1, tzinfo=UTC))  # grace over
    boards.boards_forget()
    closing._closed.clear()
    go = threading.Barrier(8)

    def reader() -> None:
        try:
            go.wait()
            known = boards.board_known("g-daily", fresh=True)
            closing.periods_close_due(known, now())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    readers = [threading.Thread(target=reader) for _ in range(8)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    assert not errors, errors
    archive = PeriodArchive.objects.get(board=daily)
    assert (archive.period, archive.players) == ("2026-11-25", closed_day)
    call_command("close_periods", verbosity=0)
    assert PeriodArchive.objects.filter(board=daily).count() == 1


def test_close_periods_archives_every_ended_period_once(global_board, now, capsys):
    daily = resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 1)
    now.advance(days=3)
    call_command("close_periods")
    assert list(
        PeriodArchive.objects.filter(board=daily)
        .values_list("period", "players")
        .order_by("period")
    ) == [("2026-11-25", 1), ("2026-11-27", 0)]
    call_command("close_periods")
    assert PeriodArchive.objects.filter(board=daily).count() == 2
    assert "Archived g-daily 2026-11-25." in capsys.readouterr().out


def test_a_period_is_not_archived_before_its_grace_is_over(api, global_board, now):
    daily = resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 1)
    now.set(datetime(2026, 11, 26, 0, 0, 30, tzinfo=UTC))
    api.get("/api/v1/leaderboards/g-daily/entries")
    call_command("close_periods", verbosity=0)
    assert not PeriodArchive.objects.filter(board=daily).exists()
    now.set(datetime(2026, 11, 26, 0, 1, 1, tzinfo=UTC))
    api.get("/api/v1/leaderboards/g-daily/entries")
    assert PeriodArchive.objects.get(board=daily).players == 1


# --- boards' settings ----------------------------------------------------------------------


def test_a_board_with_scores_keeps_its_reset_and_zone(global_board, now):
    resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 1)
    for changes in ({"reset": "weekly"}, {"timezone": "Europe/Paris"}):
        with pytest.raises(board_writes.BoardSettingFixed, match="fixed once the board has"):
            board_writes.board_change(slug="g-daily", changes=changes, actor="test")
    assert Leaderboard.objects.values_list("reset", "timezone").get(slug="g-daily") == (
        "daily",
        "UTC",
    )


def test_a_fresh_install_has_daily_and_weekly_boards_fed_by_global(tmp_path, make_database_url):
    env = {
        "DATABASE_URL": make_database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "backend_site.settings",
    }
    manage("migrate", "--no-input", env=env, check=True)
    listed = manage(
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard as L;"
        "print(sorted((b.slug, b.reset, b.source.slug if b.source else None) "
        "for b in L.objects.all()))",
        env=env,
        check=True,
    ).stdout
    assert "('global', 'never', None)" in listed
    assert "('global-daily', 'daily', 'global')" in listed
    assert "('global-weekly', 'weekly', 'global')" in listed


def test_scores_around_midnight_on_a_daylight_saving_day_land_in_the_local_day(
    api, global_board, now
):
    """Paris leaves summer time on 2026-10-25: that day runs 25 hours, to 23:00 UTC."""
    paris = resetting_board("g-paris", "daily", tz="Europe/Paris", source=global_board)
    now.set(datetime(2026, 10, 25, 22, 59, 59, 999_999, tzinfo=UTC))  # 23:59:59.999999 CET
    make_score(global_board, "late", 10)
    now.set(datetime(2026, 10, 25, 23, 0, tzinfo=UTC))  # 00:00 CET on the 26th
    make_score(global_board, "early", 20)
    rows = dict(Score.objects.filter(board=paris).values_list("player_id", "period"))
    assert rows == {"late": "2026-10-25", "early": "2026-10-26"}
    page = api.get("/api/v1/leaderboards/g-paris/entries?period=previous").json()
    assert page["period"] == {
        "id": "2026-10-25",
        "start": "2026-10-25T00:00:00+02:00",
        "end": "2026-10-26T00:00:00+01:00",
    }
    assert [e["player_id"] for e in page["entries"]] == ["late"]
    current = api.get("/api/v1/leaderboards/g-paris/entries").json()
    assert [e["player_id"] for e in current["entries"]] == ["early"]


def test_rank_change_counts_from_the_boards_local_midnight(api, global_board, now, ranking_redis):
    """A day of scores, then the next: movement is measured against 00:00 in the board's
    zone (New York here), and players new since then have none."""
    now.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 15:00 in New York
    nyc = resetting_board("g-nyc", "weekly", tz="America/New_York", source=global_board)
    for player, score in {"a": 30, "b": 20, "c": 10}.items():
        make_score(global_board, player, score)
    first = api.get("/api/v1/leaderboards/g-nyc/entries").json()["entries"]
    assert [e["rank_change"] for e in first] == [None, None, None]  # new this day
    now.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))  # 00:00 in New York: a new snapshot
    api.get("/api/v1/leaderboards/g-nyc/entries")
    make_score(global_board, "c", 40)  # from third to first
    make_score(global_board, "d", 25)  # new today
    entries = api.get("/api/v1/leaderboards/g-nyc/entries").json()["entries"]
    moves = {e["player_id"]: (e["rank"], e["rank_change"]) for e in entries}
    assert moves == {"c": (1, 2), "a": (2, -1), "d": (3, None), "b": (4, -2)}
    standing = api.get("/api/v1/leaderboards/g-nyc/players/b?around=1").json()
    assert standing["rank_change"] == -2
    assert [e["rank_change"] for e in standing["around"]] == [-1, None, -2]
    assert Score.objects.filter(board=nyc).values("period").distinct().count() == 1
    # Redis restarted empty: the ranking comes back with its movement, from the events.
    ranking_redis.flushall()
    again = api.get("/api/v1/leaderboards/g-nyc/entries").json()["entries"]
    assert {e["player_id"]: (e["rank"], e["rank_change"]) for e in again} == moves


def test_seed_fills_the_fed_boards_only_when_asked(global_board, now):
    daily = resetting_board("g-daily", "daily", source=global_board)
    call_command("seed", "--players", "3", "--random-seed", "1", verbosity=0)
    assert not Score.objects.filter(board=daily).exists()  # an import is no day's scores
    call_command("seed", "--players", "3", "--random-seed", "2", "--feed", verbosity=0)
    rows = Score.objects.filter(board=daily).values_list("period", flat=True)
    assert list(rows) == ["2026-11-25"] * 3
    page = selectors.board_top(slug="g-daily", offset=0, limit=10)
    assert page.total == 3
    # Movement counts from the import (the day's snapshot is taken when it lands).
    assert [entry.rank_change for entry in page.entries] == [0, 0, 0]
    last = page.entries[-1].player_id
    make_score(global_board, last, 10**9)
    moved = selectors.board_top(slug="g-daily", offset=0, limit=10).entries
    assert (moved[0].player_id, moved[0].rank_change) == (last, 2)


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to run
@pytest.mark.django_db(transaction=True)
def test_racing_first_scores_of_the_day_on_a_fed_board_are_all_accepted(
    global_board, now, ranking_redis
):
    """Many requests for one player, the day's first on the fed board: one creates its row,
    the others meet it in their own statement (invisible to its snapshot) and must take it
    as it stands, not call the player unknown."""
    daily = resetting_board("g-daily", "daily", source=global_board)
    make_score(global_board, "ann", 10**6)  # ann exists; today's row on g-daily is made below
    Score.objects.filter(board=daily).delete()
    errors: list[BaseException] = []
    go = threading.Barrier(12)

    def submit(score: int) -> None:
        try:
            go.wait()
            services.score_submit(board=global_board, player_id="ann", score=score)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(3):
        Score.objects.filter(board=daily).delete()
        threads = [threading.Thread(target=submit, args=(10 - n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert Score.objects.get(board=daily).value == 10
