"""Helpers for transport tests: a transport from raw config, messages, and its error."""

import pytest

from channels.transports import TRANSPORTS, OutboundMessage, TransportError


def transport(provider: str, config: dict, channel_type: str = "", webhook_url: str = ""):
    return TRANSPORTS[provider](config, channel_type=channel_type, webhook_url=webhook_url)


def text(content: str = "Hello there") -> OutboundMessage:
    return OutboundMessage(type="text", content=content)


def media(kind: str, url: str = "https://cdn.example.com/file.bin", **extra) -> OutboundMessage:
    return OutboundMessage(type=kind, content=url, **extra)


def send_error(transport_instance, recipient: str, message: OutboundMessage) -> TransportError:
    with pytest.raises(TransportError) as info:
        transport_instance.send(recipient, message)
    return info.value
