import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from skylight.admin import OwnedAccountChoices
from skylight.domain import DomainError, Invalid
from skylight.roles import may_administer

from .models import Channel
from .services import (
    channel_change_refusal,
    channel_config_clean,
    channel_create,
    channel_delete,
    channel_update,
    masked_config,
)
from .transports import TRANSPORTS


class ChannelAdminForm(forms.ModelForm):
    """Edits the provider config without ever rendering a secret.

    The config box shows only the non-secret settings; a secret typed into it replaces
    the stored one, a secret left out keeps it. The result is validated like the API,
    and `ChannelAdmin` saves through the same services (so their rules hold here too).
    """

    config = forms.JSONField(
        required=False,
        help_text="Secret settings are hidden. Add one to replace it; leave it out to keep it.",
    )

    class Meta:
        model = Channel
        fields = ["account", "name", "type", "provider", "phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.provider in TRANSPORTS:
            transport_cls = TRANSPORTS[self.instance.provider]
            self.initial["config"] = transport_cls.public_config(self.instance.config)

    def clean(self):
        cleaned = super().clean()
        provider, channel_type = cleaned.get("provider"), cleaned.get("type")
        if provider not in TRANSPORTS or not channel_type:
            return cleaned
        same = self.instance.pk and self.instance.provider == provider
        if self.instance.pk and channel_type != self.instance.type:
            refusal = channel_change_refusal(channel=self.instance, change="change_type")
            if refusal:
                self.add_error("type", refusal)
        try:
            cleaned["config"] = channel_config_clean(
                provider=provider,
                type=channel_type,
                incoming=cleaned.get("config") or {},
                stored=self.instance.config if same else {},
            )
        except Invalid as exc:
            for field, texts in exc.errors.items():
                target = field if field in ("type",) else None
                for text in texts:
                    self.add_error(target, f"{field}: {text}")
        return cleaned


@admin.register(Channel)
class ChannelAdmin(OwnedAccountChoices, admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = [
        "name", "account", "type", "provider", "phone", "is_active", "unavailable_reason",
        "health", "created_at",
    ]  # fmt: skip
    list_filter = ["provider", "type", "is_active", "health", "account"]
    search_fields = ["name", "phone", "account__name", "webhook_token"]
    list_select_related = ["account"]
    readonly_fields = [
        "stored_config", "webhook_url", "unavailable_reason", "unavailable_since", "health",
        "health_reason", "health_changed_at", "health_window_start", "created_at",
    ]  # fmt: skip
    fields = [
        "account", "name", "type", "provider", "phone", "is_active", "config",
        "stored_config", "webhook_url", "unavailable_reason", "unavailable_since", "health",
        "health_reason", "health_changed_at", "health_window_start", "created_at",
    ]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        allowed = obj is None or may_administer(request.user, obj.account)
        return super().has_change_permission(request, obj) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = obj is None or may_administer(request.user, obj.account)
        return super().has_delete_permission(request, obj) and allowed

    @admin.display(description="Stored config (secrets masked)")
    def stored_config(self, channel):
        if not channel.pk:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(masked_config(channel), indent=2))

    def get_readonly_fields(self, request, obj=None):
        # A channel never moves to another account: its campaigns and contacts stay.
        return [*self.readonly_fields, "account"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Creates or updates through the channel services; a refusal becomes a form error."""
        data = form.cleaned_data
        fields = {name: data[name] for name in ("name", "type", "provider", "phone", "is_active")}
        if change:
            stored = Channel.objects.get(pk=obj.pk)
            saved = channel_update(channel=stored, config=data["config"], **fields)
        else:
            saved = channel_create(account=data["account"], config=data["config"], **fields)
        obj.pk, obj.config, obj.webhook_token = saved.pk, saved.config, saved.webhook_token

    def delete_model(self, request, obj):
        try:
            channel_delete(channel=obj)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for channel in queryset:
            self.delete_model(request, channel)
