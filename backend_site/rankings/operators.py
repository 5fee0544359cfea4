"""How a board's operator combines a submitted score with the stored one, said once: as the
step a batch applies in Python (``step``), and as the SQL a single submission's upsert runs
(``improves_sql``: whether the row changes; ``new_value_sql``: its value then). A test runs
both over the same values and holds them equal."""

from __future__ import annotations

from common.patterns import MAX_SCORE

BEST, LATEST, INCREMENT = "best", "latest", "increment"
DESC = "desc"


class TotalOutOfRange(ValueError):
    """An increment whose total would pass ±MAX_SCORE: refused, the score left as it was."""


def step(operator: str, order: str, current: int | None, score: int) -> int:
    """The score after ``score`` is submitted to a stored ``current`` (None: none yet)."""
    if current is None:
        return score
    if operator == BEST:
        better = score > current if order == DESC else score < current
        return score if better else current
    if operator == LATEST:
        return score
    total = current + score
    if abs(total) > MAX_SCORE:
        raise TotalOutOfRange(f"the total would pass ±{MAX_SCORE}")
    return total


def improves_sql(operator: str, order: str, table: str) -> str:
    """When the submitted ``excluded.value`` changes the stored ``<table>.value`` (an
    upsert's DO UPDATE ... WHERE): exactly when ``step`` gives another value."""
    if operator == BEST:
        return f"{table}.value {'<' if order == DESC else '>'} excluded.value"
    if operator == LATEST:
        return f"{table}.value <> excluded.value"
    return (
        f"excluded.value <> 0 AND {table}.value + excluded.value "
        f"BETWEEN {-MAX_SCORE} AND {MAX_SCORE}"
    )


def new_value_sql(operator: str, table: str) -> str:
    """The stored value after the submission, where ``improves_sql`` holds."""
    if operator == INCREMENT:
        return f"{table}.value + excluded.value"
    return "excluded.value"
