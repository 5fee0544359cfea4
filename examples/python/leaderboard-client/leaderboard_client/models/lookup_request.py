from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.lookup_request_include_item import LookupRequestIncludeItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="LookupRequest")


@_attrs_define
class LookupRequest:
    """Where a list of players (friends, a clan) stands on a board.

    Attributes:
        player_ids (list[str]): The players to find; an id given twice is looked up once.
        include (list[LookupRequestIncludeItem] | Unset): `metadata`: send each entry's metadata (none by default).
        period (str | Unset):  Default: 'current'.
    """

    player_ids: list[str]
    include: list[LookupRequestIncludeItem] | Unset = UNSET
    period: str | Unset = "current"

    def to_dict(self) -> dict[str, Any]:
        player_ids = self.player_ids

        include: list[str] | Unset = UNSET
        if not isinstance(self.include, Unset):
            include = []
            for include_item_data in self.include:
                include_item = include_item_data.value
                include.append(include_item)

        period = self.period

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "player_ids": player_ids,
            }
        )
        if include is not UNSET:
            field_dict["include"] = include
        if period is not UNSET:
            field_dict["period"] = period

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        player_ids = cast(list[str], d.pop("player_ids"))

        _include = d.pop("include", UNSET)
        include: list[LookupRequestIncludeItem] | Unset = UNSET
        if _include is not UNSET:
            include = []
            for include_item_data in _include:
                include_item = LookupRequestIncludeItem(include_item_data)

                include.append(include_item)

        period = d.pop("period", UNSET)

        lookup_request = cls(
            player_ids=player_ids,
            include=include,
            period=period,
        )

        return lookup_request
