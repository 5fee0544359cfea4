from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GetdataEntry")


@_attrs_define
class GetdataEntry:
    """One row of `/getdata`, the original sample's format: `id` is the rank.

    Attributes:
        id (int):
        name (str):
        score (int): An integer within ±(2^53 − 1).
    """

    id: int
    name: str
    score: int

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        score = self.score

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        score = d.pop("score")

        getdata_entry = cls(
            id=id,
            name=name,
            score=score,
        )

        return getdata_entry
