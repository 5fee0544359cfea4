from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Period")


@_attrs_define
class Period:
    """A period of a board that resets, in its zone: `2026-11-25` (daily), `2026-W48` (weekly, from Monday 00:00) or
    `2026-11` (monthly); it ends where the next starts.

        Attributes:
            end (datetime.datetime):
            id (str):
            start (datetime.datetime):
    """

    end: datetime.datetime
    id: str
    start: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        end = self.end.isoformat()

        id = self.id

        start = self.start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "id": id,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        end = datetime.datetime.fromisoformat(d.pop("end"))

        id = d.pop("id")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        period = cls(
            end=end,
            id=id,
            start=start,
        )

        return period
