from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.winner import Winner


T = TypeVar("T", bound="PeriodSummary")


@_attrs_define
class PeriodSummary:
    """A period of a board, with its players and winner.

    Attributes:
        closed (bool): Archived: its ranks are final.
        end (datetime.datetime):
        id (str):
        players (int):
        start (datetime.datetime):
        winner (None | Winner): null: no player.
    """

    closed: bool
    end: datetime.datetime
    id: str
    players: int
    start: datetime.datetime
    winner: None | Winner

    def to_dict(self) -> dict[str, Any]:
        from ..models.winner import Winner  # noqa: PLC0415

        closed = self.closed

        end = self.end.isoformat()

        id = self.id

        players = self.players

        start = self.start.isoformat()

        winner: dict[str, Any] | None
        if isinstance(self.winner, Winner):
            winner = self.winner.to_dict()
        else:
            winner = self.winner

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "closed": closed,
                "end": end,
                "id": id,
                "players": players,
                "start": start,
                "winner": winner,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.winner import Winner  # noqa: PLC0415

        d = dict(src_dict)
        closed = d.pop("closed")

        end = datetime.datetime.fromisoformat(d.pop("end"))

        id = d.pop("id")

        players = d.pop("players")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        def _parse_winner(data: object) -> None | Winner:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                winner_type_0 = Winner.from_dict(data)

                return winner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Winner, data)

        winner = _parse_winner(d.pop("winner"))

        period_summary = cls(
            closed=closed,
            end=end,
            id=id,
            players=players,
            start=start,
            winner=winner,
        )

        return period_summary
