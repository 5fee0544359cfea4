"""Boards, their scores and their archived periods: every save and delete goes through the
services, so Redis stays in step with the database."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils import timezone

from backend_site.rankings.admin.base import ServiceAdmin
from backend_site.rankings.calendar import periods
from backend_site.rankings.models import (
    DEFAULT_BOARD,
    Leaderboard,
    PeriodArchive,
    Score,
)
from backend_site.rankings.writes import services


class LeaderboardForm(forms.ModelForm):
    class Meta:
        model = Leaderboard
        fields = [
            "slug",
            "title",
            "order",
            "operator",
            "reset",
            "timezone",
            "source",
            "min_score",
            "max_score",
            "max_increment",
            "max_submissions_per_minute",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and Score.objects.filter(board_id=self.instance.pk).exists():
            # Its scores are filed under the periods these name.
            for name in ("reset", "timezone"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the board has scores."

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance.pk and self.instance.slug == DEFAULT_BOARD and slug != DEFAULT_BOARD:
            raise forms.ValidationError(f"The default board {DEFAULT_BOARD!r} keeps its slug.")
        return slug


@admin.register(Leaderboard)
class LeaderboardAdmin(ServiceAdmin):
    form = LeaderboardForm
    list_display = ["slug", "title", "order", "operator", "reset", "source", "player_count"]
    prepopulated_fields = {"slug": ["title"]}

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.slug == DEFAULT_BOARD:
            return False  # /getdata and the public page read it
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.exclude(slug=DEFAULT_BOARD))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(player_count=Count("scores"))

    @admin.display(description="Players", ordering="player_count")
    def player_count(self, board: Leaderboard) -> int:
        return board.player_count

    def save_model(self, request, obj, form, change):
        services.board_save(board=obj)

    def delete_with_service(self, obj):
        services.board_delete(board=obj)


class ScoreForm(forms.ModelForm):
    """A score's period must be one its board has: blank means the one in force now."""

    class Meta:
        model = Score
        fields = ["board", "period", "player", "value", "achieved_at"]

    def clean(self):
        data = super().clean()
        board = data.get("board")
        if board is None:
            return data
        period_id = data.get("period") or ""
        if board.reset == periods.NEVER:
            if period_id:
                self.add_error("period", "This board never resets: leave the period blank.")
            return data
        if not period_id:
            data["period"] = board.period_at(timezone.now()).id
        elif periods.period_parse(board.reset, board.timezone, period_id) is None:
            self.add_error("period", f"Not a {board.reset} period id of this board.")
        return data


@admin.register(Score)
class ScoreAdmin(ServiceAdmin):
    form = ScoreForm
    list_display = ["player", "board", "period", "value", "achieved_at"]
    list_filter = ["board", "period"]
    list_select_related = ["player", "board"]
    search_fields = ["player__player_id", "player__name"]
    ordering = ["board", "-value"]
    sortable_by = ["value", "achieved_at", "board", "player"]
    autocomplete_fields = ["player"]
    list_per_page = 50
    show_full_result_count = False

    def get_changeform_initial_data(self, request):
        return {"achieved_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        services.score_set(score=obj)

    def delete_with_service(self, obj):
        services.score_delete(score=obj)


@admin.register(PeriodArchive)
class PeriodArchiveAdmin(admin.ModelAdmin):
    """Closed periods, as archived: read only (the scores of a period are its standings)."""

    list_display = ["board", "period", "players", "winner_name", "winner_score", "closed_at"]
    list_filter = ["board"]
    ordering = ["board", "-start"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
