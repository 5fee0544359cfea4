"""Parse the audit log's query: its page size and the time it reads back from."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from backend_site.rankings.errors import InvalidInput

LIMIT_DEFAULT = 50
LIMIT_MAX = 500
# RFC 3339's date-time (what OpenAPI's `format: date-time` means): a date, T, a time with
# seconds and perhaps a fraction, and an offset (Z or ±hh:mm).
_MOMENT_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})",
    re.IGNORECASE,
)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def moment_param(params, name: str) -> datetime | None:
    """An ISO 8601 (RFC 3339) time with its offset, in UTC; None when absent or empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    problem = InvalidInput(
        f"{name}: must be an ISO 8601 time with its offset, such as 2026-12-01T08:00:00Z "
        "(in a URL, write + as %2B).",
        field=name,
    )
    if not _MOMENT_RE.fullmatch(raw):
        raise problem
    try:
        moment = datetime.fromisoformat(raw.upper())
    except ValueError:  # a day or an hour that does not exist
        raise problem from None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 ahead of UTC, or 9999 behind it: before or after any entry
        return _EARLIEST if moment.year == 1 else _LATEST
