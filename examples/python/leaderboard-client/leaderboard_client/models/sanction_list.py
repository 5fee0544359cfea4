from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sanction import Sanction


T = TypeVar("T", bound="SanctionList")


@_attrs_define
class SanctionList:
    """A player's sanctions, newest first (the newest 200).

    Attributes:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        sanctions (list[Sanction]):
    """

    player_id: str
    sanctions: list[Sanction]

    def to_dict(self) -> dict[str, Any]:
        player_id = self.player_id

        sanctions = []
        for sanctions_item_data in self.sanctions:
            sanctions_item = sanctions_item_data.to_dict()
            sanctions.append(sanctions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "player_id": player_id,
                "sanctions": sanctions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sanction import Sanction  # noqa: PLC0415

        d = dict(src_dict)
        player_id = d.pop("player_id")

        sanctions = []
        _sanctions = d.pop("sanctions")
        for sanctions_item_data in _sanctions:
            sanctions_item = Sanction.from_dict(sanctions_item_data)

            sanctions.append(sanctions_item)

        sanction_list = cls(
            player_id=player_id,
            sanctions=sanctions,
        )

        return sanction_list
