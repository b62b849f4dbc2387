"""A campaign's messages rendered for one contact, previewed or sent as a test.

The editor's live preview and "Send a test" (and `POST /campaigns/{id}/test-send`)
render each message as the send engine would (placeholders, one spintax pick), for a
contact of the account or a made-up sample. A test send goes through the channel's
transport now, like the channel's own test message: it creates no campaign contact
and no delivery, so it counts against no campaign limit. Test sends are limited per
account (`SKYLIGHT_TEST_SENDS_PER_MINUTE`).
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings

from campaigns.models import CampaignContact, MessageType
from campaigns.rendering import Recipient, render
from campaigns.templates import template_body, template_outbound
from channels.connection import channel_connection_state
from channels.models import ChannelType
from channels.services import channel_send_message
from channels.transports import ConfigError, OutboundMessage, TransportError
from contacts.models import Contact
from contacts.phones import InvalidPhone, normalize_phone
from skylight.cache import window_hit
from skylight.domain import Conflict, Invalid
from skylight.paging import ids_first

SAMPLE = Recipient(name="Sara Ahmed", phone="+966501234567", attributes={"city": "Riyadh"})
STORED_SETTINGS_INVALID = "The channel's stored settings are not valid; edit the channel."


@dataclass
class RenderedMessage:
    position: int
    type: str
    text: str  # the text, or a media message's caption
    media_url: str
    filename: str
    outbound: OutboundMessage


@dataclass
class SendOutcome:
    position: int
    provider_message_id: str = ""
    error: str = ""

    @property
    def accepted(self) -> bool:
        return not self.error


def _field(message, name: str, default=""):
    if isinstance(message, dict):
        return message.get(name, default) or default
    return getattr(message, name, default) or default


def first_enrolled(campaign) -> Contact | None:
    """The campaign's first enrolled contact (its ids read first: skylight/paging.py)."""
    rows = CampaignContact.objects.filter(campaign=campaign).select_related("contact")
    first = next(iter(ids_first(rows.order_by("id"), 1)), None)
    return first.contact if first is not None else None


def sample_contact(*, account, campaign=None) -> Contact | None:
    """Whom a preview is rendered for: the campaign's first enrolled contact, else the
    account's first contact, else nobody (the made-up `SAMPLE`)."""
    if campaign is not None and (contact := first_enrolled(campaign)) is not None:
        return contact
    return Contact.objects.filter(account=account).order_by("pk").first()


def recipient_of(contact: Contact | None) -> Recipient:
    if contact is None:
        return SAMPLE
    return Recipient(name=contact.name, phone=contact.phone, attributes=contact.attributes)


def render_messages(messages, recipient: Recipient, seed: str = "preview") -> list[RenderedMessage]:
    """Each message (dicts from the editor, or CampaignMessage rows) as it would be sent."""
    rendered = []
    for position, message in enumerate(messages, start=1):
        kind = _field(message, "type", MessageType.TEXT)
        message_seed = f"{seed}:{position}"
        if kind == MessageType.TEMPLATE:
            fields = ("template_name", "language", "parameters")
            body = template_body(
                SimpleNamespace(**{name: _field(message, name) for name in fields}),
                recipient,
                message_seed,
            )
            outbound = template_outbound(body)
            text = ", ".join(outbound.parameters)
            rendered.append(RenderedMessage(position, kind, text, "", "", outbound))
            continue
        if kind == MessageType.TEXT:
            text = render(_field(message, "content"), recipient, message_seed)
            media_url = ""
        else:
            caption = _field(message, "caption")
            text = render(caption, recipient, message_seed + ":caption") if caption else ""
            media_url = _field(message, "content")
        filename = _field(message, "filename")
        outbound = OutboundMessage(
            type=kind, content=text if kind == MessageType.TEXT else media_url,
            caption="" if kind == MessageType.TEXT else text, filename=filename,
        )  # fmt: skip
        rendered.append(RenderedMessage(position, kind, text, media_url, filename, outbound))
    return rendered


def trial_address(*, account, channel, raw: str) -> str:
    """The address a test goes to: a phone (read in the account's default country), or a
    chat id for Telegram."""
    value = (raw or "").strip()
    if channel.type == ChannelType.TELEGRAM and value and not value.startswith("+"):
        return value
    try:
        return normalize_phone(value, account.default_country)
    except InvalidPhone as exc:
        raise Invalid({"phone": [exc.message]}) from None


def trial_wait_seconds(*, account) -> float | None:
    """Counts one test send for the account; the seconds to wait when over the limit."""
    count, seconds_left = window_hit(f"campaign-test-send:{account.pk}", 60)
    if count > settings.SKYLIGHT_TEST_SENDS_PER_MINUTE:
        return max(1.0, seconds_left)
    return None


def campaign_test_send(*, channel, address: str, messages: list[RenderedMessage]):
    """Sends the rendered messages to `address` now, in order, stopping at the first
    failure; returns a SendOutcome per message tried.

    Raises `Conflict` when the channel is inactive or its gateway reports it is not
    connected (nothing is sent).
    """
    if not channel.is_active:
        raise Conflict(f"The channel {channel.name} is inactive; activate it to send a test.")
    if not messages:
        raise Invalid({"messages": ["Add at least one message."]})
    try:
        state = channel_connection_state(channel=channel)
    except TransportError as exc:
        raise Conflict(f"{exc.message}; nothing was sent.") from None
    except ConfigError:
        raise Conflict(STORED_SETTINGS_INVALID) from None
    if state is not None and not state.ready:
        raise Conflict(f"{state.description}; nothing was sent.")
    outcomes = []
    for message in messages:
        try:
            result = channel_send_message(
                channel=channel, recipient=address, message=message.outbound
            )
        except TransportError as exc:
            outcomes.append(SendOutcome(message.position, error=f"{exc.message} ({exc.kind})"))
            break
        except ConfigError:
            outcomes.append(SendOutcome(message.position, error=STORED_SETTINGS_INVALID))
            break
        outcomes.append(SendOutcome(message.position, result.provider_message_id or ""))
    return outcomes
