"""The fields every way in checks the same: a player id, a name, a score, a moderator's
reason and a board's title, whether they come from the API, the admin or a seed file. Each
problem is an InvalidInput naming the field."""

from __future__ import annotations

import json
import re

from backend_site.rankings import names
from backend_site.rankings.errors import InvalidInput
from common import patterns

_PLAYER_ID_RE = re.compile(patterns.PLAYER_ID)
MAX_SCORE = patterns.MAX_SCORE
NAME_MAX = patterns.NAME_MAX
METADATA_MAX = patterns.METADATA_MAX
REASON_MAX = 500
# No control character (C0, DEL, C1) but tab and newline, and no lone surrogate.
_REASON_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
TITLE_MAX = 100  # Leaderboard.title's max_length
_TITLE_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


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
    problem = names.name_problem(name)
    if problem:
        raise InvalidInput(f"{field}: {problem}", field=field)
    return name


def score_clean(value, *, field: str = "score") -> int:
    # bool is an int in Python; true/false are not scores.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field}: must be an integer.", field=field)
    if abs(value) > MAX_SCORE:
        raise InvalidInput(f"{field}: must be between -{MAX_SCORE} and {MAX_SCORE}.", field=field)
    return value


def reason_clean(value, *, field: str = "reason") -> str:
    """A moderator's reason for a sanction: text of at most REASON_MAX characters."""
    if not isinstance(value, str) or len(value) > REASON_MAX:
        raise InvalidInput(
            f"{field}: must be text of at most {REASON_MAX} characters.", field=field
        )
    if _REASON_REFUSED.search(value):
        raise InvalidInput(
            f"{field}: control characters and lone surrogates are not allowed.", field=field
        )
    return value


def metadata_clean(value, *, field: str = "metadata") -> str | None:
    """An entry's metadata: a JSON object of at most METADATA_MAX bytes written as compact
    JSON; that text (None for null: no metadata)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{field}: must be a JSON object.", field=field)
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        size = len(text.encode())
    except (ValueError, RecursionError, UnicodeEncodeError):
        raise InvalidInput(
            f"{field}: must hold JSON values only (no NaN, Infinity or lone surrogates).",
            field=field,
        ) from None
    if size > METADATA_MAX:
        raise InvalidInput(
            f"{field}: must be at most {METADATA_MAX} bytes as compact JSON ({size} given).",
            field=field,
        )
    return text


def title_clean(value, *, field: str = "title") -> str:
    """A board's title: at most TITLE_MAX characters, something visible, no control character
    or lone surrogate (the public page shows it); spaces at either end trimmed."""
    if not isinstance(value, str) or len(value) > TITLE_MAX:
        raise InvalidInput(f"{field}: must be text of at most {TITLE_MAX} characters.", field=field)
    if _TITLE_REFUSED.search(value):
        raise InvalidInput(
            f"{field}: control characters and lone surrogates are not allowed.", field=field
        )
    title = value.strip()
    if not title:
        raise InvalidInput(f"{field}: must not be blank.", field=field)
    return title
