from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sanction_action import SanctionAction

T = TypeVar("T", bound="Sanction")


@_attrs_define
class Sanction:
    """A moderator's hide or ban of a player, in force from `created_at` until it is lifted or its `until` passes (it then
    ends at the first request after that time).

        Attributes:
            action (SanctionAction): `hide`: off every read (boards, counts, periods, the player's standing and history),
                their submissions still taken and answered with `rank` null; `ban`: hidden, and their submissions refused with
                403 `player_banned`.
            created_at (datetime.datetime):
            created_by (str): Who: an API key's name, or `admin:<username>`.
            ended_at (datetime.datetime | None): When it was lifted or its `until` passed; null while in force.
            ended_by (None | str): Who lifted it (an API key's name, or `admin:<username>`), or `expiry` when its `until`
                passed; null while in force.
            id (int): Lift it with DELETE `/api/v1/players/{player_id}/sanctions/{id}`.
            player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
            reason (str): Empty when none was given.
            until (datetime.datetime | None): When it ends on its own; null: when lifted.
    """

    action: SanctionAction
    created_at: datetime.datetime
    created_by: str
    ended_at: datetime.datetime | None
    ended_by: None | str
    id: int
    player_id: str
    reason: str
    until: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        ended_by: None | str
        ended_by = self.ended_by

        id = self.id

        player_id = self.player_id

        reason = self.reason

        until: None | str
        if isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "created_at": created_at,
                "created_by": created_by,
                "ended_at": ended_at,
                "ended_by": ended_by,
                "id": id,
                "player_id": player_id,
                "reason": reason,
                "until": until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = SanctionAction(d.pop("action"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        def _parse_ended_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ended_by = _parse_ended_by(d.pop("ended_by"))

        id = d.pop("id")

        player_id = d.pop("player_id")

        reason = d.pop("reason")

        def _parse_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_0 = datetime.datetime.fromisoformat(data)

                return until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        until = _parse_until(d.pop("until"))

        sanction = cls(
            action=action,
            created_at=created_at,
            created_by=created_by,
            ended_at=ended_at,
            ended_by=ended_by,
            id=id,
            player_id=player_id,
            reason=reason,
            until=until,
        )

        return sanction
