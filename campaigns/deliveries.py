"""Delivery statuses reported by providers, applied to the deliveries campaigns own.

`channels` verifies and parses a provider's webhook into events and announces them
(`channels.signals.provider_events_received`); `campaigns.receivers` hands the status
events to `campaigns.status_batches.deliveries_apply_statuses`, which applies many at
once on top of the one-by-one rules here. See docs/architecture.md, "The life of a
webhook".

Delivery statuses only move forward (queued < sent < delivered < read); failed is
terminal and cannot replace delivered or read. Each change is a conditional UPDATE,
so replays and out-of-order arrivals (read before delivered) are harmless. The
contact's `delivery_status` mirrors the best status among its deliveries.

A status for a message id with no delivery yet (the engine records outcomes in
batches, after the provider may already have answered) is kept as a StatusReceipt
and applied by `status_receipts_apply` once the delivery exists.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import CampaignContact, Delivery, StatusReceipt
from campaigns.webhook_events import status_changes_emit, status_watch
from channels.webhooks.events import StatusEvent

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
            watch = status_watch(channel.account_id, contact_ids)  # webhooks out
            _mirror_on_contacts(contact_ids)
            status_changes_emit(channel.account_id, watch)
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
