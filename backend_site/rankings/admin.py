"""Admin for inspecting players, boards and scores; every save goes through the services,
so Redis stays in step with the database."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from backend_site.rankings import inputs, periods, selectors, services
from backend_site.rankings.errors import REDIS_ERRORS, InvalidInput, NotFound
from backend_site.rankings.models import (
    DEFAULT_BOARD,
    Leaderboard,
    PeriodArchive,
    Player,
    Review,
    Score,
)
from backend_site.rankings.store import Standing


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


class PlayerForm(forms.ModelForm):
    """A name typed here obeys the API's rules (trimmed, visible, no control or invisible
    formatting characters), so the public page shows no name the API would refuse."""

    class Meta:
        model = Player
        fields = ["player_id", "name"]

    def clean_name(self):
        try:
            return inputs.name_clean(self.cleaned_data["name"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


class LookalikeFilter(admin.SimpleListFilter):
    """Players whose name was marked as looking like another player's, for review."""

    title = "name review"
    parameter_name = "lookalike"

    def lookups(self, request, model_admin):
        return [("yes", "Looks like another player's")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(confusable_with="")
        return queryset


@admin.register(Player)
class PlayerAdmin(ServiceAdmin):
    form = PlayerForm
    list_display = ["player_id", "name", "confusable_with", "on_global", "updated_at"]
    list_filter = [LookalikeFilter]
    search_fields = ["player_id", "name"]
    readonly_fields = ["created_at", "updated_at", "on_global", "confusable_with"]
    actions = ["lookalike_clear"]

    @admin.action(description="Clear the lookalike mark (reviewed)")
    def lookalike_clear(self, request, queryset):
        cleared = queryset.exclude(confusable_with="").update(confusable_with="")
        self.message_user(request, f"Cleared {cleared} lookalike mark(s).")

    list_per_page = 50
    show_full_result_count = False  # counting a million rows on every page is wasted work

    @admin.display(description="Score and rank on global")
    def on_global(self, player: Player) -> str:
        standing = global_standing(player)  # one Redis round trip a row
        if standing is None:
            return "—"
        return f"{standing.score} (rank {standing.rank} of {standing.total})"

    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            services.player_rename(player=obj, name=obj.name)
        else:
            obj.save()

    def delete_with_service(self, obj):
        services.player_delete(player=obj)


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
        count, _ = queryset.delete()
        self.message_user(request, f"Cleared {count} review(s).")
