from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.looked_up import LookedUp
    from ..models.period import Period


T = TypeVar("T", bound="Lookup")


@_attrs_define
class Lookup:
    """The players with an entry in rank order; the others in `missing`.

    Attributes:
        entries (list[LookedUp]):
        leaderboard (str):
        missing (list[str]): Asked for, with no score there (or hidden), in the order asked.
        period (None | Period): The period; null on a board that never resets.
        total (int):
    """

    entries: list[LookedUp]
    leaderboard: str
    missing: list[str]
    period: None | Period
    total: int

    def to_dict(self) -> dict[str, Any]:
        from ..models.period import Period  # noqa: PLC0415

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        leaderboard = self.leaderboard

        missing = self.missing

        period: dict[str, Any] | None
        if isinstance(self.period, Period):
            period = self.period.to_dict()
        else:
            period = self.period

        total = self.total

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "entries": entries,
                "leaderboard": leaderboard,
                "missing": missing,
                "period": period,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.looked_up import LookedUp  # noqa: PLC0415
        from ..models.period import Period  # noqa: PLC0415

        d = dict(src_dict)
        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = LookedUp.from_dict(entries_item_data)

            entries.append(entries_item)

        leaderboard = d.pop("leaderboard")

        missing = cast(list[str], d.pop("missing"))

        def _parse_period(data: object) -> None | Period:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                period_type_0 = Period.from_dict(data)

                return period_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Period, data)

        period = _parse_period(d.pop("period"))

        total = d.pop("total")

        lookup = cls(
            entries=entries,
            leaderboard=leaderboard,
            missing=missing,
            period=period,
            total=total,
        )

        return lookup
