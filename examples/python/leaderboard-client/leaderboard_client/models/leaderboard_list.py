from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.leaderboard import Leaderboard


T = TypeVar("T", bound="LeaderboardList")


@_attrs_define
class LeaderboardList:
    """
    Attributes:
        leaderboards (list[Leaderboard]):
    """

    leaderboards: list[Leaderboard]

    def to_dict(self) -> dict[str, Any]:
        leaderboards = []
        for leaderboards_item_data in self.leaderboards:
            leaderboards_item = leaderboards_item_data.to_dict()
            leaderboards.append(leaderboards_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "leaderboards": leaderboards,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.leaderboard import Leaderboard  # noqa: PLC0415

        d = dict(src_dict)
        leaderboards = []
        _leaderboards = d.pop("leaderboards")
        for leaderboards_item_data in _leaderboards:
            leaderboards_item = Leaderboard.from_dict(leaderboards_item_data)

            leaderboards.append(leaderboards_item)

        leaderboard_list = cls(
            leaderboards=leaderboards,
        )

        return leaderboard_list
