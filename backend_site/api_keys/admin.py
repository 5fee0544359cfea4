from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from backend_site.api_keys import keys
from backend_site.api_keys.models import SCOPES, ApiKey
from backend_site.audit import admin_log, log


class ApiKeyForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(
        label="Scopes", choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["name", "rate", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made here or with manage.py api_keys; the secret is shown once, after saving.
    A key is never edited: revoke it and make another."""

    form = ApiKeyForm
    list_display = [
        "name", "prefix", "scopes", "rate", "created_at", "last_used_at", "expires_at", "state"
    ]  # fmt: skip
    readonly_fields = ["prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description="State")
    def state(self, key: ApiKey) -> str:
        return key.state(timezone.now())

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        key, secret = keys.key_create(
            name=obj.name,
            scopes=",".join(form.cleaned_data["scope_choices"]),
            expires_at=obj.expires_at,
            rate=obj.rate,
            actor=log.admin_actor(request.user),
        )
        obj.pk = key.pk
        messages.warning(request, f"The secret of {key.name}, shown only now: {secret}")

    def log_addition(self, request, obj, message):
        # save_model recorded the key in the audit log already, as key.create: the admin's
        # own LogEntry is kept for its history, not recorded a second time.
        with admin_log.unmirrored():
            return super().log_addition(request, obj, message)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            keys.key_revoke(name=key.name, actor=log.admin_actor(request.user))
        self.message_user(request, f"Revoked {queryset.count()} key(s).")
