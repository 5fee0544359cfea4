"""Writing to the audit log: ``record`` one change, naming who made it.

Call ``record`` inside the change's own transaction, so the entry commits (or rolls back)
with it. The actor is one of:

- ``key_actor()``: the API key of the request being served (``rankings.acting``);
- ``admin_actor(user)``: ``admin:<username>``, for a change made in the admin;
- ``command_actor(name)``: ``command:<name>``, for a management command.

Actions are dotted ``<noun>.<verb>`` names: ``key.create``, ``key.revoke``, ``admin.add``,
``admin.change``, ``admin.delete``, ``board.create``, ``board.change``, ``board.delete``,
``sanction.create``, ``sanction.lift``,
``sanction.expire``, ``player.rollback``, ``player.erase``, ``player.lookalike_clear``,
``review.clear``, ``audit.prune``, ``webhook.create``, ``webhook.change``, ``webhook.remove``,
``webhook.resend``.
"""

from __future__ import annotations

from backend_site.audit.models import ACTION_MAX, ACTOR_MAX, TARGET_MAX, AuditEntry
from backend_site.rankings import acting
from backend_site.rankings.calendar import clock

# Outside a request, a command or the admin (a shell, a test): nobody we can name.
UNKNOWN = "unknown"


def record(*, actor: str, action: str, target: str, detail: dict) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target`` now; ``detail`` is any JSON
    object (datetimes become ISO 8601 strings)."""
    if not actor or not action or not target:
        raise ValueError("an audit entry needs an actor, an action and a target")
    return AuditEntry.objects.create(
        at=clock.now(),
        actor=actor[:ACTOR_MAX],
        action=action[:ACTION_MAX],
        # A target names an object by id; an admin object's id is free text, so cut it
        # rather than lose the change it belongs to.
        target=target[:TARGET_MAX],
        detail=detail,
    )


def key_actor() -> str:
    """The name of the API key the request being served came with; UNKNOWN outside one."""
    return acting.key_name.get() or UNKNOWN


def admin_actor(user) -> str:
    """``admin:<username>`` for a change made in the admin by ``user``."""
    return f"admin:{user.get_username()}"


def command_actor(name: str) -> str:
    """``command:<name>`` for a change made by ``manage.py <name>``."""
    return f"command:{name}"
