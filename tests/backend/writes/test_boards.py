"""Boards made, changed and deleted (writes/boards.py): Redis follows each change, the rules
hold against a first score arriving at the same moment, and each change is audited once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from backend_site.audit.models import AuditEntry
from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.errors import InvalidInput, NotFound
from backend_site.rankings.models import Leaderboard, Score
from backend_site.rankings.ranking_index import layout, store
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import boards as board_writes
from backend_site.rankings.writes import services
from tests.backend.conftest import make_board, make_score, make_scores

pytestmark = pytest.mark.django_db(transaction=True)


def board_order(slug: str) -> list[tuple[int, str, int]]:
    page = selectors.board_top(slug=slug, offset=0, limit=100)
    return [(e.rank, e.player_id, e.score) for e in page.entries]


def test_changing_a_boards_order_reranks_it(ranking_redis):
    board = make_board(order="desc")
    make_scores(board, {"a": 3, "b": 2, "c": 1})
    board_writes.board_change(slug=board.slug, changes={"order": "asc"}, actor="t")
    assert board_order(board.slug) == [(1, "c", 1), (2, "b", 2), (3, "a", 3)]


def test_a_new_title_reaches_the_rankings_record_in_redis(ranking_redis):
    board = make_board("arena", title="Arena")
    make_score(board, "a", 1)
    board_writes.board_change(slug="arena", changes={"title": "Arena 2"}, actor="t")
    assert ranking_redis.hget(layout.meta_key("arena"), "title") == b"Arena 2"


def test_a_deleted_board_is_gone_from_redis(ranking_redis):
    board = make_board(slug="doomed")
    make_score(board, "a", 1)
    board_writes.board_delete(slug="doomed", actor="t")
    assert not store.ranking_is_loaded(ranking="doomed")
    assert "doomed" not in [b.slug for b in selectors.leaderboards_overview()]
    with pytest.raises(NotFound):
        board_writes.board_delete(slug="doomed", actor="t")


def test_a_board_that_starts_to_reset_leaves_its_old_ranking_behind(ranking_redis):
    make_board("cup")
    assert board_order("cup") == []
    assert store.ranking_is_loaded(ranking="cup")

    board = board_writes.board_change(slug="cup", changes={"reset": "daily"}, actor="t")

    assert not store.ranking_is_loaded(ranking="cup")
    current = boards.ranking_of(board, clock.now()).name
    assert current.startswith("cup/")
    assert store.ranking_is_loaded(ranking=current)


def test_a_board_made_is_ranked_at_once_and_audited(ranking_redis, global_board):
    board = board_writes.board_create(
        slug="fed", settings={"source": "global", "operator": "increment"}, actor="tool"
    )
    make_score(global_board, "a", 5)
    make_score(global_board, "a", 5)

    assert board_order("fed") == [(1, "a", 10)]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target) == ("tool", "board.create", "board:fed")
    assert (entry.detail["source"], entry.detail["title"]) == ("global", "fed")
    assert board.pk == Leaderboard.objects.get(slug="fed").pk


def test_the_default_board_keeps_its_slug_and_is_never_deleted(ranking_redis, global_board):
    with pytest.raises(board_writes.BoardProtected, match="keeps its slug"):
        board_writes.board_change(slug="global", changes={"slug": "everyone"}, actor="t")
    with pytest.raises(board_writes.BoardProtected, match="cannot be deleted"):
        board_writes.board_delete(slug="global", actor="t")
    assert Leaderboard.objects.filter(slug="global").exists()
    assert not AuditEntry.objects.exists()


def test_a_slug_change_moves_the_board_and_refuses_a_taken_one(ranking_redis):
    make_score(make_board("old"), "a", 1)
    make_board("taken")

    with pytest.raises(board_writes.BoardExists):
        board_writes.board_change(slug="old", changes={"slug": "taken"}, actor="t")
    board_writes.board_change(slug="old", changes={"slug": "new"}, actor="t")

    assert board_order("new") == [(1, "a", 1)]
    assert not store.ranking_is_loaded(ranking="old")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target, entry.detail) == (
        "board.change",
        "board:old",
        {"slug": {"before": "old", "after": "new"}},
    )


def test_an_unknown_setting_is_refused_before_anything_changes(ranking_redis):
    make_board("arena")
    with pytest.raises(InvalidInput, match="colour: unknown setting"):
        board_writes.board_change(slug="arena", changes={"colour": "red"}, actor="t")
    with pytest.raises(InvalidInput, match="colour: unknown setting"):
        board_writes.board_create(slug="other", settings={"colour": "red"}, actor="t")
    assert not Leaderboard.objects.filter(slug="other").exists()


def test_the_fixed_settings_are_those_of_a_board_with_scores(ranking_redis):
    board = make_board("arena")
    assert board_writes.fixed_settings(board) == ()
    assert board_writes.fixed_settings(Leaderboard(slug="unsaved")) == ()
    make_score(board, "a", 1)
    assert board_writes.fixed_settings(board) == ("reset", "timezone", "subscores")


# --- a first score at the same moment -----------------------------------------------------


def in_thread(action, done: list) -> threading.Thread:
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


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to run
def test_a_first_score_under_way_keeps_the_reset_it_was_filed_under(ranking_redis):
    """The score's transaction has written its row, not committed yet: the change of reset
    waits for it, then sees the score and is refused (read before the wait, it would find
    no score and file the board's periods anew under it)."""
    board = make_board("cup")
    written, release = threading.Event(), threading.Event()

    def first_score() -> None:
        with transaction.atomic():
            services.score_submit(board=board, player_id="a", score=1, name="A")
            written.set()
            assert release.wait(10)

    done: list = []
    scoring = in_thread(first_score, done)
    assert written.wait(10)
    changing = in_thread(
        lambda: board_writes.board_change(slug="cup", changes={"reset": "daily"}, actor="t"),
        done,
    )
    time.sleep(0.3)
    assert changing.is_alive()  # waiting for the score's transaction
    release.set()
    scoring.join(10)
    changing.join(10)

    assert sorted(type(outcome).__name__ for outcome in done) == ["BoardSettingFixed", "NoneType"]
    assert Leaderboard.objects.get(slug="cup").reset == "never"
    assert Score.objects.get(board__slug="cup").period == ""


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to run
def test_a_first_score_sent_during_a_reset_change_lands_in_the_new_period(
    ranking_redis, monkeypatch
):
    """The change holds the scores while it checks and saves: a submission made meanwhile,
    with the board as it was, waits, then finds the board changed and is filed in the new
    reset's period."""
    board = make_board("cup")
    boards.board_known("cup")  # the submission's copy: the board as it was, never resetting
    inside, release = threading.Event(), threading.Event()
    checked = board_writes._checked

    def paused(changed: Leaderboard) -> None:
        checked(changed)
        inside.set()
        assert release.wait(10)

    monkeypatch.setattr(board_writes, "_checked", paused)
    done: list = []
    changing = in_thread(
        lambda: board_writes.board_change(slug="cup", changes={"reset": "daily"}, actor="t"),
        done,
    )
    assert inside.wait(10)
    scoring = in_thread(
        lambda: services.score_submit(board=board, player_id="a", score=1, name="A"), done
    )
    time.sleep(0.3)
    assert scoring.is_alive()  # waiting for the change's transaction
    release.set()
    changing.join(10)
    scoring.join(10)

    assert not [outcome for outcome in done if isinstance(outcome, BaseException)], done
    changed = Leaderboard.objects.get(slug="cup")
    assert changed.reset == "daily"
    assert Score.objects.get(board__slug="cup").period == changed.period_at(clock.now()).id
    assert board_order("cup") == [(1, "a", 1)]
