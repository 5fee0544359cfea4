"""The audit log: who changed what, and when.

Every key made or revoked, every board made, changed or deleted (over the API or in the
admin), every other admin change and every sanction, lift, rollback and erasure is one
``AuditEntry``: the actor (an API key's
name, ``admin:<user>`` or ``command:<name>``), the time, the action, the target and its
details. Other code writes with ``log.record``; ``admin_log`` copies the Django admin's own
LogEntries in; ``GET /api/v1/audit`` (scope ``moderate``, in ``rankings/api/audit_views.py``)
and the admin read them; ``manage.py prune_audit`` drops those older than
AUDIT_RETENTION_DAYS.
"""
