"""Services that talk to a channel's provider about the channel itself, not a message:
its connection state, and registering our webhook URL with it."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from skylight.domain import Invalid

from .availability import channel_state_record
from .models import Channel
from .transports import TRANSPORTS, ConnectionState, TransportError, transport_for

TEMPLATES_CACHE_SECONDS = 3600
# Secrets the provider needs to sign or echo our webhooks, created on first set-up.
WEBHOOK_SECRETS = {"telegram_bot": "webhook_secret", "waha": "webhook_hmac_key"}


def channel_connection_state(*, channel: Channel) -> ConnectionState | None:
    """Asks the provider whether the channel is connected (None: it cannot tell us), and
    records the answer on the channel. Raises TransportError when it cannot be asked."""
    try:
        state = transport_for(channel).connection_state()
    except TransportError as exc:
        if exc.channel_unavailable:
            channel_state_record(
                channel=channel,
                state=ConnectionState(False, exc.code, exc.channel_unavailable.rstrip(".")),
            )
        raise
    channel_state_record(channel=channel, state=state)
    return state


def public_webhook_url_check() -> None:
    """422 unless SKYLIGHT_PUBLIC_URL is https (providers post to it over the internet).

    Development and tests (SKYLIGHT_ALLOW_PRIVATE_NETWORK) may use plain http.
    """
    url = settings.SKYLIGHT_PUBLIC_URL
    if urlsplit(url).scheme == "https" or settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK:
        return
    raise Invalid(
        {
            "webhook_url": [
                f"SKYLIGHT_PUBLIC_URL is {url!r}: providers only post webhooks to a public "
                "https address. Set SKYLIGHT_PUBLIC_URL to the https address of this server."
            ]
        }
    )


def channel_webhook_register(*, channel: Channel) -> str:
    """Registers the channel's webhook URL with its provider; returns what was done.

    422 when our public URL is not https, or the provider has no API for it (the user
    pastes the URL by hand). A signing secret the provider needs is created and stored
    first, so the webhooks it then sends verify.
    """
    public_webhook_url_check()
    if not TRANSPORTS[channel.provider].webhook_setup:
        raise Invalid(
            {
                "provider": [
                    f"{TRANSPORTS[channel.provider].label} has no API to set a webhook: paste "
                    f"{channel.webhook_url} into its settings."
                ]
            }
        )
    _ensure_webhook_secret(channel)
    return transport_for(channel).register_webhook(channel.webhook_url)


def _ensure_webhook_secret(channel: Channel) -> None:
    """Stores a new secret unless one exists; two clicks at once agree on the first one."""
    field = WEBHOOK_SECRETS.get(channel.provider)
    if not field or channel.config.get(field):
        return
    config = {**channel.config, field: secrets.token_urlsafe(32)}
    Channel.objects.filter(pk=channel.pk).exclude(config__has_key=field).update(config=config)
    channel.config = Channel.objects.values_list("config", flat=True).get(pk=channel.pk)


def channel_templates(*, channel: Channel, refresh: bool = False) -> list[dict]:
    """The business's message templates from the provider, cached for an hour.

    `refresh` asks the provider again (after approving a template in WhatsApp Manager).
    422 for providers without templates or a channel without its business account id.
    """
    transport_cls = TRANSPORTS[channel.provider]
    if not transport_cls.supports_templates:
        raise Invalid({"provider": [f"{transport_cls.label} has no message templates."]})
    if not channel.config.get("waba_id"):
        raise Invalid(
            {"config.waba_id": ["Set the WhatsApp Business Account ID to list its templates."]}
        )
    key = _templates_key(channel)
    templates = None if refresh else cache.get(key)
    if templates is None:
        templates = transport_for(channel).list_templates()
        cache.set(key, templates, TEMPLATES_CACHE_SECONDS)
    return templates


def _templates_key(channel: Channel) -> str:
    return f"skylight:channel-templates:{channel.pk}:{channel.config.get('waba_id', '')}"


def channel_templates_forget(*, channel: Channel) -> None:
    """Drops the cached templates listing: the next read asks the provider again."""
    cache.delete(_templates_key(channel))
