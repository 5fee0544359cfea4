"""Made-up URLs are cheap: a budget for player pages the instance knows nothing about.

A player page whose standing the instance has no copy of costs the backend a call. For a
player the instance has seen (on a board page or a standing it fetched) that is always
allowed: real players' pages are never refused. For any other id, each worker allows
FRONTEND_LOOKUPS_PER_VISITOR_MINUTE per visitor (by address, behind FRONTEND_TRUSTED_PROXIES)
and FRONTEND_LOOKUPS_PER_SECOND from everyone together; beyond them the visitor gets a 429
page at once and the backend no call. So a flood of distinct made-up ids costs the backend at
most FRONTEND_LOOKUPS_PER_SECOND calls a second per worker, whoever sends it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from django.conf import settings

KNOWN_MAX = 200_000  # ids remembered per worker (a few MB); forgotten all at once past it
VISITORS_MAX = 20_000


class Bucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``burst``."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def take(self, now: float) -> float:
        """0 if a token was taken, else the seconds until one will be there."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


_lock = threading.Lock()
_known: set[str] = set()
_visitors: dict[str, Bucket] = {}
_everyone: list[Bucket] = []


def known_add(player_ids: Iterable[str]) -> None:
    """Remember players the backend has shown exist."""
    with _lock:
        if len(_known) > KNOWN_MAX:
            _known.clear()
        _known.update(player_ids)


def admit(*, visitor: str, player_id: str) -> float:
    """0 if a backend call for ``player_id``'s page may be made now, else the seconds to wait."""
    if player_id in _known:
        return 0.0
    now = time.monotonic()
    per_minute = settings.FRONTEND_LOOKUPS_PER_VISITOR_MINUTE
    with _lock:
        if not _everyone:
            rate = settings.FRONTEND_LOOKUPS_PER_SECOND
            _everyone.append(Bucket(rate, rate))
        bucket = _visitors.get(visitor)
        if bucket is None:
            if len(_visitors) >= VISITORS_MAX:
                _visitors.clear()
            bucket = _visitors[visitor] = Bucket(per_minute / 60, per_minute)
        wait = bucket.take(now)
        if wait:
            return wait
        wait = _everyone[0].take(now)
        if wait:
            bucket.tokens += 1  # not this visitor's doing: give theirs back
        return wait


def forget() -> None:
    """Forget every budget and known player (tests)."""
    with _lock:
        _known.clear()
        _visitors.clear()
        _everyone.clear()
