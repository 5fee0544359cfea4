from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Review")


@_attrs_define
class Review:
    """A submission refused as out of its board's bounds, kept for review.

    Attributes:
        at (datetime.datetime):
        key (str): The API key that sent it.
        leaderboard (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        reason (str):
        score (int): An integer within ±(2^53 − 1).
    """

    at: datetime.datetime
    key: str
    leaderboard: str
    player_id: str
    reason: str
    score: int

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        key = self.key

        leaderboard = self.leaderboard

        player_id = self.player_id

        reason = self.reason

        score = self.score

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at": at,
                "key": key,
                "leaderboard": leaderboard,
                "player_id": player_id,
                "reason": reason,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        key = d.pop("key")

        leaderboard = d.pop("leaderboard")

        player_id = d.pop("player_id")

        reason = d.pop("reason")

        score = d.pop("score")

        review = cls(
            at=at,
            key=key,
            leaderboard=leaderboard,
            player_id=player_id,
            reason=reason,
            score=score,
        )

        return review
