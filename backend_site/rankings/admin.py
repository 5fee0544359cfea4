"""Admin for inspecting players, boards and scores; every save goes through the services,
so Redis stays in step with the database."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from backend_site.audit import log
from backend_site.rankings.api import inputs
from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.errors import REDIS_ERRORS, InvalidInput, NotFound
from backend_site.rankings.models import (
    DEFAULT_BOARD,
    Leaderboard,
    PeriodArchive,
    Player,
    Review,
    Sanction,
    Score,
)
from backend_site.rankings.reads import selectors
from backend_site.rankings.values import Standing
from backend_site.rankings.writes import sanctions, services
from backend_site.read_only_admin import ReadOnly

SANCTION_TEMPLATE = "admin/rankings/player/sanction_confirm.html"
SANCTION_LISTED_MAX = 100  # players named on the confirmation page; the rest are counted
SANCTION_FIELDS = [
    "action", "reason", "created_at", "created_by", "until", "ended_at", "ended_by"
]  # fmt: skip


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


class SanctionForm(forms.Form):
    """What the moderator gives for a hide or ban of the selected players."""

    reason = forms.CharField(
        max_length=inputs.SANCTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with the sanction and in the audit log.",
    )
    until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["until"].help_text = f"In {zone}. Empty: until lifted."

    def clean_reason(self):
        # The API's own rule for a reason (inputs.sanction_parse), so a reason typed here
        # is one the API would take.
        reason = self.cleaned_data["reason"]
        try:
            inputs.sanction_parse(json.dumps({"action": "hide", "reason": reason}).encode())
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
        return reason


class SanctionInline(ReadOnly, admin.TabularInline):
    """The player's sanctions, newest first: read only (the actions make and lift them)."""

    model = Sanction
    fields = SANCTION_FIELDS
    readonly_fields = SANCTION_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Player)
class PlayerAdmin(ServiceAdmin):
    form = PlayerForm
    list_display = [
        "player_id", "name", "confusable_with", "hidden", "banned", "on_global", "updated_at"
    ]  # fmt: skip
    list_filter = [LookalikeFilter, "hidden", "banned"]
    search_fields = ["player_id", "name"]
    readonly_fields = [
        "created_at", "updated_at", "on_global", "confusable_with", "hidden", "banned"
    ]  # fmt: skip
    inlines = [SanctionInline]
    actions = ["lookalike_clear", "hide", "ban", "lift"]
    list_per_page = 50
    show_full_result_count = False  # counting a million rows on every page is wasted work

    def changelist_view(self, request, extra_context=None):
        sanctions.expire_due()  # the flags listed are the ones in force now
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sanctions.expire_due()
        return super().change_view(request, object_id, form_url, extra_context)

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            # The sanctions are read only: a save that posts the player's fields alone (a
            # script, a test) and not their formset's management form is taken without them.
            posted = f"{formset.get_default_prefix()}-TOTAL_FORMS" in request.POST
            if isinstance(inline, SanctionInline) and request.method == "POST" and not posted:
                continue
            yield formset, inline

    @admin.action(description="Clear the lookalike mark (reviewed)")
    def lookalike_clear(self, request, queryset):
        with transaction.atomic():
            marked = list(queryset.exclude(confusable_with="").values_list("pk", "confusable_with"))
            Player.objects.filter(pk__in=[pk for pk, _ in marked]).update(confusable_with="")
            for player_id, looked_like in marked:
                log.record(
                    actor=log.admin_actor(request.user),
                    action="player.lookalike_clear",
                    target=f"player:{player_id}",
                    detail={"looked_like": looked_like},
                )
        self.message_user(request, f"Cleared {len(marked)} lookalike mark(s).")

    @admin.action(
        description="Hide the selected players (off every board)…", permissions=["change"]
    )
    def hide(self, request, queryset):
        return self._sanction_confirm(request, queryset, Sanction.Action.HIDE.value)

    @admin.action(
        description="Ban the selected players (hidden, submissions refused)…",
        permissions=["change"],
    )
    def ban(self, request, queryset):
        return self._sanction_confirm(request, queryset, Sanction.Action.BAN.value)

    @admin.action(description="Lift every sanction of the selected players", permissions=["change"])
    def lift(self, request, queryset):
        actor = log.admin_actor(request.user)
        sanctions.expire_due()  # one past its time ends as expired, not as lifted here
        players = lifted = 0
        for player_id in queryset.values_list("pk", flat=True):
            count = sanctions.players_lift_all(player_ids=[player_id], actor=actor)
            if count:
                players, lifted = players + 1, lifted + count
        if not lifted:
            self.message_user(
                request, "None of the selected players had a sanction in force.", messages.WARNING
            )
            return
        self.message_user(request, f"Lifted {lifted} sanction(s) of {players} player(s).")

    def _sanction_confirm(self, request, queryset, action: str):
        """Django's pattern for an action with a form: the form first, then (posted back with
        ``apply``) a sanction per player through the service, which audits it. ``action`` is
        the sanction's and this action's name. No LogEntry is written, so the audit log holds
        each change once, by ``admin:<user>``."""
        form = SanctionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = self._sanctions_create(request, queryset, action, form)
            if done is not None:
                verb = "Hid" if action == Sanction.Action.HIDE else "Banned"
                self.message_user(request, f"{verb} {done} player(s).")
                return None  # back to the list
        selected = list(queryset.values_list("pk", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.capitalize()} {len(selected)} player(s)",
            "opts": self.model._meta,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "form": form,
            "selected": selected,
            "listed": queryset[:SANCTION_LISTED_MAX],
            "unlisted": max(0, len(selected) - SANCTION_LISTED_MAX),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, SANCTION_TEMPLATE, context)

    def _sanctions_create(self, request, queryset, action: str, form: SanctionForm) -> int | None:
        """Sanction each selected player; how many, or None when the service refused the
        form's values before any (the form then shows why)."""
        actor = log.admin_actor(request.user)
        done = 0
        for player_id in queryset.values_list("pk", flat=True):
            try:
                sanctions.sanction_create(
                    player_id=player_id,
                    action=action,
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data["until"],
                    actor=actor,
                )
            except NotFound:
                continue  # erased since it was selected
            except InvalidInput as exc:  # e.g. ``until`` not in the future (any more)
                if done == 0:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                    return None
                self.message_user(request, f"Stopped: {exc.message}", messages.ERROR)
                break
            done += 1
        return done

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
