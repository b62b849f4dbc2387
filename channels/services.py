"""Writes on channels: create, update, delete, and the test send."""

from django.db import transaction

from skylight.domain import Conflict, Invalid

from .availability import channel_transport
from .models import Channel
from .signals import channel_change_requested
from .transports import (
    TRANSPORTS,
    ConfigError,
    OutboundMessage,
    SendResult,
    Transport,
)

DEFAULT_TEST_TEXT = "This is a test message from SkyLight ({name})."


def _checked(transport_cls: type[Transport], channel_type: str, config: dict) -> dict:
    """The provider's cleaned config, or 422 naming `type` or the `config.<field>` at fault."""
    errors = {}
    if channel_type not in transport_cls.channel_types:
        served = ", ".join(transport_cls.channel_types)
        errors["type"] = [f"{transport_cls.label} serves {served} channels, not {channel_type}."]
    try:
        cleaned = transport_cls.clean_config(config)
    except ConfigError as exc:
        errors.update({f"config.{field}": messages for field, messages in exc.errors.items()})
    if errors:
        raise Invalid(errors)
    return cleaned


def _kept_secrets(transport_cls: type[Transport], stored: dict, incoming: dict) -> dict:
    """Secrets left out of an update keep their stored values (they are never shown)."""
    kept = {key: stored[key] for key in transport_cls.secret_fields if key in stored}
    return {**kept, **incoming}


def channel_config_clean(*, provider: str, type: str, incoming: dict, stored: dict) -> dict:
    """The config to store when `incoming` replaces `stored` (secrets left out kept); 422 if bad."""
    transport_cls = TRANSPORTS[provider]
    return _checked(transport_cls, type, _kept_secrets(transport_cls, stored, incoming))


def masked_config(channel: Channel) -> dict:
    """The channel's config with secret values masked, for staff screens."""
    transport_cls = TRANSPORTS.get(channel.provider)
    secrets = transport_cls.secret_fields if transport_cls else ()
    return {key: ("********" if key in secrets else value) for key, value in channel.config.items()}


def channel_create(
    *,
    account,
    name: str,
    type: str,
    provider: str,
    config: dict | None = None,
    phone: str = "",
    is_active: bool = True,
) -> Channel:
    """Connects a channel after validating its provider config and channel type."""
    transport_cls = TRANSPORTS[provider]
    cleaned = _checked(transport_cls, type, config or {})
    return Channel.objects.create(
        account=account,
        name=name,
        type=type,
        provider=provider,
        config=cleaned,
        phone=phone,
        is_active=is_active,
    )


def channel_update(*, channel: Channel, partial: bool = False, **changes) -> Channel:
    """Applies field changes; `config` is merged (PATCH) or replaced (PUT), secrets kept.

    Changing the provider starts its config afresh: nothing carries over. The type
    cannot change under existing campaigns (409): their contacts were enrolled by type.
    """
    if changes.get("type", channel.type) != channel.type:
        _refuse_if_used(channel, "change_type")
    provider = changes.get("provider", channel.provider)
    transport_cls = TRANSPORTS[provider]
    same_provider = provider == channel.provider
    stored = channel.config if same_provider else {}
    if "config" in changes:
        incoming = changes["config"] or {}
        base = stored if partial else {}
        config = _kept_secrets(transport_cls, stored, {**base, **incoming})
    else:
        config = stored
    channel.config = _checked(transport_cls, changes.get("type", channel.type), config)
    if "config" in changes or not same_provider:
        # New settings may fix what made the channel unavailable; a send will tell.
        channel.unavailable_reason, channel.unavailable_since = "", None
        channel.availability_checked_at = None
    for field in ("name", "type", "provider", "phone", "is_active"):
        if field in changes:
            setattr(channel, field, changes[field])
    channel.save()
    return channel


def channel_delete(*, channel: Channel) -> None:
    """Deletes a channel no campaign uses; 409 naming the campaigns otherwise.

    Running or paused campaigns block deletion outright. Draft, completed and
    cancelled campaigns keep their history pointing at the channel, so they block it
    too: delete those campaigns, or deactivate the channel instead.
    """
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        _refuse_if_used(locked, "delete")
        locked.delete()


def channel_change_refusal(*, channel: Channel, change: str) -> str | None:
    """The first reason an app above gives for keeping the channel as it is, or None.

    `change` is "delete" or "change_type" (see channels/signals.py).
    """
    responses = channel_change_requested.send(sender=Channel, channel=channel, change=change)
    return next((refusal for _, refusal in responses if refusal), None)


def _refuse_if_used(channel: Channel, change: str) -> None:
    if refusal := channel_change_refusal(channel=channel, change=change):
        raise Conflict(refusal)


def channel_send_test(*, channel: Channel, recipient: str, text: str = "") -> SendResult:
    """Sends one text message through the channel now; raises TransportError on failure."""
    message = OutboundMessage(
        type="text", content=text or DEFAULT_TEST_TEXT.format(name=channel.name)
    )
    return channel_send_message(channel=channel, recipient=recipient, message=message)


def channel_send_message(*, channel: Channel, recipient: str, message: OutboundMessage):
    """Sends one message through the channel's transport now, outside any campaign (test
    sends); returns the SendResult, raises TransportError or ConfigError on failure."""
    return channel_transport(channel).send(recipient, message)
