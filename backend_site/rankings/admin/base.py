"""What every admin of a ranked model shares: deletes through the services, one object at a
time, so Redis stays in step; a player's standing on the default board."""

from django.contrib import admin

from backend_site.audit import admin_log
from backend_site.rankings.errors import REDIS_ERRORS, NotFound
from backend_site.rankings.models import (
    DEFAULT_BOARD,
    Player,
)
from backend_site.rankings.reads import selectors
from backend_site.rankings.values import Standing


def global_standing(player: Player) -> Standing | None:
    """The player's standing on the default board; None without a score or Redis."""
    try:
        return selectors.player_standing(slug=DEFAULT_BOARD, player_id=player.player_id, around=0)
    except (NotFound, *REDIS_ERRORS):
        return None


class ServiceAdmin(admin.ModelAdmin):
    """Deletes go through a service one object at a time, so Redis stays in step."""

    def delete_with_service(self, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_with_service(obj)

    def delete_queryset(self, request, queryset):
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        for obj in queryset:
            self.delete_with_service(obj)


class AuditedByServiceAdmin(admin.ModelAdmin):
    """For models whose services record each change in the audit log themselves: the admin's
    own LogEntries are kept, but not copied to the audit log a second time."""

    def log_addition(self, request, obj, message):
        with admin_log.unmirrored():
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        with admin_log.unmirrored():
            return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        with admin_log.unmirrored():
            return super().log_deletions(request, queryset)
