"""The one interface every provider implements."""

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, ClassVar

from .config import ConfigError, dump, parse

__all__ = ["ConfigError", "OutboundMessage", "SendResult", "Transport", "TransportError"]


@dataclass(frozen=True)
class OutboundMessage:
    """One rendered message of a sequence, ready for a provider."""

    type: str  # text, image, document, video, audio, template
    content: str  # the text, or the media URL
    caption: str = ""
    filename: str = ""
    # A template message (providers with `supports_templates`): name, language code and
    # its body parameters, already rendered for the recipient.
    template_name: str = ""
    language: str = ""
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class TransportError(Exception):
    """A send that did not succeed, classified for the send engine.

    transient: provably not accepted (safe to retry, after `retry_after` seconds when
    the provider said so); permanent: rejected (do not retry); unknown: the provider
    may or may not have accepted it (never retry). `opt_out` marks a permanent error
    that means the recipient refuses messages (e.g. blocked the bot): the engine
    should opt the contact out. `unreachable` marks a permanent error that means the
    recipient cannot get messages on this network at all (e.g. the number is not on
    WhatsApp). `channel_unavailable`, when set, says in words why the channel itself
    cannot send now (e.g. its WhatsApp session is not running): every recipient would
    fail the same way until it is fixed. `action` names the row of the provider's
    error-code table that matched (`error_codes.Action`; "" when none did): the engine
    acts on it (back off the number, defer the contact, pause the number...).
    """

    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        retry_after: float | None = None,
        opt_out: bool = False,
        code: str = "",
        unreachable: bool = False,
        channel_unavailable: str = "",
        action: str = "",
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after
        self.opt_out = opt_out
        self.code = code
        self.unreachable = unreachable
        self.channel_unavailable = channel_unavailable
        self.action = action

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class ConnectionState:
    """What the provider says about the channel's connection, in words for people.

    `ready`: the channel can send now; `state` is the provider's own word for it.
    """

    ready: bool
    state: str
    description: str


class Transport:
    """Base class: one subclass per provider, registered in TRANSPORTS.

    `config_class` is the provider's typed config (see `config.py`); `secret_fields`
    are never returned by the API; `webhook_handler` parses and verifies the
    provider's inbound webhooks (a dotted path; None: the provider sends none).
    """

    provider: ClassVar[str]
    label: ClassVar[str]
    channel_types: ClassVar[tuple[str, ...]]
    secret_fields: ClassVar[tuple[str, ...]] = ()
    config_class: ClassVar[type | None] = None
    webhook_handler: ClassVar[str | None] = None  # dotted path of a WebhookHandler
    webhook_setup: ClassVar[bool] = False  # register_webhook() talks to the provider
    connection_check: ClassVar[bool] = False  # connection_state() talks to the provider
    form_note: ClassVar[str] = ""  # shown on the dashboard's channel form
    supports_templates: ClassVar[bool] = False  # sends OutboundMessage(type="template")
    # Free-form messages reach a person only this many hours after their last message
    # to the number (templates go any time); None: no such window (channels.window).
    free_form_window_hours: ClassVar[int | None] = None
    do_not_call_in_templates = True  # templates read the class's attributes
    blocking: ClassVar[bool] = True  # False: send() does no I/O and may run inline

    def __init__(self, config: dict[str, Any], *, channel_type: str = "", webhook_url: str = ""):
        self.config = self.parse_config(config)
        self.channel_type = channel_type
        self.webhook_url = webhook_url

    @classmethod
    def parse_config(cls, data: dict[str, Any]) -> Any:
        """Validate raw config into this provider's typed config, or raise ConfigError."""
        if cls.config_class is None:
            if data:
                raise ConfigError({"config": ["This provider takes no settings."]})
            return data
        return parse(cls.config_class, data)

    @classmethod
    def clean_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The validated config as plain JSON to store (unknown keys dropped)."""
        parsed = cls.parse_config(data)
        return dump(parsed) if cls.config_class is not None else {}

    @classmethod
    def public_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in data.items() if key not in cls.secret_fields}

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        raise NotImplementedError

    def connection_state(self) -> ConnectionState | None:
        """Asks the provider whether the channel is connected; None: it cannot tell us.

        Raises TransportError when the provider cannot be asked (unreachable, bad key).
        """
        return None

    def register_webhook(self, url: str) -> str | None:
        """Tells the provider to post statuses and inbound messages to `url`.

        Returns what was done, in words; None: the provider has no API for it (the
        user pastes the URL by hand). Raises TransportError when the provider refuses.
        """
        return None

    def send_steps(
        self, recipient: str, message: OutboundMessage
    ) -> Generator[float, None, SendResult]:
        """Sending as steps: yield the seconds to pause before the next step (a typing
        indicator shown, say), return the SendResult. The send engine waits out each pause
        without holding a thread or a transaction. Default: one step, `send()`."""
        return self.send(recipient, message)
        yield  # unreachable: makes this method a generator
