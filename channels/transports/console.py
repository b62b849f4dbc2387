"""Console transport: logs each message; the development default."""

import itertools
import logging
import os
import uuid
from dataclasses import dataclass

from .base import OutboundMessage, SendResult, Transport

logger = logging.getLogger("skylight.transport.console")


class _MessageIds:
    """Unique message ids without a system call each (uuid4 reads the OS's randomness, and
    even getpid is one): a random prefix drawn once per process, then a counter."""

    def __init__(self):
        self.draw()
        os.register_at_fork(after_in_child=self.draw)  # a forked worker draws its own

    def draw(self) -> None:
        self.prefix = uuid.uuid4().hex[:20]
        self.count = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.count):012x}"


_ids = _MessageIds()


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
        message_id = f"console-{_ids.next()}"
        logger.info(
            "console send to=%s type=%s id=%s content=%r",
            recipient,
            message.type,
            message_id,
            message.content,
        )
        return SendResult(provider_message_id=message_id)
