"""Parse and check what callers send; every problem is an InvalidInput naming the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.fields import (
    metadata_clean,
    name_clean,
    player_id_clean,
    reason_clean,
    score_clean,
)
from backend_site.rankings.models import MAX_SCORE
from backend_site.rankings.writes.batch import BatchItem
from common import patterns

_SLUG_RE = re.compile(patterns.SLUG)
_IDEMPOTENCY_KEY_RE = re.compile(r"[\x20-\x7e]{1,255}")
BATCH_MAX = patterns.BATCH_MAX
LOOKUP_MAX = patterns.LOOKUP_MAX
GETDATA_LIMIT_MAX = patterns.GETDATA_LIMIT_MAX
PAGE_LIMIT_MAX = patterns.PAGE_LIMIT_MAX
AROUND_MAX = patterns.AROUND_MAX
MAX_OFFSET = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Submission:
    player_id: str
    score: int
    name: str | None
    metadata: str | None = None  # compact JSON
    subscores: object = None  # as sent: checked against the board's columns (subscores.py)


def query_int(params, name: str, *, default: int, low: int, high: int) -> int:
    """Read an integer query parameter within [low, high]."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,20}", raw.strip()):
        raise InvalidInput(f"{name}: must be a whole number.", field=name)
    value = int(raw)
    if not low <= value <= high:
        raise InvalidInput(f"{name}: must be between {low} and {high}.", field=name)
    return value


_PERIOD_RE = re.compile(patterns.PERIOD)
PERIODS_LIMIT_MAX = patterns.PERIODS_LIMIT_MAX


def period_param(params) -> str:
    """The ``period`` query parameter: current (the default), previous, or a period id
    (2026-11-25, 2026-W48 or 2026-11). A well-formed id the board has no period for is a
    404, found later."""
    return period_clean(params.get("period"))


def period_clean(raw) -> str:
    """A period named in a query or a body (see period_param); missing or "" is current."""
    if raw is None or raw == "":
        return "current"
    if not isinstance(raw, str) or not _PERIOD_RE.fullmatch(raw):
        raise InvalidInput(
            "period: must be current, previous, or a period id such as 2026-11-25, 2026-W48 "
            "or 2026-11.",
            field="period",
        )
    return raw


def _json_int(digits: str) -> int:
    # int() refuses more than 4300 digits (a ValueError, read as broken JSON); a number that
    # long is out of range anyway, so keep its sign and let score_clean say so.
    if len(digits) > 24:
        return -(MAX_SCORE + 1) if digits.startswith("-") else MAX_SCORE + 1
    return int(digits)


def _json_object(body: bytes) -> dict:
    try:
        # The standard parser keeps integers of any size, so an oversized score is
        # reported as out of range rather than as broken JSON.
        data = json.loads(body, parse_int=_json_int)
    except (ValueError, RecursionError):
        raise InvalidInput("The body must be valid JSON (UTF-8).") from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


def _fields_check(data: dict, *, required: tuple, allowed: set, where: str = "") -> None:
    for name in required:
        if name not in data:
            raise InvalidInput(f"{where}{name}: required.", field=f"{where}{name}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(f"{where}{unknown[0]}: unknown field.", field=f"{where}{unknown[0]}")


INCLUDES = ("metadata",)  # what a read adds to its entries when asked


def include_param(params) -> frozenset[str]:
    """The ``include`` query parameter: a comma-separated list of INCLUDES (none by default)."""
    raw = params.get("include") or ""
    return _includes_clean([part for part in raw.split(",") if part])


def _includes_clean(asked) -> frozenset[str]:
    if not isinstance(asked, list) or not all(isinstance(part, str) for part in asked):
        raise InvalidInput("include: must be a list of names.", field="include")
    unknown = sorted(set(asked) - set(INCLUDES))
    if unknown:
        raise InvalidInput(
            f"include: {unknown[0][:40]!r} is not one of {', '.join(INCLUDES)}.", field="include"
        )
    return frozenset(asked)


@dataclass(frozen=True, slots=True)
class LookupRequest:
    player_ids: list[str]  # distinct, in the order first given
    period: str
    include: frozenset[str] = frozenset()


def lookup_parse(body: bytes) -> LookupRequest:
    """Parse a lookup: {"player_ids": [1 to LOOKUP_MAX ids], "period"?: as period_param,
    "include"?: a list of INCLUDES}. An id given twice is looked up once."""
    data = _json_object(body)
    _fields_check(data, required=("player_ids",), allowed={"player_ids", "period", "include"})
    ids = data["player_ids"]
    if not isinstance(ids, list) or not 1 <= len(ids) <= LOOKUP_MAX:
        raise InvalidInput(
            f"player_ids: must be a list of 1 to {LOOKUP_MAX} player ids.", field="player_ids"
        )
    cleaned = [player_id_clean(value, field=f"player_ids[{i}]") for i, value in enumerate(ids)]
    return LookupRequest(
        player_ids=list(dict.fromkeys(cleaned)),
        period=period_clean(data.get("period")),
        include=_includes_clean(data.get("include", [])),
    )


def submission_parse(body: bytes) -> Submission:
    """Parse a score submission's JSON body."""
    data = _json_object(body)
    _fields_check(
        data,
        required=("player_id", "score"),
        allowed={"player_id", "score", "name", "metadata", "subscores"},
    )
    name = data.get("name")
    return Submission(
        player_id=player_id_clean(data["player_id"]),
        score=score_clean(data["score"]),
        name=None if name is None else name_clean(name),
        metadata=metadata_clean(data.get("metadata")),
        subscores=data.get("subscores"),
    )


def moment_clean(value, *, field: str) -> datetime:
    """An ISO 8601 time with its offset, in UTC (one that has no UTC date is refused)."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidInput(
        f"{field}: must be an ISO 8601 time with its offset, like 2026-11-25T18:00:00+00:00.",
        field=field,
    )


def rollback_parse(body: bytes) -> tuple[datetime, str | None]:
    """Parse a rollback: {"since": an ISO 8601 time with its offset, "leaderboard"?: slug or
    null}."""
    data = _json_object(body)
    _fields_check(data, required=("since",), allowed={"since", "leaderboard"})
    moment = moment_clean(data["since"], field="since")
    leaderboard = data.get("leaderboard")
    return moment, None if leaderboard is None else slug_clean(leaderboard)


SANCTION_ACTIONS = ("hide", "ban")
_SANCTION_ID_RE = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits only (\d takes any script's)


@dataclass(frozen=True, slots=True)
class SanctionRequest:
    action: str
    reason: str
    until: datetime | None


def sanction_parse(body: bytes) -> SanctionRequest:
    """Parse a sanction: {"action": "hide" or "ban", "reason"?: text, "until"?: an ISO 8601
    time with its offset, or null (until lifted)}."""
    data = _json_object(body)
    _fields_check(data, required=("action",), allowed={"action", "reason", "until"})
    action = data["action"]
    if action not in SANCTION_ACTIONS:
        raise InvalidInput('action: must be "hide" or "ban".', field="action")
    reason = reason_clean(data.get("reason", ""))
    until = data.get("until")
    return SanctionRequest(
        action=action,
        reason=reason,
        until=None if until is None else moment_clean(until, field="until"),
    )


def sanction_id_clean(value: str) -> int:
    """A sanction id from the path: a positive whole number (the database's range)."""
    if not _SANCTION_ID_RE.fullmatch(value):
        raise InvalidInput("sanction_id: must be a positive whole number.", field="sanction_id")
    return int(value)


def slug_clean(value, *, field: str = "leaderboard") -> str:
    if not isinstance(value, str) or not _SLUG_RE.fullmatch(value):
        raise InvalidInput(f"{field}: must be a leaderboard slug.", field=field)
    return value


def batch_parse(body: bytes) -> list[BatchItem]:
    """Parse a batch: {"scores": [{"leaderboard", "player_id", "score", "name"?,
    "metadata"?}, ...]}.

    Every item is checked before anything is applied; an error names the item's index.
    """
    data = _json_object(body)
    _fields_check(data, required=("scores",), allowed={"scores"})
    items = data["scores"]
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
        raise InvalidInput(f"scores: must be a list of 1 to {BATCH_MAX} items.", field="scores")
    parsed = []
    for index, item in enumerate(items):
        where = f"scores[{index}]."
        if not isinstance(item, dict):
            raise InvalidInput(f"scores[{index}]: must be an object.", field=f"scores[{index}]")
        _fields_check(
            item,
            required=("leaderboard", "player_id", "score"),
            allowed={"leaderboard", "player_id", "score", "name", "metadata", "subscores"},
            where=where,
        )
        name = item.get("name")
        parsed.append(
            BatchItem(
                leaderboard=slug_clean(item["leaderboard"], field=f"{where}leaderboard"),
                player_id=player_id_clean(item["player_id"], field=f"{where}player_id"),
                score=score_clean(item["score"], field=f"{where}score"),
                name=None if name is None else name_clean(name, field=f"{where}name"),
                metadata=metadata_clean(item.get("metadata"), field=f"{where}metadata"),
                subscores=item.get("subscores"),
            )
        )
    return parsed


def idempotency_key_clean(value: str) -> str:
    """1–255 printable ASCII characters."""
    if not _IDEMPOTENCY_KEY_RE.fullmatch(value):
        raise InvalidInput(
            "Idempotency-Key: must be 1–255 printable ASCII characters.", field="Idempotency-Key"
        )
    return value
