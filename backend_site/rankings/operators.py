"""How a board's operator combines a submitted score with the stored one, said once: as the
step a batch applies in Python (``step``), and as the SQL a single submission's upsert runs
(``improves_sql``: whether the row changes; ``new_value_sql`` and ``new_tie_sql``: its value
and ties then). A test runs both over the same values and holds them equal.

The operator decides on the whole tuple (value, tie_1, tie_2): the ties are the subscores,
lower is better (subscores.py), all 0 on a board without any. ``best`` keeps the better
tuple (the value in the board's order, then the ties); ``latest`` the submitted one;
``increment`` adds each part.
"""

from __future__ import annotations

from common.patterns import MAX_SCORE

BEST, LATEST, INCREMENT = "best", "latest", "increment"
DESC = "desc"
TIES = ("tie_1", "tie_2")
PARTS = ("value", *TIES)

Scored = tuple[int, int, int]  # (value, tie_1, tie_2)


class TotalOutOfRange(ValueError):
    """An increment whose total would pass ±MAX_SCORE: refused, the score left as it was."""


def step(operator: str, order: str, current: Scored | None, submitted: Scored) -> Scored:
    """The score after ``submitted`` is submitted to a stored ``current`` (None: none yet)."""
    if current is None:
        return submitted
    if operator == BEST:
        value, stored = submitted[0], current[0]
        if value != stored:
            better = value > stored if order == DESC else value < stored
        else:
            better = submitted[1:] < current[1:]
        return submitted if better else current
    if operator == LATEST:
        return submitted
    total = tuple(a + b for a, b in zip(current, submitted, strict=True))
    if any(abs(part) > MAX_SCORE for part in total):
        raise TotalOutOfRange(f"the total would pass ±{MAX_SCORE}")
    return total  # type: ignore[return-value]


def improves_sql(operator: str, order: str, table: str) -> str:
    """When the submitted ``excluded`` row changes the stored ``<table>`` row (an upsert's
    DO UPDATE ... WHERE): exactly when ``step`` gives another tuple."""
    ties, submitted = f"({table}.tie_1, {table}.tie_2)", "(excluded.tie_1, excluded.tie_2)"
    if operator == BEST:
        return (
            f"({table}.value {'<' if order == DESC else '>'} excluded.value "
            f"OR ({table}.value = excluded.value AND {submitted} < {ties}))"
        )
    if operator == LATEST:
        return f"({table}.value, {table}.tie_1, {table}.tie_2) <> (excluded.value, {submitted[1:]}"
    moved = " OR ".join(f"excluded.{part} <> 0" for part in PARTS)
    inside = " AND ".join(
        f"{table}.{part} + excluded.{part} BETWEEN {-MAX_SCORE} AND {MAX_SCORE}" for part in PARTS
    )
    return f"({moved}) AND {inside}"


def new_value_sql(operator: str, table: str) -> str:
    """The stored value after the submission, where ``improves_sql`` holds."""
    return new_part_sql(operator, table, "value")


def new_part_sql(operator: str, table: str, part: str) -> str:
    """The stored ``part`` (value, tie_1 or tie_2) after the submission, where
    ``improves_sql`` holds."""
    if operator == INCREMENT:
        return f"{table}.{part} + excluded.{part}"
    return f"excluded.{part}"
