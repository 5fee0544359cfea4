"""Reading the audit log."""

from __future__ import annotations

from datetime import datetime

from backend_site.audit.models import AuditEntry


def audit_entries(*, limit: int, before: datetime | None = None) -> list[AuditEntry]:
    """Up to ``limit`` entries, newest first; only those strictly older than ``before``."""
    entries = AuditEntry.objects.order_by("-at", "-id")
    if before is not None:
        entries = entries.filter(at__lt=before)
    return list(entries[:limit])
