"""What channels itself does with a verified webhook's events, and who else is told.

Opt-out and opt-in keywords (STOP, START, إلغاء...) and "blocked" events change the
contacts at that address (the contacts app's service does the writing). A provider
saying the number must stop (flagged, banned, logged out) pauses it (channels/safety.py).
Every event is then announced with `provider_events_received`, so the apps above channels apply
what they own: campaigns applies delivery statuses to its deliveries. channels never
imports campaigns (docs/architecture.md).
"""

import logging

from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import ChannelType, Contact, Suppression
from contacts.phones import InvalidPhone, normalize_phone
from contacts.services import contacts_bulk_set_opted_out
from contacts.suppressions import suppression_add, suppression_address, suppressions_lift_stop
from skylight.domain import Invalid

from ..connection import channel_templates_forget
from ..keywords import OPT_IN, OPT_OUT, keyword_action
from ..safety import channel_safety_pause
from ..signals import provider_events_received, template_status_changed
from ..window import inbound_times_record
from .events import BlockedEvent, Event, InboundEvent, NumberStoppedEvent, TemplateStatusEvent

logger = logging.getLogger("skylight.webhooks")


def events_apply(*, channel, events: list[Event]) -> dict[str, int]:
    """Applies each event for the channel; returns counts of what changed."""
    counts = {"statuses": 0, "opted_out": 0, "opted_in": 0}
    senders = [event.sender for event in events if isinstance(event, InboundEvent)]
    if senders:  # every inbound message reopens the free-form window (channels.window)
        contacts = contacts_at_addresses(channel=channel, addresses=senders)
        inbound_times_record(
            channel=channel,
            contact_ids=contacts.values_list("pk", flat=True),
            at=timezone.now(),
        )
    for event in events:
        if isinstance(event, InboundEvent):
            action, changed = inbound_message_record(channel=channel, event=event)
            if action:
                counts["opted_out" if action == OPT_OUT else "opted_in"] += changed
        elif isinstance(event, BlockedEvent):
            counts["opted_out"] += address_opt_out(
                channel=channel, address=event.sender, reason="Blocked the channel."
            )
        elif isinstance(event, TemplateStatusEvent):
            _add(counts, template_status_apply(channel=channel, event=event))
        elif isinstance(event, NumberStoppedEvent):
            channel_safety_pause(channel_id=channel.pk, reason=event.reason)
            counts["number_paused"] = 1
    responses = provider_events_received.send(sender=type(channel), channel=channel, events=events)
    for _, extra in responses:
        _add(counts, extra)
    return counts


def _add(counts: dict[str, int], extra: dict | None) -> None:
    for key, value in (extra or {}).items():
        counts[key] = counts.get(key, 0) + value


def template_status_apply(*, channel, event: TemplateStatusEvent) -> dict[str, int]:
    """A template changed status: the cached listing is dropped and the apps above are told
    (campaigns pauses those using a template Meta paused, disabled or rejected)."""
    channel_templates_forget(channel=channel)
    logger.info(
        "template status channel=%s template=%s language=%s status=%s",
        channel.pk,
        event.name,
        event.language,
        event.status,
    )
    counts: dict[str, int] = {}
    responses = template_status_changed.send(
        sender=type(channel),
        channel=channel,
        name=event.name,
        language=event.language,
        status=event.status,
        reason=event.reason,
    )
    for _, extra in responses:
        _add(counts, extra)
    return counts


def inbound_message_record(*, channel, event: InboundEvent) -> tuple[str | None, int]:
    """Acts on STOP/START-style keywords; returns (action, contacts changed)."""
    action = keyword_action(event.text)
    if action == OPT_OUT:
        return action, address_opt_out(channel=channel, address=event.sender)
    if action == OPT_IN:
        return action, address_opt_in(channel=channel, address=event.sender)
    return None, 0


def _phones_for(channel, address: str) -> set[str]:
    """Phones of the account's contacts at this address (a provider id or a phone).

    A provider id (e.g. a Telegram chat id) is matched first: read as a phone, a chat
    id can look like someone else's valid number. Phone lookups name every type so the
    (account, type, phone) index answers them.
    """
    address = (address or "").strip()
    if not address:
        return set()
    contacts = Contact.objects.filter(account_id=channel.account_id).order_by()
    by_id = set(contacts.filter(external_id=address).values_list("phone", flat=True))
    if by_id:
        return by_id
    try:
        phone = normalize_phone(address)
    except InvalidPhone:
        return set()
    if contacts.filter(type__in=ChannelType.values, phone=phone).exists():
        return {phone}
    return set()


def contacts_at_address(*, channel, address: str):
    """The account's contacts at this address (a provider id or a phone), every type."""
    return _contacts_at(channel, address)


def contacts_at_addresses(*, channel, addresses) -> "QuerySet[Contact]":
    """The account's contacts at any of these addresses, in two queries whatever their
    number: a provider id (e.g. a Telegram chat id) is matched first, as in `_phones_for`;
    the other addresses are read as phones."""
    addresses = {(address or "").strip() for address in addresses} - {""}
    contacts = Contact.objects.filter(account_id=channel.account_id).order_by()
    by_id = list(contacts.filter(external_id__in=addresses).values_list("external_id", "pk"))
    phones = set()
    for address in addresses - {external_id for external_id, _ in by_id}:
        try:
            phones.add(normalize_phone(address))
        except InvalidPhone:
            continue
    return contacts.filter(
        Q(pk__in=[pk for _, pk in by_id]) | Q(type__in=ChannelType.values, phone__in=phones)
    )


def _contacts_at(channel, address: str):
    return Contact.objects.filter(
        account_id=channel.account_id,
        type__in=ChannelType.values,
        phone__in=_phones_for(channel, address),
    )


def _suppressible(channel, address: str) -> str | None:
    try:
        return suppression_address(address, channel.type)
    except Invalid:
        return None


def address_opt_out(*, channel, address: str, reason: str = "Sent an opt-out message.") -> int:
    """Opts out, account-wide and on every channel type, whoever is at this address, and
    suppresses the address on the channel's type: a sender who is not a contact yet is
    remembered, and a contact created there later starts opted out."""
    contacts = _contacts_at(channel, address)
    changed = contacts_bulk_set_opted_out(contacts=contacts, opted_out=True, reason=reason)
    if stored := _suppressible(channel, address):
        suppression_add(
            account=channel.account,
            address=stored,
            channel_type=channel.type,
            reason=reason,
            source=Suppression.Source.STOP,
        )
    logger.info("opt-out channel=%s address=%s contacts=%s", channel.pk, address, changed)
    return changed


def address_opt_in(*, channel, address: str) -> int:
    """Opts back in, account-wide, whoever is at this address (they asked: START), and
    lifts the suppressions an earlier STOP added (never those added by people)."""
    phones = _phones_for(channel, address)
    stored = _suppressible(channel, address)
    suppressions_lift_stop(account=channel.account, addresses=[*phones, *filter(None, [stored])])
    changed = contacts_bulk_set_opted_out(contacts=_contacts_at(channel, address), opted_out=False)
    logger.info("opt-in channel=%s address=%s contacts=%s", channel.pk, address, changed)
    return changed
