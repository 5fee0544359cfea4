"""Parse and check what callers send; every problem is an InvalidInput naming the field."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import MAX_SCORE, PLAYER_ID_PATTERN

_PLAYER_ID_RE = re.compile(PLAYER_ID_PATTERN)
NAME_MAX = 64
MAX_OFFSET = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Submission:
    player_id: str
    score: int
    name: str | None


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


def player_id_clean(value, *, field: str = "player_id") -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: must be a string.", field=field)
    if not _PLAYER_ID_RE.fullmatch(value):  # match() would let "$" accept a trailing "\n"
        raise InvalidInput(
            f"{field}: must be 1–64 letters, digits, '_', '.', ':' or '-'.", field=field
        )
    return value


def name_clean(value, *, field: str = "name") -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: must be a string.", field=field)
    name = value.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(f"{field}: must be 1–{NAME_MAX} characters.", field=field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise InvalidInput(f"{field}: must not contain control characters.", field=field)
    return name


def score_clean(value, *, field: str = "score") -> int:
    # bool is an int in Python; true/false are not scores.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field}: must be an integer.", field=field)
    if abs(value) > MAX_SCORE:
        raise InvalidInput(f"{field}: must be between -{MAX_SCORE} and {MAX_SCORE}.", field=field)
    return value


def _json_int(digits: str) -> int:
    # int() refuses more than 4300 digits (a ValueError, read as broken JSON); a number that
    # long is out of range anyway, so keep its sign and let score_clean say so.
    if len(digits) > 24:
        return -(MAX_SCORE + 1) if digits.startswith("-") else MAX_SCORE + 1
    return int(digits)


def submission_parse(body: bytes) -> Submission:
    """Parse a score submission's JSON body."""
    try:
        # The standard parser keeps integers of any size, so an oversized score is
        # reported as out of range rather than as broken JSON.
        data = json.loads(body, parse_int=_json_int)
    except (ValueError, RecursionError):
        raise InvalidInput("The body must be valid JSON (UTF-8).") from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    for required in ("player_id", "score"):
        if required not in data:
            raise InvalidInput(f"{required}: required.", field=required)
    unknown = sorted(set(data) - {"player_id", "score", "name"})
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown field.", field=unknown[0])
    name = data.get("name")
    return Submission(
        player_id=player_id_clean(data["player_id"]),
        score=score_clean(data["score"]),
        name=None if name is None else name_clean(name),
    )
