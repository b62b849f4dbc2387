"""Dashboard forms for channels: common fields plus one field per provider setting.

The provider settings come from the transport's typed config class, so every provider
gets its own form without naming providers here. Secrets are write-only: a stored secret
is never rendered back (left blank on edit to keep it); one the user just typed is kept
in the form when the form comes back with an error, since nothing was saved yet.
"""

import dataclasses

from django import forms

from channels.guidance import asks_for_phone, field_help
from channels.transports import TRANSPORTS
from channels.transports.config import is_flag
from contacts.models import ChannelType
from contacts.phones import InvalidPhone, normalize_phone

CONFIG_PREFIX = "config_"


def _label(name: str) -> str:
    label = name.replace("_", " ").capitalize().replace("id", "ID").replace("Url", "URL")
    return label.replace(" url", " URL").replace("Api ", "API ").replace("hmac", "HMAC")


class ChannelForm(forms.Form):
    name = forms.CharField(max_length=120)
    type = forms.ChoiceField(choices=ChannelType.choices, label="Channel type")
    phone = forms.CharField(
        max_length=32, required=False, help_text="The sending number, if it has one."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, provider: str, channel=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transport = TRANSPORTS[provider]
        self.channel = channel
        types = dict(ChannelType.choices)
        self.fields["type"].choices = [(t, types[t]) for t in self.transport.channel_types]
        if not asks_for_phone(self.transport.channel_types):
            del self.fields["phone"]
        config_class = self.transport.config_class
        for spec in dataclasses.fields(config_class) if config_class else ():
            self.fields[CONFIG_PREFIX + spec.name] = self._config_field(spec)

    def _config_field(self, spec) -> forms.Field:
        required = spec.default is dataclasses.MISSING
        secret = spec.name in self.transport.secret_fields
        # Where to find the value: the transport's own help, else the provider guidance.
        where = spec.metadata.get("help", "") or field_help(self.transport.provider, spec.name)
        if is_flag(spec):
            return forms.BooleanField(
                label=_label(spec.name), required=False, initial=spec.default, help_text=where
            )
        if not secret:
            return forms.CharField(
                label=_label(spec.name), required=False, max_length=1024, help_text=where
            )
        stored = self.channel is not None and spec.name in (self.channel.config or {})
        note = "Write-only: stored securely and never shown again."
        if stored:
            note = "Saved. Leave blank to keep it, or type a new value to replace it."
        if self.is_bound and self.data.get(CONFIG_PREFIX + spec.name):
            note = "Kept as you typed it: it is saved only when the form is saved."
        return forms.CharField(
            label=f"{_label(spec.name)}{'' if required else ' (optional)'}",
            required=False,
            max_length=1024,
            # Only bound data is rendered back (initial values never hold secrets).
            widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
            help_text=f"{where} {note}".strip(),
        )

    def config_fields(self):
        return [self[name] for name in self.fields if name.startswith(CONFIG_PREFIX)]

    def common(self) -> dict:
        """The channel's own fields for the services (a Telegram bot has no phone)."""
        data = self.cleaned_data
        return {key: data.get(key, "") for key in ("name", "type", "phone")} | {
            "is_active": data["is_active"]
        }

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except InvalidPhone as exc:
            raise forms.ValidationError(exc.message) from None

    def config(self) -> dict:
        """The typed settings; blank secrets are left out so the stored ones are kept."""
        config = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith(CONFIG_PREFIX):
                continue
            key = name[len(CONFIG_PREFIX) :]
            if key in self.transport.secret_fields and not value:
                continue
            if value or isinstance(value, bool):
                config[key] = value
        return config

    @staticmethod
    def initial_from(channel) -> dict:
        transport = TRANSPORTS[channel.provider]
        initial = {
            "name": channel.name,
            "type": channel.type,
            "phone": channel.phone,
            "is_active": channel.is_active,
        }
        for key, value in transport.public_config(channel.config or {}).items():
            initial[CONFIG_PREFIX + key] = value
        return initial


class TestMessageForm(forms.Form):
    recipient = forms.CharField(
        max_length=64, label="Send to", help_text="A phone number (or a chat id for Telegram)."
    )
    text = forms.CharField(
        required=False,
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Text (optional)",
    )

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel

    def clean_recipient(self):
        value = self.cleaned_data["recipient"].strip()
        if self.channel.type == ChannelType.TELEGRAM and not value.startswith("+"):
            return value
        try:
            return normalize_phone(value)
        except InvalidPhone as exc:
            raise forms.ValidationError(exc.message) from None
