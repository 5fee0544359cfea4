"""What falls due with time, taken at the first request after it (as a scheduler would):
a board's periods past their end are archived (closing.py), sanctions past their ``until``
end (sanctions.py). Reads take this step by name before they name a ranking; it is the only
way reads reach ``writes/``."""

from __future__ import annotations

from datetime import datetime

from backend_site.rankings.calendar.boards import KnownBoard
from backend_site.rankings.writes import closing, sanctions


def settle(known: KnownBoard | None, now: datetime) -> None:
    """Take what fell due by ``now``: the board's ended periods (with ``known``), and every
    sanction past its time (one comparison while none is due)."""
    if known is not None:
        closing.periods_close_due(known, now)
    sanctions.expire_due(now)
