"""Tie-break columns ("subscores"): a board may rank equal scores by up to two more integers
before who got there first, each in its own order: ``asc`` (lower is better: fewest moves)
or ``desc`` (higher is better: most wins).

A board names its columns' orders in ``Leaderboard.subscores`` ("asc", "asc,desc" ...; ""
for none). Everywhere below the API, a submission's subscores are kept *oriented*: as ties,
each lower-is-better (a ``desc`` column negated), two of them, 0 where the board has fewer
columns. So the database's rank order is (value in the board's order, tie_1, tie_2, then who
got there first), one ascending index serves it on every board, and Redis's member bytes
(ranking_index/layout.py) sort the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_site.rankings.errors import InvalidInput
from common import patterns

COLUMNS_MAX = 2
ASC, DESC = "asc", "desc"
NO_TIES = (0, 0)


def orders_of(setting: str) -> tuple[str, ...]:
    """A board's ``subscores`` setting as its columns' orders: "asc,desc" → ("asc", "desc")."""
    return tuple(setting.split(",")) if setting else ()


def setting_of(orders: Sequence[str]) -> str:
    return ",".join(orders)


def orders_clean(value, *, field: str = "subscores") -> str:
    """A board's subscores as given (a list of up to COLUMNS_MAX "asc"/"desc") as its
    setting."""
    if not isinstance(value, list) or len(value) > COLUMNS_MAX:
        raise InvalidInput(
            f'{field}: must be a list of at most {COLUMNS_MAX} orders, "asc" or "desc".',
            field=field,
        )
    for index, order in enumerate(value):
        if order not in (ASC, DESC):
            raise InvalidInput(f'{field}[{index}]: must be "asc" or "desc".', field=field)
    return setting_of(value)


def values_clean(value, orders: Sequence[str], *, field: str = "subscores") -> tuple[int, int]:
    """A submission's subscores for a board of these column ``orders``: exactly one integer
    per column, each within ±MAX_SCORE; their ties. A board without columns takes none."""
    if not orders:
        if value is None:
            return NO_TIES
        raise InvalidInput(f"{field}: this leaderboard has no subscores.", field=field)
    if value is None:
        raise InvalidInput(
            f"{field}: required on this leaderboard: {len(orders)} "
            f"integer{'s' if len(orders) > 1 else ''} ({', '.join(orders)}).",
            field=field,
        )
    if not isinstance(value, list) or len(value) != len(orders):
        raise InvalidInput(
            f"{field}: must be a list of {len(orders)} integer{'s' if len(orders) > 1 else ''}.",
            field=field,
        )
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int):
            raise InvalidInput(f"{field}[{index}]: must be an integer.", field=field)
        if abs(item) > patterns.MAX_SCORE:
            raise InvalidInput(
                f"{field}[{index}]: must be between -{patterns.MAX_SCORE} and "
                f"{patterns.MAX_SCORE}.",
                field=field,
            )
    return ties_of(value, orders)


def ties_of(values: Sequence[int], orders: Sequence[str]) -> tuple[int, int]:
    """Subscores as ties: each lower-is-better, padded with 0 to COLUMNS_MAX."""
    ties = [-v if order == DESC else v for v, order in zip(values, orders, strict=True)]
    return (*ties, *NO_TIES[len(ties) :])  # type: ignore[return-value]


def values_of(ties: Sequence[int], orders: Sequence[str]) -> list[int]:
    """Ties back as the subscores the game sent (only the board's columns)."""
    return [-t if order == DESC else t for t, order in zip(ties, orders, strict=False)]
