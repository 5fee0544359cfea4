from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.board_operator import BoardOperator
from ..models.board_order import BoardOrder
from ..models.board_reset import BoardReset
from ..models.subscore_order import SubscoreOrder

if TYPE_CHECKING:
    from ..models.period import Period


T = TypeVar("T", bound="Leaderboard")


@_attrs_define
class Leaderboard:
    """A board, with its settings, current period and player count.

    Attributes:
        max_increment (int | None): Increment boards: the largest single addition. null: none.
        max_score (int | None): The highest score accepted (increment boards: total). null: none.
        max_submissions_per_minute (int | None): Per player: the submissions to this board (single or batch items) taken
            in any 60 seconds; more are a 429. null: unlimited.
        min_score (int | None): The lowest score accepted (increment boards: total). null: none.
        operator (BoardOperator): What a submission does: keep the player's `best` score, the `latest` one, or add to it
            (`increment`).
        order (BoardOrder): `desc`: highest first; `asc`: lowest first (speed-runs).
        period (None | Period): The period; null on a board that never resets.
        players (int): Players in the current period.
        reset (BoardReset): When the board starts a new period: never, or each day, week or month.
        slug (str):
        source (None | str): The board whose every accepted score is also applied here.
        subscores (list[SubscoreOrder]): The board's tie-break columns, compared in turn when scores are equal, before
            who got there first: `asc` (lower is better: fewest moves) or `desc` (higher is better). Empty: none. Fixed once
            the board has scores.
        timezone (str): IANA name.
        title (str):
    """

    max_increment: int | None
    max_score: int | None
    max_submissions_per_minute: int | None
    min_score: int | None
    operator: BoardOperator
    order: BoardOrder
    period: None | Period
    players: int
    reset: BoardReset
    slug: str
    source: None | str
    subscores: list[SubscoreOrder]
    timezone: str
    title: str

    def to_dict(self) -> dict[str, Any]:
        from ..models.period import Period  # noqa: PLC0415

        max_increment: int | None
        max_increment = self.max_increment

        max_score: int | None
        max_score = self.max_score

        max_submissions_per_minute: int | None
        max_submissions_per_minute = self.max_submissions_per_minute

        min_score: int | None
        min_score = self.min_score

        operator = self.operator.value

        order = self.order.value

        period: dict[str, Any] | None
        if isinstance(self.period, Period):
            period = self.period.to_dict()
        else:
            period = self.period

        players = self.players

        reset = self.reset.value

        slug = self.slug

        source: None | str
        source = self.source

        subscores = []
        for subscores_item_data in self.subscores:
            subscores_item = subscores_item_data.value
            subscores.append(subscores_item)

        timezone = self.timezone

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "max_increment": max_increment,
                "max_score": max_score,
                "max_submissions_per_minute": max_submissions_per_minute,
                "min_score": min_score,
                "operator": operator,
                "order": order,
                "period": period,
                "players": players,
                "reset": reset,
                "slug": slug,
                "source": source,
                "subscores": subscores,
                "timezone": timezone,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.period import Period  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_max_increment(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_increment = _parse_max_increment(d.pop("max_increment"))

        def _parse_max_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_score = _parse_max_score(d.pop("max_score"))

        def _parse_max_submissions_per_minute(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_submissions_per_minute = _parse_max_submissions_per_minute(d.pop("max_submissions_per_minute"))

        def _parse_min_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_score = _parse_min_score(d.pop("min_score"))

        operator = BoardOperator(d.pop("operator"))

        order = BoardOrder(d.pop("order"))

        def _parse_period(data: object) -> None | Period:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                period_type_0 = Period.from_dict(data)

                return period_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Period, data)

        period = _parse_period(d.pop("period"))

        players = d.pop("players")

        reset = BoardReset(d.pop("reset"))

        slug = d.pop("slug")

        def _parse_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source = _parse_source(d.pop("source"))

        subscores = []
        _subscores = d.pop("subscores")
        for subscores_item_data in _subscores:
            subscores_item = SubscoreOrder(subscores_item_data)

            subscores.append(subscores_item)

        timezone = d.pop("timezone")

        title = d.pop("title")

        leaderboard = cls(
            max_increment=max_increment,
            max_score=max_score,
            max_submissions_per_minute=max_submissions_per_minute,
            min_score=min_score,
            operator=operator,
            order=order,
            period=period,
            players=players,
            reset=reset,
            slug=slug,
            source=source,
            subscores=subscores,
            timezone=timezone,
            title=title,
        )

        return leaderboard
