"""The one interface every provider implements."""

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class OutboundMessage:
    """One rendered message of a sequence, ready for a provider."""

    type: str  # text, image, document, video, audio
    content: str  # the text, or the media URL
    caption: str = ""
    filename: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class TransportError(Exception):
    """A send that did not succeed, classified for the send engine.

    transient: provably not accepted (safe to retry); permanent: rejected (do not
    retry); unknown: the provider may or may not have accepted it (never retry).
    """

    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"

    def __init__(self, kind: str, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


class ConfigError(Exception):
    """Invalid provider configuration; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


class Transport:
    """Base class: one subclass per provider, registered in TRANSPORTS."""

    provider: ClassVar[str]
    label: ClassVar[str]
    channel_types: ClassVar[tuple[str, ...]]
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: dict[str, Any]):
        self.config = self.parse_config(config)

    @classmethod
    def parse_config(cls, data: dict[str, Any]) -> Any:
        """Validate raw config into this provider's typed config, or raise ConfigError."""
        return data

    @classmethod
    def public_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in data.items() if key not in cls.secret_fields}

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        raise NotImplementedError
