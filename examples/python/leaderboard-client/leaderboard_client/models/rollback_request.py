from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RollbackRequest")


@_attrs_define
class RollbackRequest:
    """
    Attributes:
        since (datetime.datetime): Scores changed after this time go back.
        leaderboard (None | str | Unset): Only this board; null or absent: all.
    """

    since: datetime.datetime
    leaderboard: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        since = self.since.isoformat()

        leaderboard: None | str | Unset
        if isinstance(self.leaderboard, Unset):
            leaderboard = UNSET
        else:
            leaderboard = self.leaderboard

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "since": since,
            }
        )
        if leaderboard is not UNSET:
            field_dict["leaderboard"] = leaderboard

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = datetime.datetime.fromisoformat(d.pop("since"))

        def _parse_leaderboard(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        leaderboard = _parse_leaderboard(d.pop("leaderboard", UNSET))

        rollback_request = cls(
            since=since,
            leaderboard=leaderboard,
        )

        return rollback_request
