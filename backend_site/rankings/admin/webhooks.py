"""Webhook endpoints (made, changed, deactivated and removed through webhooks/endpoints.py,
each change audited once) and every delivery, read only, with "send again".

An endpoint's secret is shown once, in the message after it is made or given a new one, and
never again, to superusers neither: a secret that can be read back is one more thing a
stolen admin session takes. A lost secret is replaced by typing or generating a new one."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from backend_site.audit import log
from backend_site.rankings.admin.base import AuditedByServiceAdmin
from backend_site.rankings.models import (
    WEBHOOK_EVENTS,
    WebhookDelivery,
    WebhookEndpoint,
)
from backend_site.rankings.webhooks import delivery, endpoints, signing
from backend_site.read_only_admin import ReadOnly


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text="http:// or https:// URL that receives the events (POST, JSON).",
    )
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    new_secret = forms.CharField(
        required=False,
        label="Secret",
        help_text="Leave empty: a new endpoint gets a generated one, an existing one keeps its "
        "own. Shown once, after saving.",
        widget=forms.PasswordInput(render_value=False),
    )
    generate = forms.BooleanField(
        required=False, label="Generate a new secret", help_text="Replaces the current one."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["events"] = self.instance.events.split(",")

    def clean_events(self) -> str:
        return ",".join(self.cleaned_data["events"])

    def clean_new_secret(self) -> str:
        secret = self.cleaned_data["new_secret"]
        try:
            return endpoints.secret_clean(secret) if secret else ""
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedByServiceAdmin):
    form = EndpointForm
    list_display = ["id", "url", "events", "active", "created_at", "created_by"]
    list_filter = ["active"]
    search_fields = ["url"]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        actor = log.admin_actor(request.user)
        given = form.cleaned_data.get("new_secret") or None
        if change:
            if form.cleaned_data.get("generate") and not given:
                given = signing.secret_new()
            saved = endpoints.endpoint_change(endpoint=obj, actor=actor, new_secret=given)
        else:
            saved = endpoints.endpoint_create(
                url=obj.url, events=obj.events, active=obj.active, secret=given, actor=actor
            )
            obj.pk = saved.pk
        if given or not change:
            self.message_user(
                request,
                format_html(
                    "The secret of {}: <code>{}</code>. Copy it now: it is not shown again.",
                    saved.url,
                    saved.secret,
                ),
            )

    def delete_model(self, request, obj):
        endpoints.endpoint_remove(endpoint_id=obj.pk, actor=log.admin_actor(request.user))

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            endpoints.endpoint_remove(endpoint_id=pk, actor=log.admin_actor(request.user))

    @admin.action(description="Deactivate the selected endpoints", permissions=["change"])
    def deactivate(self, request, queryset):
        actor = log.admin_actor(request.user)
        for endpoint in queryset.filter(active=True):
            endpoint.active = False
            endpoints.endpoint_change(endpoint=endpoint, actor=actor)
        self.message_user(request, "Deactivated: no new event is queued for them.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    """Every delivery, newest first: its status, attempts and last error. "Send again"
    queues the chosen ones anew (audited)."""

    list_display = [
        "id", "event_type", "event_id", "stream", "endpoint", "status", "attempts",
        "last_status", "last_error", "next_attempt_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["status", "event__type", "endpoint"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__uid", "stream"]
    actions = ["send_again"]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.display(description="Event id")
    def event_id(self, obj: WebhookDelivery) -> str:
        return str(obj.event.uid)

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("rankings.change_webhookdelivery")

    @admin.action(description="Send the selected deliveries again", permissions=["resend"])
    def send_again(self, request, queryset):
        count = delivery.deliveries_requeue(
            ids=list(queryset.values_list("pk", flat=True)),
            actor=log.admin_actor(request.user),
        )
        self.message_user(request, f"Queued {count} delivery(ies) to be sent again.")
