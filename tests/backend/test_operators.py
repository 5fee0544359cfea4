"""Each board operator is said once (rankings/operators.py): its Python step, which batches
apply, and its SQL, which single submissions run, give the same score for the same stored
and submitted values. The SQL runs on an in-memory SQLite here: no server needed."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_site.rankings import operators
from common.patterns import MAX_SCORE

values = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-MAX_SCORE, max_value=MAX_SCORE),
    st.sampled_from([0, MAX_SCORE, -MAX_SCORE, MAX_SCORE - 1]),
)
RULES = [
    (operator, order)
    for operator in (operators.BEST, operators.LATEST, operators.INCREMENT)
    for order in ("desc", "asc")
]


def by_sql(operator: str, order: str, current: int, score: int) -> int:
    """The stored value after the upsert's DO UPDATE, as the SQL says it."""
    improves = operators.improves_sql(operator, order, "scores")
    new_value = operators.new_value_sql(operator, "scores")
    with sqlite3.connect(":memory:") as db:
        (value,) = db.execute(
            f"SELECT CASE WHEN {improves} THEN {new_value} ELSE scores.value END "  # noqa: S608
            "FROM (SELECT ? AS value) AS scores, (SELECT ? AS value) AS excluded",
            [current, score],
        ).fetchone()
    return value


def by_python(operator: str, order: str, current: int, score: int) -> int:
    """The value after the batch's step; one it refuses leaves the stored one."""
    try:
        return operators.step(operator, order, current, score)
    except operators.TotalOutOfRange:
        return current


@pytest.mark.parametrize(("operator", "order"), RULES)
@given(current=values, score=values)
def test_the_sql_and_the_python_step_agree(operator, order, current, score):
    assert by_sql(operator, order, current, score) == by_python(operator, order, current, score)


@pytest.mark.parametrize(
    ("operator", "order", "current", "score", "after"),
    [
        ("best", "desc", 10, 20, 20),
        ("best", "desc", 10, 5, 10),
        ("best", "asc", 10, 5, 5),
        ("best", "asc", 10, 20, 10),
        ("latest", "desc", 10, 5, 5),
        ("increment", "desc", 10, -15, -5),
        ("best", "desc", None, 7, 7),
    ],
)
def test_each_operator_does_what_its_name_says(operator, order, current, score, after):
    assert operators.step(operator, order, current, score) == after


def test_an_increment_past_the_limit_is_refused():
    with pytest.raises(operators.TotalOutOfRange):
        operators.step("increment", "desc", MAX_SCORE, 1)
