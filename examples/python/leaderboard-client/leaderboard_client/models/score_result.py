from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.fed_score import FedScore


T = TypeVar("T", bound="ScoreResult")


@_attrs_define
class ScoreResult:
    """What a submission did.

    Attributes:
        also (list[FedScore]): The same score on each board this board feeds (their `source`).
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        previous_rank (int | None): The rank just before; null for a new entry (or a 202).
        rank (int | None): null while Redis is away (status 202), and for a player a moderator has hidden (status 200:
            the score is stored, and ranked nowhere until the sanction ends).
        score (int): The entry's score after this submission.
        updated (bool): Whether the stored score changed.
    """

    also: list[FedScore]
    player_id: str
    previous_rank: int | None
    rank: int | None
    score: int
    updated: bool

    def to_dict(self) -> dict[str, Any]:
        also = []
        for also_item_data in self.also:
            also_item = also_item_data.to_dict()
            also.append(also_item)

        player_id = self.player_id

        previous_rank: int | None
        previous_rank = self.previous_rank

        rank: int | None
        rank = self.rank

        score = self.score

        updated = self.updated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "also": also,
                "player_id": player_id,
                "previous_rank": previous_rank,
                "rank": rank,
                "score": score,
                "updated": updated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fed_score import FedScore  # noqa: PLC0415

        d = dict(src_dict)
        also = []
        _also = d.pop("also")
        for also_item_data in _also:
            also_item = FedScore.from_dict(also_item_data)

            also.append(also_item)

        player_id = d.pop("player_id")

        def _parse_previous_rank(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        previous_rank = _parse_previous_rank(d.pop("previous_rank"))

        def _parse_rank(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rank = _parse_rank(d.pop("rank"))

        score = d.pop("score")

        updated = d.pop("updated")

        score_result = cls(
            also=also,
            player_id=player_id,
            previous_rank=previous_rank,
            rank=rank,
            score=score,
            updated=updated,
        )

        return score_result
