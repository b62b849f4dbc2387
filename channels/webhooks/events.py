"""What a provider webhook can tell us, independent of the provider."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StatusEvent:
    """A delivery status of a message we sent: sent, delivered, read or failed."""

    provider_message_id: str
    status: str
    at: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class InboundEvent:
    """A message someone sent to the channel; `sender` is a phone or a provider address.

    `provider_event_id` is the provider's id of the message (empty when it gives none):
    a second event with the same id on the channel is a replay and is dropped.
    """

    sender: str
    text: str
    provider_event_id: str = ""


@dataclass(frozen=True)
class BlockedEvent:
    """The person blocked the channel (e.g. a Telegram bot): treat as an opt-out."""

    sender: str
    provider_event_id: str = ""


@dataclass(frozen=True)
class TemplateStatusEvent:
    """The provider changed a message template's status (Meta: APPROVED, REJECTED, PAUSED,
    DISABLED...). `reason` is the provider's words for it, "" when it gives none."""

    name: str
    language: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class NumberStoppedEvent:
    """The provider says the number must stop: flagged, restricted, banned, or its session
    logged out. `reason` says so in words; the number's campaigns are paused by safety."""

    reason: str


Event = StatusEvent | InboundEvent | BlockedEvent | TemplateStatusEvent | NumberStoppedEvent
