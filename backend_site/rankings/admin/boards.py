"""Boards, their scores and their archived periods: every save and delete goes through
writes/ (boards.py for the boards, services.py for scores), so the rules are the API's and
Redis stays in step with the database."""

from django import forms
from django.contrib import admin
from django.contrib.admin import actions as admin_actions
from django.db.models import Count
from django.utils import timezone

from backend_site.audit import log
from backend_site.rankings import fields, subscores
from backend_site.rankings.admin.base import AuditedByServiceAdmin, ServiceAdmin
from backend_site.rankings.calendar import periods
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import (
    Leaderboard,
    PeriodArchive,
    Score,
)
from backend_site.rankings.writes import boards as board_writes
from backend_site.rankings.writes import services


class LeaderboardForm(forms.ModelForm):
    """A board's settings; the rules are writes/boards.py's, shown here as form errors."""

    class Meta:
        model = Leaderboard
        fields = ["slug", *board_writes.SETTINGS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in board_writes.fixed_settings(self.instance):
            self.fields[name].disabled = True
            self.fields[name].help_text = "Fixed once the board has scores."

    def clean_title(self):
        try:
            return fields.title_clean(self.cleaned_data["title"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:  # the instance is still the stored board here
            refusal = board_writes.change_refusal(self.instance, self.changes())
            if refusal is not None:
                self.add_error(getattr(refusal, "field", None), refusal.message)
        return data

    def changes(self) -> dict:
        """The slug and settings this form changes, as writes/boards.py takes them."""
        return {name: self.value(name) for name in self.changed_data if name in self.cleaned_data}

    def settings(self) -> dict:
        """Every setting of a new board, as writes/boards.py takes them."""
        return {name: self.value(name) for name in board_writes.SETTINGS}

    def value(self, name: str):
        value = self.cleaned_data[name]
        if name == "source":  # writes/boards.py names a board by its slug
            return value.slug if value is not None else None
        if name == "subscores":  # and the subscores by their list of orders
            return list(subscores.orders_of(value))
        return value


@admin.action(permissions=["delete"], description=admin_actions.delete_selected.short_description)
def delete_selected(modeladmin, request, queryset):
    """Django's own bulk delete: each board's deletion is recorded by writes/boards.py
    (rather than by audit's delete_selected, which would record it a second time)."""
    return admin_actions.delete_selected(modeladmin, request, queryset)


@admin.register(Leaderboard)
class LeaderboardAdmin(AuditedByServiceAdmin):
    """Boards are made, changed and deleted by writes/boards.py, which keeps their rules,
    records each change in the audit log (as board.create, board.change, board.delete, by
    ``admin:<user>``) and brings Redis along: the admin's own LogEntries stay in its history
    without being recorded a second time (audit/admin_log.py)."""

    form = LeaderboardForm
    list_display = ["slug", "title", "order", "operator", "reset", "source", "player_count"]
    prepopulated_fields = {"slug": ["title"]}
    actions = [delete_selected]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and board_writes.delete_refusal(obj) is not None:
            return False  # the default board: /getdata and the public page read it
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(player_count=Count("scores"))

    @admin.display(description="Players", ordering="player_count")
    def player_count(self, board: Leaderboard) -> int:
        return board.player_count

    def save_model(self, request, obj, form, change):
        actor = log.admin_actor(request.user)
        if change:
            board_writes.board_change(
                slug=form.initial["slug"], changes=form.changes(), actor=actor
            )
        else:
            made = board_writes.board_create(slug=obj.slug, settings=form.settings(), actor=actor)
            obj.pk = made.pk

    def delete_model(self, request, obj):
        board_writes.board_delete(slug=obj.slug, actor=log.admin_actor(request.user))

    def delete_queryset(self, request, queryset):
        for board in queryset:
            if board_writes.delete_refusal(board) is None:
                self.delete_model(request, board)


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
