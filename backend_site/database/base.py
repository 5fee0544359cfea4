"""Django's PostgreSQL backend, checking a kept connection without a round trip per request.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first statement of every request
that reuses a connection: a round trip and a statement of the server's CPU on every write, to
learn what is true nearly always. This engine asks the server only when there is a reason:

* **the connection sat idle** longer than ``DATABASE_CHECK_IDLE_SECONDS`` (5 s) since the last
  request that used this thread's connection ended: a server or a proxy in between may have
  closed it meanwhile, silently;
* **or its socket has something to read** between requests. Nothing is in flight then, so
  anything there is the server talking on its own: a restart, a failover or an administrator
  ending the session (PostgreSQL sends the FATAL and closes), or the socket already closed. A
  ``select()`` with no timeout tells, a microsecond's syscall and no round trip.

Either way the check is Django's own (``SELECT 1``; a failure closes the connection and the
request connects anew), so a connection that died while idle costs no visitor an error. A
connection that dies while a request uses it fails that request, as before.
"""

from __future__ import annotations

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _released_at: float | None = None  # when the last request using the connection ended
    _idle_seconds = 0.0  # how long it had been idle when this request began

    def connect(self):
        super().connect()
        self._released_at, self._idle_seconds = time.monotonic(), 0.0  # a new one is fresh

    def close_if_unusable_or_obsolete(self):
        """Django calls it as each request starts and ends: the time between is idle time."""
        now = time.monotonic()
        if self._released_at is not None:
            self._idle_seconds = now - self._released_at
        super().close_if_unusable_or_obsolete()
        self._released_at = now

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._idle_seconds < settings.DATABASE_CHECK_IDLE_SECONDS
            and not self.server_spoke()
        ):
            self.health_check_done = True  # used moments ago, and the server said nothing
            return
        super().close_if_health_check_failed()

    def server_spoke(self) -> bool:
        """Whether the idle connection's socket has something to read (or is gone)."""
        try:
            socket = self.connection.fileno()
        except Exception:  # closed, or no socket any more
            return True
        try:
            readable, _, _ = select.select([socket], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)
