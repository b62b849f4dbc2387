import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from rest_framework.exceptions import ValidationError

from .models import Channel
from .services import channel_config_clean, masked_config
from .transports import TRANSPORTS


class ChannelAdminForm(forms.ModelForm):
    """Edits the provider config without ever rendering a secret.

    The config box shows only the non-secret settings; a secret typed into it replaces
    the stored one, a secret left out keeps it. The result is validated like the API.
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
        try:
            cleaned["config"] = channel_config_clean(
                provider=provider,
                type=channel_type,
                incoming=cleaned.get("config") or {},
                stored=self.instance.config if same else {},
            )
        except ValidationError as exc:
            for field, messages in exc.detail.items():
                target = field if field in ("type",) else None
                for message in messages:
                    self.add_error(target, f"{field}: {message}")
        return cleaned

    def save(self, commit=True):
        self.instance.config = self.cleaned_data["config"]
        return super().save(commit)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = [
        "name", "account", "type", "provider", "phone", "is_active", "unavailable_reason",
        "created_at",
    ]  # fmt: skip
    list_filter = ["provider", "type", "is_active", "account"]
    search_fields = ["name", "phone", "account__name", "webhook_token"]
    list_select_related = ["account"]
    readonly_fields = [
        "stored_config", "webhook_url", "unavailable_reason", "unavailable_since", "created_at",
    ]  # fmt: skip
    fields = [
        "account", "name", "type", "provider", "phone", "is_active", "config",
        "stored_config", "webhook_url", "unavailable_reason", "unavailable_since", "created_at",
    ]  # fmt: skip

    @admin.display(description="Stored config (secrets masked)")
    def stored_config(self, channel):
        if not channel.pk:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(masked_config(channel), indent=2))
