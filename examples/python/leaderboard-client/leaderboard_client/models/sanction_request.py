from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sanction_action import SanctionAction
from ..types import UNSET, Unset

T = TypeVar("T", bound="SanctionRequest")


@_attrs_define
class SanctionRequest:
    """
    Attributes:
        action (SanctionAction): `hide`: off every read (boards, counts, periods, the player's standing and history),
            their submissions still taken and answered with `rank` null; `ban`: hidden, and their submissions refused with
            403 `player_banned`.
        reason (str | Unset): Why, for the audit log and other moderators: up to 500 characters, no control characters
            but tab and newline, no lone surrogates. Absent: empty.
        until (datetime.datetime | None | Unset): When it ends on its own: an ISO 8601 time with its offset, in the
            future (one in the past, or one with no UTC date such as `0001-01-01T00:00:00+14:00`, is a 400). null or absent:
            until lifted.
    """

    action: SanctionAction
    reason: str | Unset = UNSET
    until: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        reason = self.reason

        until: None | str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if until is not UNSET:
            field_dict["until"] = until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = SanctionAction(d.pop("action"))

        reason = d.pop("reason", UNSET)

        def _parse_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_0 = datetime.datetime.fromisoformat(data)

                return until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        until = _parse_until(d.pop("until", UNSET))

        sanction_request = cls(
            action=action,
            reason=reason,
            until=until,
        )

        return sanction_request
