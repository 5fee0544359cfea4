"""Players: inspect, rename, hide, ban and lift (with a confirmation page), and clear
lookalike marks; every change goes through the services and the audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone

from backend_site.audit import log
from backend_site.rankings.admin.base import ServiceAdmin, global_standing
from backend_site.rankings.errors import InvalidInput, NotFound
from backend_site.rankings.fields import REASON_MAX, name_clean, reason_clean
from backend_site.rankings.models import (
    Player,
    Sanction,
)
from backend_site.rankings.writes import sanctions, services
from backend_site.read_only_admin import ReadOnly

SANCTION_TEMPLATE = "admin/rankings/player/sanction_confirm.html"
SANCTION_LISTED_MAX = 100  # players named on the confirmation page; the rest are counted
SANCTION_FIELDS = [
    "action", "reason", "created_at", "created_by", "until", "ended_at", "ended_by"
]  # fmt: skip


class PlayerForm(forms.ModelForm):
    """A name typed here obeys the API's rules (trimmed, visible, no control or invisible
    formatting characters), so the public page shows no name the API would refuse."""

    class Meta:
        model = Player
        fields = ["player_id", "name"]

    def clean_name(self):
        try:
            return name_clean(self.cleaned_data["name"])
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
        max_length=REASON_MAX,
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
        # The API's own rule for a reason, so a reason typed here is one the API would take.
        try:
            return reason_clean(self.cleaned_data["reason"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


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
