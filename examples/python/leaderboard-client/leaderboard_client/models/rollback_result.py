from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.rolled_back_score import RolledBackScore


T = TypeVar("T", bound="RollbackResult")


@_attrs_define
class RollbackResult:
    """What a rollback changed.

    Attributes:
        leaderboard (None | str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        rolled_back (list[RolledBackScore]): Empty when nothing changed after `since`.
        since (datetime.datetime):
    """

    leaderboard: None | str
    player_id: str
    rolled_back: list[RolledBackScore]
    since: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        leaderboard: None | str
        leaderboard = self.leaderboard

        player_id = self.player_id

        rolled_back = []
        for rolled_back_item_data in self.rolled_back:
            rolled_back_item = rolled_back_item_data.to_dict()
            rolled_back.append(rolled_back_item)

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "leaderboard": leaderboard,
                "player_id": player_id,
                "rolled_back": rolled_back,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rolled_back_score import RolledBackScore  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_leaderboard(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        leaderboard = _parse_leaderboard(d.pop("leaderboard"))

        player_id = d.pop("player_id")

        rolled_back = []
        _rolled_back = d.pop("rolled_back")
        for rolled_back_item_data in _rolled_back:
            rolled_back_item = RolledBackScore.from_dict(rolled_back_item_data)

            rolled_back.append(rolled_back_item)

        since = datetime.datetime.fromisoformat(d.pop("since"))

        rollback_result = cls(
            leaderboard=leaderboard,
            player_id=player_id,
            rolled_back=rolled_back,
            since=since,
        )

        return rollback_result
