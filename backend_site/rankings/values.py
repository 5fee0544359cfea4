"""The values the rankings pass around: entries, pages, standings, changes and what
applying them did. Plain data: the database code, the admin and Redis's all use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common.entries import Entry


@dataclass
class EntryWithMetadata(Entry):
    """An entry read with ``include=metadata``: orjson writes its metadata last, an object
    or null."""

    metadata: dict | None = None


@dataclass
class EntryWithSubscores(Entry):
    """An entry of a board with tie-break columns (subscores.py): its subscores after the
    rank change."""

    subscores: list[int] | None = None


@dataclass
class EntryWithSubscoresAndMetadata(EntryWithSubscores):
    metadata: dict | None = None


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    entries: list[Entry]
    period: object = None  # the period read (selectors fill it in); None on never boards


@dataclass(frozen=True, slots=True)
class Standing:
    player_id: str
    name: str
    score: int
    rank: int
    rank_change: int | None
    total: int
    worse: int
    around: list[Entry]
    period: object = None  # the period read (selectors fill it in); None on never boards
    metadata: dict | None = None  # the player's own, when read with include=metadata
    subscores: list[int] | None = None  # the player's own, on a board with subscores


@dataclass
class LookedUp:
    """One player of a lookup: their rank on the board and within the list asked for
    (``group_rank``, competition ranks too), and the share of players below them. Not slotted,
    like Entry: orjson writes it as the API's lookup entry, its fields in order."""

    rank: int
    group_rank: int
    player_id: str
    name: str
    score: int
    rank_change: int | None
    percentile: float


@dataclass
class LookedUpWithMetadata(LookedUp):
    metadata: dict | None = None


@dataclass
class LookedUpWithSubscores(LookedUp):
    subscores: list[int] | None = None


@dataclass
class LookedUpWithSubscoresAndMetadata(LookedUpWithSubscores):
    metadata: dict | None = None


@dataclass(frozen=True, slots=True)
class Lookup:
    """A list of players on one ranking: those with an entry in rank order, the others
    (no score there, or hidden) in ``missing``, in the order asked."""

    total: int
    entries: list[LookedUp]
    missing: list[str]
    period: object = None  # the period read (selectors fill it in); None on never boards


@dataclass(frozen=True, slots=True)
class LoadRow:
    player_id: str
    name: str
    value: int
    achieved_at: datetime
    version: int = 0
    metadata: str | None = None
    ties: tuple[int, ...] = ()  # the board's columns only (subscores.py)


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry's committed state: ``value`` None means the entry was removed; ``hidden``
    that it is off the ranking because a moderator hid the player (sanctions.py), which
    also takes them out of the rank movement snapshot, as if they had never been there."""

    player_id: str
    version: int
    value: int | None
    achieved_at: datetime | None = None
    name: str = ""
    hidden: bool = False
    metadata: str | None = None  # compact JSON of the submission that set the value
    ties: tuple[int, ...] = ()  # the subscores as ties, the board's columns only


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying one change did: ``applied`` False means Redis already had it or newer."""

    applied: bool
    previous_rank: int | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class Before:
    """A player changed since the snapshot, as they were at it (value None: no entry)."""

    player_id: str
    value: int | None
    achieved_at: datetime | None
    ties: tuple[int, ...] = ()  # the board's columns only
