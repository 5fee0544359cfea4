"""Boards as a process sees them, and the rankings (board, period) that Redis keeps.

A board that never resets has one ranking; a board that resets has one per period, each kept
in Redis under a name of its own (``ranking_name``). Reads need a board's reset, zone
and order before they can name its ranking, without a database query each time: each process
keeps its boards for BOARD_CACHE_SECONDS. Reset and zone cannot change once a board has
scores (writes/boards.py), so a copy only a few seconds old names the same periods; a board
deleted and made again under the same slug is seen within those seconds, or at once by a
write (its statement checks the board) or a read that finds its ranking missing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError

from backend_site.rankings.calendar import periods
from backend_site.rankings.db import leaderboards
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard

BOARD_CACHE_SECONDS = 5.0
logger = logging.getLogger("backend_site.rankings")


def ranking_name(slug: str, period_id: str = periods.NO_PERIOD) -> str:
    """The name a board's ranking in one period goes by (the board's slug alone on a board
    that never resets): the ``ranking`` every function of ``ranking_index/`` takes."""
    return f"{slug}/{period_id}" if period_id else slug


@dataclass(frozen=True, slots=True)
class Ranking:
    """One board's ranking in one period (period id "" for a board that never resets)."""

    board: Leaderboard
    period_id: str = periods.NO_PERIOD

    @property
    def name(self) -> str:
        return ranking_name(self.board.slug, self.period_id)

    @property
    def order(self) -> str:
        return self.board.order

    def is_current(self, now: datetime) -> bool:
        """Whether this is the board's ranking in force at ``now`` (a board that never
        resets has only that one)."""
        period = self.board.period_at(now)
        return self.period_id == (period.id if period else periods.NO_PERIOD)


@dataclass(slots=True)
class KnownBoard:
    """A board, the boards it feeds, and its current period and day, as last computed."""

    board: Leaderboard
    fed: tuple[Leaderboard, ...]
    fetched: float
    period: periods.Period | None = None
    previous: periods.Period | None = None  # the one before ``period``, computed with it
    day: str = ""
    day_end: datetime | None = None
    first_fetched: float = field(default_factory=time.monotonic)

    def age(self) -> float:
        return time.monotonic() - self.first_fetched

    def current(self, now: datetime) -> periods.Period | None:
        """The period in force at ``now`` (cached until it ends)."""
        board = self.board
        if board.reset == periods.NEVER:
            return None
        period = self.period
        if period is None or not (period.start <= now < period.end):
            period = self.period = board.period_at(now)
            self.previous = periods.period_before(board.reset, board.timezone, period)
        return period

    def today(self, now: datetime) -> str:
        """The board's local day at ``now``: the snapshot rank movement counts from."""
        if self.day_end is None or now >= self.day_end or not self.day:
            day = periods.local_date(self.board.timezone, now)
            self.day = day.isoformat()
            _, self.day_end = periods.day_bounds(self.board.timezone, day)
        return self.day


_known: dict[str, KnownBoard] = {}


def board_known(slug: str, *, fresh: bool = False) -> KnownBoard:
    """The board, with the boards it feeds: the one way to get a board (NotFound if there is
    none). As this process knows it, fetched again once BOARD_CACHE_SECONDS old, or with
    ``fresh`` from the database now.

    While the database is unreachable, a copy this process has is used as it is, so reads
    stay up on Redis alone; only a board never seen needs the database.
    """
    known = _known.get(slug)
    if known is None or fresh:
        return _fetch(slug)
    if time.monotonic() - known.fetched > BOARD_CACHE_SECONDS:
        try:
            return _fetch(slug)
        except DatabaseError as exc:
            logger.warning("Board %s kept from %.0f s ago: %s", slug, known.age(), exc)
            known.fetched = time.monotonic()  # try again in BOARD_CACHE_SECONDS
    return known


def _fetch(slug: str) -> KnownBoard:
    board = leaderboards.board_by_slug(slug)
    if board is None:
        _known.pop(slug, None)
        raise NotFound(f"No leaderboard {slug!r}.")
    known = KnownBoard(
        board=board, fed=tuple(leaderboards.boards_fed_by(board.pk)), fetched=time.monotonic()
    )
    _known[slug] = known
    return known


def boards_forget() -> None:
    """Drop every board this process knows (tests, and a board saved in this process)."""
    _known.clear()


def ranking_of(board: Leaderboard, moment: datetime) -> Ranking:
    """The board's ranking in force at ``moment``."""
    period = board.period_at(moment)
    return Ranking(board, period.id if period else periods.NO_PERIOD)


def today_of(board: Leaderboard, moment: datetime) -> str:
    known = _known.get(board.slug)
    if known is not None and known.board.pk == board.pk:
        return known.today(moment)
    return periods.day_id(board.timezone, moment)
