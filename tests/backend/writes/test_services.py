"""Writes: operators, players and scores change in the database first and Redis follows
(boards: test_boards.py)."""

from __future__ import annotations

import pytest

from backend_site.rankings.errors import InvalidInput, Unavailable
from backend_site.rankings.models import MAX_SCORE, Leaderboard, Player, Score
from backend_site.rankings.ranking_index import rebuild
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import services
from tests.backend.conftest import make_board, make_score, make_scores, stored_value

pytestmark = pytest.mark.django_db(transaction=True)


def board_order(board: Leaderboard) -> list[tuple[int, str, int]]:
    page = selectors.board_top(slug=board.slug, offset=0, limit=100)
    return [(e.rank, e.player_id, e.score) for e in page.entries]


@pytest.mark.parametrize(
    ("order", "submissions", "kept"),
    [
        ("desc", [50, 70, 60], 70),
        ("asc", [50, 30, 40], 30),
    ],
)
def test_a_best_board_keeps_each_players_best_score(ranking_redis, order, submissions, kept):
    board = make_board(order=order, operator="best")
    results = [make_score(board, "p", value) for value in submissions]
    assert [r.updated for r in results] == [True, True, False]
    assert results[-1].score == kept
    assert stored_value(board, "p") == kept
    assert board_order(board) == [(1, "p", kept)]


def test_a_latest_board_keeps_the_last_score_even_when_worse(ranking_redis):
    board = make_board(operator="latest")
    make_scores(board, {"a": 50, "b": 40})
    result = make_score(board, "a", 10)
    assert (result.score, result.rank, result.updated) == (10, 2, True)
    assert board_order(board) == [(1, "b", 40), (2, "a", 10)]


def test_an_increment_board_adds_each_submission_to_the_total(ranking_redis):
    board = make_board(operator="increment")
    totals = [make_score(board, "a", step).score for step in (5, 7, -2)]
    assert totals == [5, 12, 10]
    assert stored_value(board, "a") == 10
    assert make_score(board, "a", 0).updated is False


def test_an_increment_past_the_score_limit_is_refused_and_changes_nothing(ranking_redis):
    board = make_board(operator="increment")
    make_score(board, "a", MAX_SCORE - 1)
    with pytest.raises(InvalidInput, match="score"):
        make_score(board, "a", 2)
    assert stored_value(board, "a") == MAX_SCORE - 1
    assert board_order(board) == [(1, "a", MAX_SCORE - 1)]
    assert make_score(board, "a", 1).score == MAX_SCORE


def test_the_player_who_reached_a_tied_score_first_stays_ahead(ranking_redis):
    board = make_board(operator="best")
    make_scores(board, {"first": 100, "second": 100})
    make_score(board, "first", 100)  # submitting the same score again is not "reaching" it
    make_score(board, "first", 90)
    assert board_order(board) == [(1, "first", 100), (1, "second", 100)]
    latest = make_board(operator="latest")
    make_scores(latest, {"first": 100, "second": 100})
    make_score(latest, "first", 100)
    assert board_order(latest) == [(1, "first", 100), (1, "second", 100)]


def test_a_new_player_needs_a_name(ranking_redis, global_board):
    with pytest.raises(InvalidInput, match="name"):
        services.score_submit(board=global_board, player_id="new", score=1, name=None)
    assert not Player.objects.filter(player_id="new").exists()
    assert not Score.objects.exists()


def test_a_new_name_renames_the_player_on_every_board(ranking_redis, global_board):
    other = make_board()
    make_score(global_board, "p", 10, name="Old")
    make_score(other, "p", 3)
    make_score(global_board, "p", 5, name="New Name")
    assert Player.objects.get(player_id="p").name == "New Name"
    for board in (global_board, other):
        assert [
            e.name for e in selectors.board_top(slug=board.slug, offset=0, limit=5).entries
        ] == ["New Name"]


def test_a_refused_increment_does_not_rename_the_player(ranking_redis):
    board = make_board(operator="increment")
    make_score(board, "a", MAX_SCORE, name="Keep")
    with pytest.raises(InvalidInput):
        services.score_submit(board=board, player_id="a", score=1, name="Changed")
    assert Player.objects.get(player_id="a").name == "Keep"
    assert selectors.board_top(slug=board.slug, offset=0, limit=1).entries[0].name == "Keep"


def test_deleting_a_score_or_a_player_takes_them_off_the_board(ranking_redis, global_board):
    make_scores(global_board, {"a": 3, "b": 2, "c": 1})
    services.score_delete(score=Score.objects.get(board=global_board, player_id="b"))
    assert board_order(global_board) == [(1, "a", 3), (2, "c", 1)]
    services.player_delete(player=Player.objects.get(player_id="a"))
    assert board_order(global_board) == [(1, "c", 1)]


def test_an_edited_score_is_saved_as_given_and_reranked(ranking_redis, global_board):
    make_scores(global_board, {"a": 3, "b": 2})
    score = Score.objects.get(board=global_board, player_id="b")
    score.value = 1000
    services.score_set(score=score)
    assert board_order(global_board) == [(1, "b", 1000), (2, "a", 3)]


def test_a_flushed_board_is_rebuilt_from_the_database_on_the_next_read(ranking_redis, global_board):
    make_scores(global_board, {"a": 100, "b": 100, "c": 90})
    before = board_order(global_board)
    ranking_redis.flushdb()
    assert board_order(global_board) == before == [(1, "a", 100), (1, "b", 100), (3, "c", 90)]
    standing = selectors.player_standing(slug="global", player_id="b", around=1)
    assert (standing.rank, standing.name) == (1, "Player b")


def test_a_flushed_board_is_rebuilt_from_the_database_on_the_next_write(
    ranking_redis, global_board
):
    make_scores(global_board, {"a": 100, "b": 90})
    ranking_redis.flushdb()
    result = make_score(global_board, "c", 95)
    assert result.rank == 2
    assert board_order(global_board) == [(1, "a", 100), (2, "c", 95), (3, "b", 90)]


def test_a_reader_waits_for_a_rebuild_another_worker_holds_then_gives_up(
    ranking_redis, global_board, monkeypatch
):
    make_score(global_board, "a", 1)
    ranking_redis.flushdb()
    lock = rebuild.BoardLock("global")
    assert lock.acquire(wait=0)
    monkeypatch.setattr(rebuild, "REBUILD_WAIT_SECONDS", 0.3)
    with pytest.raises(Unavailable):
        selectors.board_top(slug="global", offset=0, limit=10)
    lock.release()
    assert board_order(global_board) == [(1, "a", 1)]
