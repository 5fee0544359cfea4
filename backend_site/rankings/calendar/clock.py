"""The backend's one clock: every period, snapshot and history date is taken from ``now()``.

Tests set it (``monkeypatch.setattr(clock, "now", ...)``) rather than wait for midnight.
"""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
