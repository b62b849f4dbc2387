"""Connected messaging channels: one sending number (or bot) each."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models import ChannelType
from skylight.models import Account

from .fields import SecretsJSONField
from .transports import provider_choices


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class ChannelHealth(models.TextChoices):
    """The number's standing with its provider, kept by the circuit breaker."""

    OK = "ok", "OK"
    WARNING = "warning", "Warning"
    PAUSED = "paused", "Paused"


class Channel(models.Model):
    """A connected sending number and the provider that delivers through it.

    `config` holds the provider settings; the secret ones (each transport names them in
    `secret_fields`) are encrypted in the database and never returned by the API.
    `unavailable_reason` says, in words, why the channel cannot send right now (e.g. its
    WhatsApp session stopped); it is set and cleared from what the provider answers (see
    `channels.availability`), and the send engine waits while it is set.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=16, choices=ChannelType.choices)
    provider = models.CharField(max_length=32, choices=provider_choices)
    config = SecretsJSONField(default=dict, blank=True)
    phone = models.CharField(max_length=20, blank=True, default="")
    is_active = models.BooleanField(default=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    unavailable_reason = models.CharField(max_length=300, blank=True, default="")
    unavailable_since = models.DateTimeField(null=True, blank=True)
    availability_checked_at = models.DateTimeField(null=True, blank=True)
    health = models.CharField(max_length=8, choices=ChannelHealth.choices, default=ChannelHealth.OK)
    health_reason = models.CharField(max_length=300, blank=True, default="")
    health_changed_at = models.DateTimeField(null=True, blank=True)
    health_window_start = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The circuit breaker only counts sends after this (reset when a person "
        "resumes a campaign it paused).",
    )
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


class InboundReceipt(models.Model):
    """A provider event (an inbound message, a block) already applied on a channel.

    Providers retry, and a captured webhook can be replayed: an event whose provider id
    is already here is dropped before it is applied (see `channels.webhooks.replay`).
    Rows older than a few days are pruned.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    provider_event_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_event_id"], name="unique_inbound_receipt"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "created_at"], name="inbound_receipt_created"),
        ]

    def __str__(self) -> str:
        return self.provider_event_id


class LastInbound(models.Model):
    """When a contact last wrote to a channel: on WhatsApp Cloud API, free-form messages
    reach a person only within 24 hours of it (see `channels.window`).

    Written set-based for each verified webhook's inbound messages (one row per channel
    and contact, moved forward only).
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "contact"], name="unique_last_inbound")
        ]
        indexes = [models.Index(fields=["channel", "at"], name="last_inbound_at")]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.channel_id} at {self.at.isoformat()}"
