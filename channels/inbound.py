"""State changes caused by provider webhooks: delivery statuses and opt-out/opt-in.

Delivery statuses only move forward (queued < sent < delivered < read); failed is
terminal and cannot replace delivered or read. Each change is a conditional UPDATE,
so replays and out-of-order arrivals (read before delivered) are harmless. The
contact's `delivery_status` mirrors the best status among its deliveries.

A status for a message id with no delivery yet (the engine records outcomes in
batches, after the provider may already have answered) is kept as a StatusReceipt
and applied by `status_receipts_apply` once the delivery exists.
"""

import logging
from datetime import timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import CampaignContact, Delivery
from contacts.models import ChannelType, Contact
from contacts.phones import InvalidPhone, normalize_phone
from contacts.services import contacts_bulk_set_opted_out

from .keywords import OPT_IN, OPT_OUT, keyword_action
from .models import StatusReceipt
from .webhooks.events import BlockedEvent, Event, InboundEvent, StatusEvent

logger = logging.getLogger("skylight.webhooks")

S = Delivery.Status
# Statuses a delivery may be in for a new status to apply.
ADVANCES_FROM = {
    S.SENT: (S.QUEUED,),
    S.DELIVERED: (S.QUEUED, S.SENT),
    S.READ: (S.QUEUED, S.SENT, S.DELIVERED),
    S.FAILED: (S.QUEUED, S.SENT),
}
# Best first: what the contact's delivery_status shows when its messages differ.
CONTACT_RANK = {S.READ: 4, S.DELIVERED: 3, S.SENT: 2, S.FAILED: 1, S.QUEUED: 0}


def events_apply(*, channel, events: list[Event]) -> dict[str, int]:
    """Applies each event for the channel; returns counts of what changed."""
    # Statuses in a row are applied as one set; this import moves with events_apply
    # into campaigns (the application of statuses belongs there).
    from campaigns.status_batches import delivery_statuses_record

    counts = {"statuses": 0, "opted_out": 0, "opted_in": 0}
    for is_status, run in groupby(events, key=lambda event: isinstance(event, StatusEvent)):
        if is_status:
            counts["statuses"] += delivery_statuses_record(channel=channel, events=list(run))
            continue
        for event in run:
            _apply_one(channel, event, counts)
    counts["statuses"] += status_receipts_apply(channel=channel)
    return counts


def _apply_one(channel, event: Event, counts: dict[str, int]) -> None:
    if isinstance(event, InboundEvent):
        action, changed = inbound_message_record(channel=channel, event=event)
        if action:
            counts["opted_out" if action == OPT_OUT else "opted_in"] += changed
    elif isinstance(event, BlockedEvent):
        counts["opted_out"] += address_opt_out(channel=channel, address=event.sender)


RECEIPT_BATCH = 500
# The engine records outcomes within seconds; waiting receipts are retried this long on
# every webhook of the channel, and kept (for the engine's own call) a day at most.
RECEIPT_RETRY_WINDOW = timedelta(minutes=15)
RECEIPT_TTL = timedelta(days=1)


def _channel_delivery_ids(channel, message_ids) -> dict[str, list[tuple[int, int]]]:
    """{provider message id: [(delivery id, campaign contact id)]} of this channel's deliveries.

    Two index lookups (by provider id, then contacts by primary key) rather than one
    join, so the plan stays cheap whatever the table statistics say.
    """
    rows = list(
        Delivery.objects.filter(provider_message_id__in=list(message_ids))
        .order_by()
        .values_list("provider_message_id", "pk", "campaign_contact_id")
    )
    if not rows:
        return {}
    own = set(
        CampaignContact.objects.filter(
            pk__in={row[2] for row in rows}, campaign__channel_id=channel.pk
        ).values_list("pk", flat=True)
    )
    found: dict[str, list[tuple[int, int]]] = {}
    for message_id, delivery_id, contact_id in rows:
        if contact_id in own:
            found.setdefault(message_id, []).append((delivery_id, contact_id))
    return found


MESSAGE_ID_LENGTH = StatusReceipt._meta.get_field("provider_message_id").max_length


def delivery_status_record(*, channel, event: StatusEvent, keep_early: bool = True) -> int:
    """Moves the channel's deliveries with this provider id forward; returns rows changed.

    With `keep_early`, a status for an id not recorded yet is kept as a receipt.
    """
    allowed = ADVANCES_FROM.get(event.status)
    message_id = event.provider_message_id
    if not allowed or not message_id or len(message_id) > MESSAGE_ID_LENGTH:
        return 0  # an id longer than we store was never one of ours
    at = event.at or timezone.now()
    rows = _channel_delivery_ids(channel, [event.provider_message_id]).get(
        event.provider_message_id, []
    )
    if not rows:
        if keep_early:
            StatusReceipt.objects.create(
                channel=channel,
                provider_message_id=event.provider_message_id,
                status=event.status,
                at=at,
                error=event.error[:2000],
            )
        return 0
    contact_ids = sorted({contact_id for _, contact_id in rows})
    with transaction.atomic():
        # Lock the contact rows first (in id order, as the engine does) so concurrent
        # statuses of one contact's messages mirror consistently.
        locked = CampaignContact.objects.select_for_update().filter(pk__in=contact_ids)
        list(locked.order_by("pk").values_list("pk", flat=True))
        changed = (
            Delivery.objects.filter(pk__in=[delivery_id for delivery_id, _ in rows])
            .filter(status__in=allowed)
            .update(status=event.status, **_stamps(event, at))
        )
        if changed:
            _mirror_on_contacts(contact_ids)
    return changed


def status_receipts_apply(*, channel, provider_message_ids=None) -> int:
    """Applies kept receipts whose deliveries now exist (deleting them); returns changes.

    Without ids, looks at the channel's recent receipts (called after each webhook);
    the send engine may call it with the ids it has just recorded.
    """
    now = timezone.now()
    receipts = StatusReceipt.objects.filter(channel=channel)
    if provider_message_ids is None:
        receipts = receipts.filter(created_at__gte=now - RECEIPT_RETRY_WINDOW)
    else:
        receipts = receipts.filter(provider_message_id__in=list(provider_message_ids))
    batch = list(receipts.order_by("id")[:RECEIPT_BATCH])
    ready = _channel_delivery_ids(channel, {r.provider_message_id for r in batch}) if batch else {}
    changed = 0
    applied = [receipt for receipt in batch if receipt.provider_message_id in ready]
    for receipt in applied:
        event = StatusEvent(receipt.provider_message_id, receipt.status, receipt.at, receipt.error)
        changed += delivery_status_record(channel=channel, event=event, keep_early=False)
    if applied:
        StatusReceipt.objects.filter(pk__in=[receipt.pk for receipt in applied]).delete()
    if provider_message_ids is None:
        status_receipts_prune(channel=channel, older_than=now - RECEIPT_TTL)
    return changed


def status_receipts_prune(*, channel, older_than) -> int:
    """Deletes receipts that never found their delivery (e.g. messages sent elsewhere)."""
    return StatusReceipt.objects.filter(channel=channel, created_at__lt=older_than).delete()[0]


def _stamps(event: StatusEvent, at) -> dict:
    if event.status == S.SENT:
        return {"sent_at": Coalesce(F("sent_at"), at)}
    if event.status == S.DELIVERED:
        return {"delivered_at": at}
    if event.status == S.READ:
        return {"read_at": at, "delivered_at": Coalesce(F("delivered_at"), at)}
    return {"error": (event.error or "The provider reported the message as failed.")[:2000]}


def _mirror_on_contacts(contact_ids: list[int]) -> None:
    best: dict[int, str] = {}
    rows = Delivery.objects.filter(campaign_contact_id__in=contact_ids).order_by()
    for contact_id, status in rows.values_list("campaign_contact_id", "status"):
        if CONTACT_RANK.get(status, -1) > CONTACT_RANK.get(best.get(contact_id), -1):
            best[contact_id] = status
    for contact_id, status in best.items():
        CampaignContact.objects.filter(pk=contact_id).exclude(delivery_status=status).update(
            delivery_status=status
        )


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


def _contacts_at(channel, address: str):
    return Contact.objects.filter(
        account_id=channel.account_id,
        type__in=ChannelType.values,
        phone__in=_phones_for(channel, address),
    )


def address_opt_out(*, channel, address: str) -> int:
    """Opts out, account-wide and on every channel type, whoever is at this address."""
    changed = contacts_bulk_set_opted_out(contacts=_contacts_at(channel, address), opted_out=True)
    logger.info("opt-out channel=%s address=%s contacts=%s", channel.pk, address, changed)
    return changed


def address_opt_in(*, channel, address: str) -> int:
    """Opts back in, account-wide, whoever is at this address (they asked: START)."""
    changed = contacts_bulk_set_opted_out(contacts=_contacts_at(channel, address), opted_out=False)
    logger.info("opt-in channel=%s address=%s contacts=%s", channel.pk, address, changed)
    return changed
