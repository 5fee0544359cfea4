"""Periods of boards that reset: which period a moment falls in, in the board's own zone.

A period's id names it in the board's time zone: ``2026-11-25`` (daily), ``2026-W48``
(weekly, ISO weeks, which start on Monday) or ``2026-11`` (monthly). Its start and end are the
local midnights that bound it, as aware datetimes, so a day is 23 or 25 hours long across a
daylight-saving change. Boards that never reset have no period (``None``); their scores
carry the period id ``""``.

Nothing here needs a scheduler: the period of a score is the one in force at the moment the
backend accepts it (``clock.now()``), and a read after a boundary simply names the new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

NEVER = "never"
DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
RESETS = (NEVER, DAILY, WEEKLY, MONTHLY)
NO_PERIOD = ""

_PATTERNS = {
    DAILY: re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"),
    WEEKLY: re.compile(r"^([0-9]{4})-W([0-9]{2})$"),
    MONTHLY: re.compile(r"^([0-9]{4})-([0-9]{2})$"),
}
# Periods are named only where their bounds, and the period before, can be computed in every
# zone: a couple of months inside Python's calendar (years 1 to 9999), whose edges would
# otherwise overflow. Nothing is ever scored there; such an id names no period.
_FIRST_DAY_MIN = date(1, 3, 1)
_FIRST_DAY_MAX = date(9999, 10, 1)


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    start: datetime
    end: datetime

    def as_json(self) -> dict:
        return {"id": self.id, "start": self.start.isoformat(), "end": self.end.isoformat()}


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError when there is no such zone."""
    if name not in _zone_names():
        raise ValueError(f"Unknown time zone {name!r}: use an IANA name such as Europe/Paris.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {name!r}.") from exc


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz`` (a zone that skips midnight starts the day at
    the first local time that exists, which fromutc finds)."""
    local = datetime.combine(day, time(0), tzinfo=tz)
    # Normalise through UTC: a midnight in a gap becomes the instant the day really starts.
    return local.astimezone(ZoneInfo("UTC")).astimezone(tz)


def _first_day(reset: str, day: date) -> date:
    if reset == DAILY:
        return day
    if reset == WEEKLY:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_first_day(reset: str, first: date) -> date:
    if reset == DAILY:
        return first + timedelta(days=1)
    if reset == WEEKLY:
        return first + timedelta(days=7)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _id_of(reset: str, first: date) -> str:
    if reset == DAILY:
        return first.isoformat()
    if reset == WEEKLY:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first.year}-{first.month:02d}"


def _period_from_first(reset: str, first: date, tz: ZoneInfo) -> Period:
    return Period(
        id=_id_of(reset, first),
        start=_midnight(first, tz),
        end=_midnight(_next_first_day(reset, first), tz),
    )


def period_at(reset: str, tz_name: str, moment: datetime) -> Period | None:
    """The period in force at ``moment`` (aware) on a board resetting ``reset`` in
    ``tz_name``; None for a board that never resets."""
    if reset == NEVER:
        return None
    tz = zone(tz_name)
    return _period_from_first(reset, _first_day(reset, moment.astimezone(tz).date()), tz)


def period_before(reset: str, tz_name: str, period: Period) -> Period:
    """The period just before ``period``."""
    return period_at(reset, tz_name, period.start - timedelta(microseconds=1))


def period_parse(reset: str, tz_name: str, period_id: str) -> Period | None:
    """The period named ``period_id``; None when it names none on such a board."""
    pattern = _PATTERNS.get(reset)
    match = pattern.match(period_id) if pattern else None
    if match is None:
        return None
    numbers = [int(part) for part in match.groups()]
    try:
        if reset == DAILY:
            first = date(*numbers)
        elif reset == WEEKLY:
            first = date.fromisocalendar(numbers[0], numbers[1], 1)
        else:
            first = date(numbers[0], numbers[1], 1)
    except ValueError:
        return None
    if not _FIRST_DAY_MIN <= first <= _FIRST_DAY_MAX:
        return None
    period = _period_from_first(reset, first, zone(tz_name))
    return period if period.id == period_id else None


def local_date(tz_name: str, moment: datetime) -> date:
    """The date ``moment`` falls on in ``tz_name``."""
    return moment.astimezone(zone(tz_name)).date()


def day_id(tz_name: str, moment: datetime) -> str:
    """The local date of ``moment`` in ``tz_name``: the id of the day whose 00:00 snapshot
    the rank movement counts from."""
    return local_date(tz_name, moment).isoformat()


def day_bounds(tz_name: str, day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next one, in ``tz_name``."""
    tz = zone(tz_name)
    return _midnight(day, tz), _midnight(day + timedelta(days=1), tz)
