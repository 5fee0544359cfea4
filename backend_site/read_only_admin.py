"""The admin of records the service alone writes (audit entries, sanctions): listed and read,
never added, changed or deleted by hand."""


class ReadOnly:
    """Mix in before ``admin.ModelAdmin`` (or an inline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
