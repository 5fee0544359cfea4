"""Moderation's records: sanctions (read only: the player admin makes and lifts them) and
reviews of names and scores waiting for a moderator."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from backend_site.audit import log
from backend_site.rankings.calendar import clock
from backend_site.rankings.models import (
    Player,
    Review,
    Sanction,
)
from backend_site.rankings.writes import sanctions
from backend_site.read_only_admin import ReadOnly


class InForceFilter(admin.SimpleListFilter):
    """In force now, or ended (lifted, or past its ``until``)."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("in_force", "In force"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        now = clock.now()
        running = Q(ended_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))
        if self.value() == "in_force":
            return queryset.filter(running)
        if self.value() == "ended":
            return queryset.exclude(running)
        return queryset


@admin.register(Sanction)
class SanctionAdmin(ReadOnly, admin.ModelAdmin):
    """Every hide and ban, newest first: read only. They are made and lifted by the player
    list's actions or the API, through the service, so that Redis follows."""

    list_display = [
        "created_at", "player_link", "action", "reason", "until", "state", "created_by",
        "ended_at", "ended_by",
    ]  # fmt: skip
    list_filter = ["action", InForceFilter]
    list_select_related = ["player"]
    search_fields = ["player__player_id", "player__name", "reason", "created_by"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        sanctions.expire_due()  # those past their time show as ended, by "expiry"
        return super().changelist_view(request, extra_context)

    @admin.display(description="Player", ordering="player_id")
    def player_link(self, sanction: Sanction):
        url = reverse("admin:rankings_player_change", args=[sanction.player_id])
        return format_html('<a href="{}">{}</a>', url, sanction.player)

    @admin.display(description="State")
    def state(self, sanction: Sanction) -> str:
        return "in force" if sanction.in_force(clock.now()) else "ended"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Submissions refused as out of bounds, newest first: look, act on the player (their
    page, or the lookalike names), then clear the reviewed ones (delete)."""

    list_display = ["at", "leaderboard", "player_link", "score", "reason", "key"]
    list_filter = ["leaderboard", "key"]
    search_fields = ["player_id", "leaderboard"]
    date_hierarchy = "at"
    actions = ["clear"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Lookalike names are the other queue: say how many wait, with a link to them.
        lookalikes = Player.objects.exclude(confusable_with="").count()
        if lookalikes and request.method == "GET":
            link = reverse("admin:rankings_player_changelist") + "?lookalike=yes"
            note = 'Names that look like another player\'s: <a href="{}">{} to review</a>.'
            self.message_user(request, format_html(note, link, lookalikes))
        return super().changelist_view(request, extra_context)

    @admin.display(description="Player", ordering="player_id")
    def player_link(self, review: Review):
        if not Player.objects.filter(player_id=review.player_id).exists():
            return review.player_id
        url = reverse("admin:rankings_player_change", args=[review.player_id])
        return format_html('<a href="{}">{}</a>', url, review.player_id)

    @admin.action(description="Clear the selected reviews")
    def clear(self, request, queryset):
        with transaction.atomic():
            cleared = list(queryset.values("pk", "leaderboard", "player_id", "score", "reason"))
            Review.objects.filter(pk__in=[row.pop("pk") for row in cleared]).delete()
            if cleared:
                log.record(
                    actor=log.admin_actor(request.user),
                    action="review.clear",
                    target=f"reviews:{len(cleared)}",
                    detail={"reviews": cleared},
                )
        self.message_user(request, f"Cleared {len(cleared)} review(s).")
