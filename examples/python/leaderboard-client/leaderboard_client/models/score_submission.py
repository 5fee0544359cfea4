from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="ScoreSubmission")


@_attrs_define
class ScoreSubmission:
    """
    Attributes:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        score (int): An integer within ±(2^53 − 1).
        metadata (Metadata | Unset): What the game attaches to a score (a replay id, the car, a level seed): a JSON
            object of at most 1024 bytes as compact JSON. The entry keeps the metadata of the submission that set its
            current score (on a `best` board, the best run's); a submission that sets it without metadata leaves none.
        name (None | str | Unset): The player's display name, 1–64 characters after trimming, no control characters and
            no invisible formatting ones (direction overrides, zero-width spaces; the joiner and tags of emoji sequences are
            allowed); required for a player the backend has not seen (a 400 otherwise), and renames the player when it
            differs.
        subscores (list[int] | Unset): The entry's tie-break values, one integer per column of its board's `subscores`
            (`Leaderboard.subscores`), in that order: a board with subscores requires them on every submission, sends them
            on every entry, and ranks equal scores by them (two entries share a rank only when the score and every subscore
            are equal). Refused on a board without subscores.
    """

    player_id: str
    score: int
    metadata: Metadata | Unset = UNSET
    name: None | str | Unset = UNSET
    subscores: list[int] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        player_id = self.player_id

        score = self.score

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        subscores: list[int] | Unset = UNSET
        if not isinstance(self.subscores, Unset):
            subscores = self.subscores

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "player_id": player_id,
                "score": score,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if name is not UNSET:
            field_dict["name"] = name
        if subscores is not UNSET:
            field_dict["subscores"] = subscores

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata import Metadata  # noqa: PLC0415

        d = dict(src_dict)
        player_id = d.pop("player_id")

        score = d.pop("score")

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        subscores = cast(list[int], d.pop("subscores", UNSET))

        score_submission = cls(
            player_id=player_id,
            score=score,
            metadata=metadata,
            name=name,
            subscores=subscores,
        )

        return score_submission
