from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.board_reset import BoardReset

if TYPE_CHECKING:
    from ..models.period_summary import PeriodSummary


T = TypeVar("T", bound="PeriodList")


@_attrs_define
class PeriodList:
    """A board's periods, newest first.

    Attributes:
        leaderboard (str):
        periods (list[PeriodSummary]):
        reset (BoardReset): When the board starts a new period: never, or each day, week or month.
        timezone (str):
    """

    leaderboard: str
    periods: list[PeriodSummary]
    reset: BoardReset
    timezone: str

    def to_dict(self) -> dict[str, Any]:
        leaderboard = self.leaderboard

        periods = []
        for periods_item_data in self.periods:
            periods_item = periods_item_data.to_dict()
            periods.append(periods_item)

        reset = self.reset.value

        timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "leaderboard": leaderboard,
                "periods": periods,
                "reset": reset,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.period_summary import PeriodSummary  # noqa: PLC0415

        d = dict(src_dict)
        leaderboard = d.pop("leaderboard")

        periods = []
        _periods = d.pop("periods")
        for periods_item_data in _periods:
            periods_item = PeriodSummary.from_dict(periods_item_data)

            periods.append(periods_item)

        reset = BoardReset(d.pop("reset"))

        timezone = d.pop("timezone")

        period_list = cls(
            leaderboard=leaderboard,
            periods=periods,
            reset=reset,
            timezone=timezone,
        )

        return period_list
