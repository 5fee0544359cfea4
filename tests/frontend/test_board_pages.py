"""frontend_site/board/pages.py: how a period is named and when it resets, in words."""

from datetime import datetime, timedelta

import pytest

from frontend_site.board.backend_client import Period
from frontend_site.board.pages import period_name, resets_in
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
