"""Registry of transports: the only place that knows every provider."""

from .base import (
    ConfigError,
    ConnectionState,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
)
from .console import ConsoleTransport
from .evolution_api import EvolutionApiTransport
from .telegram_bot import TelegramBotTransport
from .twilio import TwilioTransport
from .waha import WahaTransport
from .webhook import WebhookTransport
from .whatsapp_cloud import WhatsAppCloudTransport

TRANSPORTS: dict[str, type[Transport]] = {
    transport.provider: transport
    for transport in (
        WhatsAppCloudTransport,
        WahaTransport,
        EvolutionApiTransport,
        TelegramBotTransport,
        TwilioTransport,
        WebhookTransport,
        ConsoleTransport,
    )
}


def provider_choices() -> list[tuple[str, str]]:
    return [(name, transport.label) for name, transport in TRANSPORTS.items()]


def transport_for(channel) -> Transport:
    """An instance of the channel's provider transport, configured from the channel."""
    return TRANSPORTS[channel.provider](
        channel.config, channel_type=channel.type, webhook_url=channel.webhook_url
    )


__all__ = [
    "TRANSPORTS",
    "ConfigError",
    "ConnectionState",
    "OutboundMessage",
    "SendResult",
    "Transport",
    "TransportError",
    "provider_choices",
    "transport_for",
]
