from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.history_point import HistoryPoint


T = TypeVar("T", bound="PlayerHistory")


@_attrs_define
class PlayerHistory:
    """A player's score and rank at the end of each day, oldest first.

    Attributes:
        days (int):
        leaderboard (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        points (list[HistoryPoint]):
    """

    days: int
    leaderboard: str
    player_id: str
    points: list[HistoryPoint]

    def to_dict(self) -> dict[str, Any]:
        days = self.days

        leaderboard = self.leaderboard

        player_id = self.player_id

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "days": days,
                "leaderboard": leaderboard,
                "player_id": player_id,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.history_point import HistoryPoint  # noqa: PLC0415

        d = dict(src_dict)
        days = d.pop("days")

        leaderboard = d.pop("leaderboard")

        player_id = d.pop("player_id")

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = HistoryPoint.from_dict(points_item_data)

            points.append(points_item)

        player_history = cls(
            days=days,
            leaderboard=leaderboard,
            player_id=player_id,
            points=points,
        )

        return player_history
