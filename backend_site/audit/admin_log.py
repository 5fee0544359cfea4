"""Every change made in the admin, copied into the audit log from Django's own LogEntry.

The admin writes a LogEntry for each object it adds, changes or deletes; ``mirror`` (a
post_save receiver, connected in apps.py) records each as ``admin.add``, ``admin.change``
or ``admin.delete`` by ``admin:<user>``, in the admin's transaction, with the change
message as detail. Two cases need help:

- Django writes a bulk deletion's LogEntries with bulk_create, which sends no post_save:
  ``delete_selected`` replaces the admin's bulk-delete action (rankings/admin/) with Django's own,
  recording each deletion itself.
- An admin whose save already recorded the change under its own action (the API key
  admin's ``key.create``; the boards' admin, whose every change writes/boards.py records as
  ``board.create``, ``board.change`` or ``board.delete``) writes its LogEntries
  ``unmirrored()``, so each change is recorded once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.contrib import admin
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from backend_site.audit import log

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}

_unmirrored: ContextVar[bool] = ContextVar("audit_unmirrored", default=False)


@contextlib.contextmanager
def unmirrored() -> Iterator[None]:
    """LogEntries written inside are not copied: the caller records the change itself."""
    token = _unmirrored.set(True)
    try:
        yield
    finally:
        _unmirrored.reset(token)


def mirror(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a LogEntry: record the admin change it describes."""
    if not created or raw or _unmirrored.get():
        return
    with translation.override(None):  # the message in English, whatever the admin's language
        message = instance.get_change_message()
    change_record(
        user=instance.user,
        flag=instance.action_flag,
        content_type=instance.content_type,
        object_id=instance.object_id,
        object_repr=instance.object_repr,
        message=message,
    )


def change_record(
    *,
    user,
    flag: int,
    content_type: ContentType | None,
    object_id: str | None,
    object_repr: str,
    message: str = "",
):
    """Record one admin change: target ``<app>.<model>:<id>``, detail the object as the
    admin showed it and the change message."""
    model = f"{content_type.app_label}.{content_type.model}" if content_type else "unknown"
    return log.record(
        actor=log.admin_actor(user),
        action=ACTIONS[flag],
        target=f"{model}:{object_id}",
        detail={"object": object_repr, "message": message},
    )


@admin.action(
    permissions=["delete"],
    description=admin_actions.delete_selected.short_description,
)
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, each deleted object recorded in the audit log."""
    confirmed = bool(request.POST.get("post"))
    # Read before the deletion: afterwards there is nothing left to name.
    doomed = [(obj.pk, str(obj)) for obj in queryset] if confirmed else []
    with unmirrored():
        answer = admin_actions.delete_selected(modeladmin, request, queryset)
    if confirmed and answer is None:  # None: deleted (else the confirmation or a refusal)
        content_type = ContentType.objects.get_for_model(modeladmin.model, for_concrete_model=False)
        for pk, shown in doomed:
            change_record(
                user=request.user,
                flag=DELETION,
                content_type=content_type,
                object_id=str(pk),
                object_repr=shown[:200],
            )
    return answer
