"""Each board operator is said once (rankings/operators.py): its Python step, which batches
apply, and its SQL, which single submissions run, give the same score and ties for the same
stored and submitted ones. The SQL runs on an in-memory SQLite here: no server needed."""

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


ties = st.tuples(
    st.sampled_from([0, 1, -1, 7, MAX_SCORE, -MAX_SCORE]), st.sampled_from([0, 2, -2, MAX_SCORE])
)


def by_sql(operator: str, order: str, current: tuple, score: tuple) -> tuple:
    """The stored (value, tie_1, tie_2) after the upsert's DO UPDATE, as the SQL says it."""
    improves = operators.improves_sql(operator, order, "scores")
    parts = [operators.new_part_sql(operator, "scores", part) for part in operators.PARTS]
    with sqlite3.connect(":memory:") as db:
        return db.execute(
            "SELECT "  # noqa: S608
            + ", ".join(
                f"CASE WHEN {improves} THEN {new} ELSE scores.{part} END"
                for new, part in zip(parts, operators.PARTS, strict=True)
            )
            + " FROM (SELECT ? AS value, ? AS tie_1, ? AS tie_2) AS scores, "
            "(SELECT ? AS value, ? AS tie_1, ? AS tie_2) AS excluded",
            [*current, *score],
        ).fetchone()


def by_python(operator: str, order: str, current: tuple, score: tuple) -> tuple:
    """The tuple after the batch's step; one it refuses leaves the stored one."""
    try:
        return operators.step(operator, order, current, score)
    except operators.TotalOutOfRange:
        return current


@pytest.mark.parametrize(("operator", "order"), RULES)
@given(current=values, score=values)
def test_the_sql_and_the_python_step_agree(operator, order, current, score):
    current, score = (current, 0, 0), (score, 0, 0)
    assert by_sql(operator, order, current, score) == by_python(operator, order, current, score)


@pytest.mark.parametrize(("operator", "order"), RULES)
@given(current=values, score=values, current_ties=ties, score_ties=ties)
def test_they_agree_on_the_ties_too(operator, order, current, score, current_ties, score_ties):
    current, score = (current, *current_ties), (score, *score_ties)
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
    current = None if current is None else (current, 0, 0)
    assert operators.step(operator, order, current, (score, 0, 0)) == (after, 0, 0)


@pytest.mark.parametrize(
    ("operator", "current", "score", "after"),
    [
        ("best", (10, 5, 0), (10, 4, 0), (10, 4, 0)),  # equal score, better first tie
        ("best", (10, 5, 0), (10, 6, 0), (10, 5, 0)),
        ("best", (10, 5, 3), (10, 5, 2), (10, 5, 2)),  # then the second
        ("best", (10, 5, 3), (9, 0, 0), (10, 5, 3)),  # a lower score loses whatever its ties
        ("latest", (10, 5, 3), (10, 5, 9), (10, 5, 9)),
        ("increment", (10, 5, 3), (1, -1, 2), (11, 4, 5)),
    ],
)
def test_the_operator_decides_on_the_whole_tuple(operator, current, score, after):
    assert operators.step(operator, "desc", current, score) == after


def test_an_increment_past_the_limit_is_refused():
    with pytest.raises(operators.TotalOutOfRange):
        operators.step("increment", "desc", (MAX_SCORE, 0, 0), (1, 0, 0))
    with pytest.raises(operators.TotalOutOfRange):
        operators.step("increment", "desc", (0, MAX_SCORE, 0), (0, 1, 0))
