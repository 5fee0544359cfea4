"""Idempotency-Keys: claimed inside a write's own transaction, kept 24 hours, then reused
or pruned (api/idempotency.py stores and replays the answers)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from backend_site.rankings.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)
PRUNE_CHUNK = 1000
KEYS = IdempotencyKey._meta.db_table


def key_claim(*, key: str, fingerprint: str) -> bool:
    """Take the key (a new one, or one past its 24 hours) inside the current transaction."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    expired = connection.ops.adapt_datetimefield_value(now - KEEP_FOR)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {KEYS} ("key", fingerprint, status, body, complete, created_at) '  # noqa: S608
            'VALUES (%s, %s, 0, %s, false, %s) ON CONFLICT ("key") DO UPDATE SET '
            "fingerprint = excluded.fingerprint, status = 0, body = excluded.body, "
            f"complete = false, created_at = excluded.created_at WHERE {KEYS}.created_at < %s "
            'RETURNING "key"',
            [key, fingerprint, b"", stamp, expired],
        )
        return cursor.fetchone() is not None


def keys_prune(*, now=None, chunk: int = PRUNE_CHUNK) -> int:
    """Delete up to ``chunk`` keys older than 24 hours; return how many went."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    stale = IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("key", flat=True)
    return IdempotencyKey.objects.filter(key__in=list(stale[:chunk])).delete()[0]
