from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="RolledBackScore")


@_attrs_define
class RolledBackScore:
    """A board and period whose score changed after `since`, before and after.

    Attributes:
        after (int | None): null: the entry was removed (no score at `since`).
        before (int): An integer within ±(2^53 − 1).
        leaderboard (str):
        period (str):
    """

    after: int | None
    before: int
    leaderboard: str
    period: str

    def to_dict(self) -> dict[str, Any]:
        after: int | None
        after = self.after

        before = self.before

        leaderboard = self.leaderboard

        period = self.period

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "after": after,
                "before": before,
                "leaderboard": leaderboard,
                "period": period,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_after(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        after = _parse_after(d.pop("after"))

        before = d.pop("before")

        leaderboard = d.pop("leaderboard")

        period = d.pop("period")

        rolled_back_score = cls(
            after=after,
            before=before,
            leaderboard=leaderboard,
            period=period,
        )

        return rolled_back_score
