"""Ageing the audit log out: entries older than AUDIT_RETENTION_DAYS go."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend_site.audit.models import AuditEntry

PRUNE_CHUNK = 2000


def audit_prune(*, now: datetime, days: int, chunk: int = PRUNE_CHUNK) -> int:
    """Delete the entries older than ``days`` days, ``chunk`` at a time in id order (each
    chunk its own short statement, so writers are never held up long); how many went."""
    old = AuditEntry.objects.filter(at__lt=now - timedelta(days=days))
    removed = 0
    while ids := list(old.order_by("id").values_list("id", flat=True)[:chunk]):
        # A range, not id IN (...): the chunk's ids are exactly the old ones up to its last.
        removed += old.filter(id__lte=ids[-1]).delete()[0]
    return removed
