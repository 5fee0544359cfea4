from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.board_operator import BoardOperator
from ..models.board_order import BoardOrder
from ..models.board_reset import BoardReset
from ..models.subscore_order import SubscoreOrder
from ..types import UNSET, Unset

T = TypeVar("T", bound="LeaderboardCreate")


@_attrs_define
class LeaderboardCreate:
    """A new board: its slug, and any settings (the others take their defaults).

    Attributes:
        slug (str):
        max_increment (int | None | Unset): Increment boards only: the largest single addition. null: none.
        max_score (int | None | Unset): The highest score accepted (increment boards: total). null: none.
        max_submissions_per_minute (int | None | Unset): Per player: the submissions to this board taken in any 60
            seconds; null: unlimited.
        min_score (int | None | Unset): The lowest score accepted (increment boards: total). null: none.
        operator (BoardOperator | Unset): What a submission does: keep the player's `best` score, the `latest` one, or
            add to it (`increment`).
        order (BoardOrder | Unset): `desc`: highest first; `asc`: lowest first (speed-runs).
        reset (BoardReset | Unset): When the board starts a new period: never, or each day, week or month.
        source (None | str | Unset): The board whose every accepted score is also applied here, with this board's own
            operator; null: none. It must exist and have no source itself, and a board that feeds others takes none.
        subscores (list[SubscoreOrder] | Unset): The board's tie-break columns, compared in turn when scores are equal,
            before who got there first: `asc` (lower is better: fewest moves) or `desc` (higher is better). Absent or empty
            on a new board: none. Fixed once the board has scores.
        timezone (str | Unset): An IANA name (`UTC`, the default; `Europe/Paris`): where the periods' midnights are.
            Fixed once the board has scores.
        title (str | Unset): Up to 100 characters, not all spaces (trimmed), no control characters. Absent on a new
            board: its slug.
    """

    slug: str
    max_increment: int | None | Unset = UNSET
    max_score: int | None | Unset = UNSET
    max_submissions_per_minute: int | None | Unset = UNSET
    min_score: int | None | Unset = UNSET
    operator: BoardOperator | Unset = UNSET
    order: BoardOrder | Unset = UNSET
    reset: BoardReset | Unset = UNSET
    source: None | str | Unset = UNSET
    subscores: list[SubscoreOrder] | Unset = UNSET
    timezone: str | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        max_increment: int | None | Unset
        if isinstance(self.max_increment, Unset):
            max_increment = UNSET
        else:
            max_increment = self.max_increment

        max_score: int | None | Unset
        if isinstance(self.max_score, Unset):
            max_score = UNSET
        else:
            max_score = self.max_score

        max_submissions_per_minute: int | None | Unset
        if isinstance(self.max_submissions_per_minute, Unset):
            max_submissions_per_minute = UNSET
        else:
            max_submissions_per_minute = self.max_submissions_per_minute

        min_score: int | None | Unset
        if isinstance(self.min_score, Unset):
            min_score = UNSET
        else:
            min_score = self.min_score

        operator: str | Unset = UNSET
        if not isinstance(self.operator, Unset):
            operator = self.operator.value

        order: str | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.value

        reset: str | Unset = UNSET
        if not isinstance(self.reset, Unset):
            reset = self.reset.value

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        subscores: list[str] | Unset = UNSET
        if not isinstance(self.subscores, Unset):
            subscores = []
            for subscores_item_data in self.subscores:
                subscores_item = subscores_item_data.value
                subscores.append(subscores_item)

        timezone = self.timezone

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "slug": slug,
            }
        )
        if max_increment is not UNSET:
            field_dict["max_increment"] = max_increment
        if max_score is not UNSET:
            field_dict["max_score"] = max_score
        if max_submissions_per_minute is not UNSET:
            field_dict["max_submissions_per_minute"] = max_submissions_per_minute
        if min_score is not UNSET:
            field_dict["min_score"] = min_score
        if operator is not UNSET:
            field_dict["operator"] = operator
        if order is not UNSET:
            field_dict["order"] = order
        if reset is not UNSET:
            field_dict["reset"] = reset
        if source is not UNSET:
            field_dict["source"] = source
        if subscores is not UNSET:
            field_dict["subscores"] = subscores
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        slug = d.pop("slug")

        def _parse_max_increment(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_increment = _parse_max_increment(d.pop("max_increment", UNSET))

        def _parse_max_score(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_score = _parse_max_score(d.pop("max_score", UNSET))

        def _parse_max_submissions_per_minute(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_submissions_per_minute = _parse_max_submissions_per_minute(d.pop("max_submissions_per_minute", UNSET))

        def _parse_min_score(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_score = _parse_min_score(d.pop("min_score", UNSET))

        _operator = d.pop("operator", UNSET)
        operator: BoardOperator | Unset
        if isinstance(_operator, Unset):
            operator = UNSET
        else:
            operator = BoardOperator(_operator)

        _order = d.pop("order", UNSET)
        order: BoardOrder | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = BoardOrder(_order)

        _reset = d.pop("reset", UNSET)
        reset: BoardReset | Unset
        if isinstance(_reset, Unset):
            reset = UNSET
        else:
            reset = BoardReset(_reset)

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        _subscores = d.pop("subscores", UNSET)
        subscores: list[SubscoreOrder] | Unset = UNSET
        if _subscores is not UNSET:
            subscores = []
            for subscores_item_data in _subscores:
                subscores_item = SubscoreOrder(subscores_item_data)

                subscores.append(subscores_item)

        timezone = d.pop("timezone", UNSET)

        title = d.pop("title", UNSET)

        leaderboard_create = cls(
            slug=slug,
            max_increment=max_increment,
            max_score=max_score,
            max_submissions_per_minute=max_submissions_per_minute,
            min_score=min_score,
            operator=operator,
            order=order,
            reset=reset,
            source=source,
            subscores=subscores,
            timezone=timezone,
            title=title,
        )

        return leaderboard_create
