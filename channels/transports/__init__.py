"""Registry of transports: the only place that knows every provider."""

from .base import ConfigError, OutboundMessage, SendResult, Transport, TransportError
from .console import ConsoleTransport

TRANSPORTS: dict[str, type[Transport]] = {
    transport.provider: transport for transport in (ConsoleTransport,)
}


def provider_choices() -> list[tuple[str, str]]:
    return [(name, transport.label) for name, transport in TRANSPORTS.items()]


def transport_for(channel) -> Transport:
    """An instance of the channel's provider transport, configured from the channel."""
    return TRANSPORTS[channel.provider](channel.config)


__all__ = [
    "TRANSPORTS",
    "ConfigError",
    "OutboundMessage",
    "SendResult",
    "Transport",
    "TransportError",
    "provider_choices",
    "transport_for",
]
