from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="Entry")


@_attrs_define
class Entry:
    """One ranked row of a board.

    Attributes:
        name (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        rank (int):
        rank_change (int | None): Places gained since the board's last daily snapshot (00:00 in its zone): negative
            means fallen, null means new on the board since then.
        score (int): An integer within ±(2^53 − 1).
        metadata (Metadata | None | Unset): The entry's metadata (sent only with `include=metadata`); null for none.
        subscores (list[int] | Unset): The entry's tie-break values, one integer per column of its board's `subscores`
            (`Leaderboard.subscores`), in that order: a board with subscores requires them on every submission, sends them
            on every entry, and ranks equal scores by them (two entries share a rank only when the score and every subscore
            are equal). Refused on a board without subscores.
    """

    name: str
    player_id: str
    rank: int
    rank_change: int | None
    score: int
    metadata: Metadata | None | Unset = UNSET
    subscores: list[int] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata  # noqa: PLC0415

        name = self.name

        player_id = self.player_id

        rank = self.rank

        rank_change: int | None
        rank_change = self.rank_change

        score = self.score

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        subscores: list[int] | Unset = UNSET
        if not isinstance(self.subscores, Unset):
            subscores = self.subscores

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "player_id": player_id,
                "rank": rank,
                "rank_change": rank_change,
                "score": score,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if subscores is not UNSET:
            field_dict["subscores"] = subscores

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata import Metadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        player_id = d.pop("player_id")

        rank = d.pop("rank")

        def _parse_rank_change(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rank_change = _parse_rank_change(d.pop("rank_change"))

        score = d.pop("score")

        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = Metadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        subscores = cast(list[int], d.pop("subscores", UNSET))

        entry = cls(
            name=name,
            player_id=player_id,
            rank=rank,
            rank_change=rank_change,
            score=score,
            metadata=metadata,
            subscores=subscores,
        )

        return entry
