"""The audit log in the admin, read-only; and the bulk delete that records what it deletes."""

from django.contrib import admin

from backend_site.audit import admin_log
from backend_site.audit.models import AuditEntry
from backend_site.read_only_admin import ReadOnly

# Django's own "Delete selected …" action, each deletion recorded (admin_log explains why).
admin.site.add_action(admin_log.delete_selected, "delete_selected")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, admin.ModelAdmin):
    """What was changed, by whom: never added, edited or deleted here (prune_audit ages
    entries out)."""

    list_display = ["at", "actor", "action", "target", "detail"]
    search_fields = ["actor", "action", "target"]
    ordering = ["-at", "-id"]
    list_per_page = 100
    show_full_result_count = False  # counting a large log on every page is wasted work
