"""frontend_site/board/pages.py: how a period is named and when it resets, in words; the
percentile of the other players."""

import math
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontend_site.board.backend_client import Period, Standing
from frontend_site.board.pages import Percentile, others_percentile, period_name, resets_in
from tests.frontend.seasons import PARIS

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (timedelta(days=6, hours=23, minutes=59), "Resets in 6 d"),
        (timedelta(days=1), "Resets in 1 d"),
        (timedelta(hours=23, minutes=59), "Resets in 23 h"),
        (timedelta(minutes=60), "Resets in 1 h"),
        (timedelta(minutes=59, seconds=59), "Resets in 59 min"),
        (timedelta(seconds=59), "Resets in under a minute"),
        (timedelta(0), "Resetting now"),
        (timedelta(minutes=-3), "Resetting now"),  # an old copy of an ended period
    ],
)
def test_the_time_left_is_rounded_down_to_its_largest_unit(left, words):
    assert resets_in(NOW + left, NOW) == words


@pytest.mark.parametrize(
    ("reset", "period_id", "start", "name"),
    [
        ("daily", "2026-12-01", datetime(2026, 12, 1, tzinfo=PARIS), "Tuesday 1 December 2026"),
        ("weekly", "2026-W48", datetime(2026, 11, 23, tzinfo=PARIS), "Week of 23 November 2026"),
        ("monthly", "2026-11", datetime(2026, 11, 1, tzinfo=PARIS), "November 2026"),
        ("yearly", "2026", datetime(2026, 1, 1, tzinfo=PARIS), "2026"),
    ],
)
def test_a_period_is_named_by_its_start_in_the_boards_zone(reset, period_id, start, name):
    assert period_name(reset, Period(id=period_id, start=start, end=start)) == name


def standing_of(scores: list[int], index: int) -> Standing:
    """The backend's standing of player ``index`` on a board of ``scores`` (higher is better):
    its rank counts those better, its percentile the share of all players worse, one decimal
    (backend_site/rankings/reads/selectors.py)."""
    score = scores[index]
    better = sum(other > score for other in scores)
    worse = sum(other < score for other in scores)
    return Standing(
        board="global",
        player_id=f"p{index}",
        name="Player",
        score=score,
        rank=1 + better,
        percentile=round(100 * worse / len(scores), 1),
        total=len(scores),
        around=(),
    )


def test_the_first_of_seven_is_better_than_all_the_other_players():
    scores = [70, 60, 50, 40, 30, 20, 10]

    assert others_percentile(standing_of(scores, 0)) == Percentile(value=100.0, others=6)
    assert others_percentile(standing_of(scores, 6)) == Percentile(value=0.0, others=6)
    assert others_percentile(standing_of(scores, 1)).value == 83.3  # 5 of 6, rounded down


def test_players_tied_with_one_are_not_beaten_by_them():
    scores = [50, 50, 50, 10]  # three share the lead

    assert others_percentile(standing_of(scores, 0)).value == 33.3  # 1 of 3 others
    assert others_percentile(standing_of([5, 5], 0)).value == 0.0


def test_a_board_of_one_player_has_no_percentile_and_no_division_by_zero():
    assert others_percentile(standing_of([42], 0)) == Percentile(value=None, others=0)


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=60), st.data())
def test_the_share_matches_a_count_of_the_others_below(scores, data):
    index = data.draw(st.integers(min_value=0, max_value=len(scores) - 1))
    worse = sum(other < scores[index] for other in scores)
    exact = 100 * worse / (len(scores) - 1)

    shown = others_percentile(standing_of(scores, index)).value

    assert shown == math.floor(exact * 10 + 1e-9) / 10
    assert (shown == 100) == (worse == len(scores) - 1)  # 100% only if every other is below
