from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.audit_entry_detail import AuditEntryDetail


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """One recorded change.

    Attributes:
        action (str): What, as `<noun>.<verb>`: `key.create`, `key.revoke`, `board.create`, `board.change`,
            `board.delete`, `admin.add`, `admin.change`, `admin.delete`, `audit.prune`, and more to come.
        actor (str): Who: an API key's name, `admin:<username>` or `command:<name>`.
        at (datetime.datetime):
        detail (AuditEntryDetail): The action's particulars.
        target (str): To what: `key:<name>`, `board:<slug>`, `player:<id>`, or `<app>.<model>:<id>` for another admin
            change (`rankings.player:p1`).
    """

    action: str
    actor: str
    at: datetime.datetime
    detail: AuditEntryDetail
    target: str

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor = self.actor

        at = self.at.isoformat()

        detail = self.detail.to_dict()

        target = self.target

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
                "detail": detail,
                "target": target,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_detail import AuditEntryDetail  # noqa: PLC0415

        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        detail = AuditEntryDetail.from_dict(d.pop("detail"))

        target = d.pop("target")

        audit_entry = cls(
            action=action,
            actor=actor,
            at=at,
            detail=detail,
            target=target,
        )

        return audit_entry
