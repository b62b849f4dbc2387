"""Connected messaging channels: one sending number (or bot) each."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models import ChannelType
from skylight.models import Account

from .transports import provider_choices


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.Model):
    """A connected sending number and the provider that delivers through it.

    `config` holds the provider settings, secrets included; the API never returns
    the secret fields (each transport names them).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=16, choices=ChannelType.choices)
    provider = models.CharField(max_length=32, choices=provider_choices)
    config = models.JSONField(default=dict, blank=True)
    phone = models.CharField(max_length=20, blank=True, default="")
    is_active = models.BooleanField(default=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    @property
    def webhook_url(self) -> str:
        """Where the provider posts statuses and inbound messages for this channel."""
        return self.webhook_url_for(None)

    def webhook_url_for(self, request) -> str:
        """The webhook URL as seen from `request` (its host and port) unless
        SKYLIGHT_PUBLIC_URL names the public base; without a request, the local web port."""
        path = f"/webhooks/{self.webhook_token}/"
        if settings.SKYLIGHT_PUBLIC_URL:
            return settings.SKYLIGHT_PUBLIC_URL.rstrip("/") + path
        if request is not None:
            return request.build_absolute_uri(path)
        return settings.SKYLIGHT_LOCAL_URL + path


class StatusReceipt(models.Model):
    """A provider status that arrived before its delivery was recorded.

    Providers can report "sent" or "delivered" while the send engine still holds the
    outcome in its write buffer; the receipt waits here and is applied (then deleted)
    once the delivery row exists (see `channels.inbound.status_receipts_apply`).
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    provider_message_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16)
    at = models.DateTimeField()
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["channel", "provider_message_id"], name="receipt_channel_message"),
            models.Index(fields=["channel", "created_at"], name="receipt_channel_created"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_message_id}: {self.status}"
