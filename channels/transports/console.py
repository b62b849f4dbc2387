"""Console transport: logs each message; the development default."""

import logging
import uuid
from dataclasses import dataclass

from .base import OutboundMessage, SendResult, Transport

logger = logging.getLogger("skylight.transport.console")


@dataclass(frozen=True)
class ConsoleConfig:
    """No settings."""


class ConsoleTransport(Transport):
    provider = "console"
    label = "Console (development)"
    channel_types = ("whatsapp", "telegram", "sms")
    config_class = ConsoleConfig
    blocking = False  # it only logs

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info(
            "console send to=%s type=%s id=%s content=%r",
            recipient,
            message.type,
            message_id,
            message.content,
        )
        return SendResult(provider_message_id=message_id)
