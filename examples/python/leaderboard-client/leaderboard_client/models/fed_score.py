from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="FedScore")


@_attrs_define
class FedScore:
    """A submission's score on a board the submitted board feeds.

    Attributes:
        leaderboard (str):
        rank (int | None):
        score (int): An integer within ±(2^53 − 1).
        updated (bool):
    """

    leaderboard: str
    rank: int | None
    score: int
    updated: bool

    def to_dict(self) -> dict[str, Any]:
        leaderboard = self.leaderboard

        rank: int | None
        rank = self.rank

        score = self.score

        updated = self.updated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "leaderboard": leaderboard,
                "rank": rank,
                "score": score,
                "updated": updated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        leaderboard = d.pop("leaderboard")

        def _parse_rank(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rank = _parse_rank(d.pop("rank"))

        score = d.pop("score")

        updated = d.pop("updated")

        fed_score = cls(
            leaderboard=leaderboard,
            rank=rank,
            score=score,
            updated=updated,
        )

        return fed_score
