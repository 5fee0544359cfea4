from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Winner")


@_attrs_define
class Winner:
    """The best player of a period.

    Attributes:
        name (None | str): null once the winner is erased.
        player_id (None | str): null once the winner is erased.
        score (int): An integer within ±(2^53 − 1).
    """

    name: None | str
    player_id: None | str
    score: int

    def to_dict(self) -> dict[str, Any]:
        name: None | str
        name = self.name

        player_id: None | str
        player_id = self.player_id

        score = self.score

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "player_id": player_id,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_player_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        player_id = _parse_player_id(d.pop("player_id"))

        score = d.pop("score")

        winner = cls(
            name=name,
            player_id=player_id,
            score=score,
        )

        return winner
