"""A board's bounds: the scores it accepts (``min_score``, ``max_score``) and, on an increment
board, the largest single addition (``max_increment``).

A submission outside them is refused with a 422 ``score_out_of_bounds`` and nothing applied
(a batch is refused whole, naming its first item out); each refused submission is kept as a
Review (reviews.py) for a moderator. Best and latest boards check the score as submitted,
before anything is written. An increment board checks the addition then, and its new total
where the total is computed, inside the write's transaction, which the refusal rolls back.
Only the board submitted to is checked, not the boards it feeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_site.rankings.errors import ApiError
from backend_site.rankings.models import Leaderboard


@dataclass(frozen=True, slots=True)
class Refusal:
    """One submission out of bounds: ``index`` is its place in a batch (None: a single one)."""

    index: int | None
    leaderboard: str
    player_id: str
    score: int
    reason: str


class ScoreOutOfBounds(ApiError):
    """422: one or more submissions out of their boards' bounds (all kept for review)."""

    def __init__(self, refusals: list[Refusal]):
        first = refusals[0]
        where = "score" if first.index is None else f"scores[{first.index}].score"
        super().__init__(422, "score_out_of_bounds", f"{where}: {first.reason}")
        self.refusals = refusals


def score_problem(board: Leaderboard, score: int) -> str | None:
    """Why ``score`` is out of the board's bounds as submitted, or None."""
    if board.operator == Leaderboard.Operator.INCREMENT:
        most = board.max_increment
        if most is not None and abs(score) > most:
            return f"{score} adds more than {most}, the most {board.slug!r} takes at once."
        return None
    return _range_problem(board, score, "")


def total_problem(board: Leaderboard, total: int) -> str | None:
    """Why an increment board's new ``total`` is out of its bounds, or None."""
    return _range_problem(board, total, "a total of ")


def _range_problem(board: Leaderboard, value: int, what: str) -> str | None:
    if board.min_score is not None and value < board.min_score:
        return f"{what}{value} is below {board.min_score}, the lowest {board.slug!r} accepts."
    if board.max_score is not None and value > board.max_score:
        return f"{what}{value} is above {board.max_score}, the highest {board.slug!r} accepts."
    return None


def totals_bounded(board: Leaderboard) -> bool:
    """Whether the board's writes must check the total they reach."""
    return board.operator == Leaderboard.Operator.INCREMENT and (
        board.min_score is not None or board.max_score is not None
    )
