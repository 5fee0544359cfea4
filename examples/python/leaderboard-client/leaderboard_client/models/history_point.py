from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="HistoryPoint")


@_attrs_define
class HistoryPoint:
    """
    Attributes:
        date (datetime.date):
        rank (int):
        score (int): An integer within ±(2^53 − 1).
    """

    date: datetime.date
    rank: int
    score: int

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        rank = self.rank

        score = self.score

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "date": date,
                "rank": rank,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        rank = d.pop("rank")

        score = d.pop("score")

        history_point = cls(
            date=date,
            rank=rank,
            score=score,
        )

        return history_point
