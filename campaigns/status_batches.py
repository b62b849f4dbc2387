"""Delivery statuses applied as sets: a webhook payload that carries many statuses costs
a handful of statements, not five or six per status.

`delivery_statuses_record` gives the same outcome as `delivery_status_record`
(campaigns/deliveries.py) called on each event in order: events of one message are applied
in "rounds" (its first event in round 1, its second in round 2...), and within a round
all messages moving to the same status are one conditional UPDATE, so forward-only
moves, replays and out-of-order arrivals behave exactly as one by one.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Case, DateTimeField, F, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.deliveries import (
    ADVANCES_FROM,
    CONTACT_RANK,
    MESSAGE_ID_LENGTH,
    status_receipts_apply,
)
from campaigns.deliveries import _channel_delivery_ids as channel_delivery_ids
from campaigns.models import CampaignContact, Delivery, StatusReceipt
from campaigns.webhook_events import status_changes_emit, status_watch
from channels.webhooks.events import StatusEvent

S = Delivery.Status
FAILED_DEFAULT = "The provider reported the message as failed."


def deliveries_apply_statuses(*, channel, events) -> int:
    """Applies the status events of one webhook as a set, then the receipts now ready;
    returns deliveries changed (called by `campaigns.receivers`)."""
    statuses = [event for event in events if isinstance(event, StatusEvent)]
    changed = delivery_statuses_record(channel=channel, events=statuses) if statuses else 0
    return changed + status_receipts_apply(channel=channel)


def delivery_statuses_record(*, channel, events: list[StatusEvent], keep_early=True) -> int:
    """Applies the channel's status events together; returns deliveries changed.

    With `keep_early`, statuses for ids not recorded yet are kept as receipts (one
    INSERT), as `delivery_status_record` does for each.
    """
    usable = [event for event in events if _usable(event)]
    if not usable:
        return 0
    now = timezone.now()
    found = channel_delivery_ids(channel, {event.provider_message_id for event in usable})
    if keep_early:
        _keep_receipts(channel, [e for e in usable if e.provider_message_id not in found], now)
    known = [event for event in usable if event.provider_message_id in found]
    if not known:
        return 0
    contact_ids = sorted({contact for e in known for _, contact in found[e.provider_message_id]})
    changed = 0
    with transaction.atomic():
        # Contact rows first, in id order, as the engine and delivery_status_record lock.
        locked = CampaignContact.objects.select_for_update().filter(pk__in=contact_ids)
        list(locked.order_by("pk").values_list("pk", flat=True))
        for round_events in _rounds(known):
            for status, same in _by_status(round_events).items():
                changed += _advance(status, same, found, now)
        if changed:
            watch = status_watch(channel.account_id, contact_ids)  # webhooks out
            _mirror_on_contacts(contact_ids)
            status_changes_emit(channel.account_id, watch)
    return changed


def _usable(event: StatusEvent) -> bool:
    message_id = event.provider_message_id
    return bool(ADVANCES_FROM.get(event.status) and message_id) and (
        len(message_id) <= MESSAGE_ID_LENGTH  # longer was never one of ours
    )


def _keep_receipts(channel, early: list[StatusEvent], now) -> None:
    StatusReceipt.objects.bulk_create(
        StatusReceipt(channel=channel, provider_message_id=event.provider_message_id,
                      status=event.status, at=event.at or now, error=event.error[:2000])
        for event in early
    )  # fmt: skip


def _rounds(events: list[StatusEvent]) -> list[list[StatusEvent]]:
    """Round n holds each message's n-th event, so a message's events keep their order."""
    rounds: list[list[StatusEvent]] = []
    seen: dict[str, int] = defaultdict(int)
    for event in events:
        index = seen[event.provider_message_id]
        seen[event.provider_message_id] += 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(event)
    return rounds


def _by_status(events: list[StatusEvent]) -> dict[str, list[StatusEvent]]:
    grouped: dict[str, list[StatusEvent]] = defaultdict(list)
    for event in events:
        grouped[event.status].append(event)
    return grouped


def _advance(status: str, events: list[StatusEvent], found: dict, now) -> int:
    """One conditional UPDATE moving these events' deliveries forward to `status`."""
    per_delivery = {
        delivery_id: event
        for event in events
        for delivery_id, _ in found[event.provider_message_id]
    }
    return (
        Delivery.objects.filter(pk__in=list(per_delivery), status__in=ADVANCES_FROM[status])
        .update(status=status, **_stamps(status, per_delivery, now))
    )  # fmt: skip


def _per_row(values: dict, output_field):
    whens = [
        When(pk=pk, then=Value(value, output_field=output_field)) for pk, value in values.items()
    ]
    return Case(*whens, output_field=output_field)


def _stamps(status: str, per_delivery: dict, now) -> dict:
    if status == S.FAILED:
        errors = {pk: (event.error or FAILED_DEFAULT)[:2000] for pk, event in per_delivery.items()}
        return {"error": _per_row(errors, TextField())}
    at = _per_row({pk: event.at or now for pk, event in per_delivery.items()}, DateTimeField())
    if status == S.SENT:
        return {"sent_at": Coalesce(F("sent_at"), at)}
    if status == S.DELIVERED:
        return {"delivered_at": at}
    return {"read_at": at, "delivered_at": Coalesce(F("delivered_at"), at)}


def _mirror_on_contacts(contact_ids: list[int]) -> None:
    """Each contact's delivery_status becomes its best delivery's: one UPDATE per status."""
    best: dict[int, str] = {}
    rows = Delivery.objects.filter(campaign_contact_id__in=contact_ids).order_by()
    for contact_id, status in rows.values_list("campaign_contact_id", "status"):
        if CONTACT_RANK.get(status, -1) > CONTACT_RANK.get(best.get(contact_id), -1):
            best[contact_id] = status
    by_status: dict[str, list[int]] = defaultdict(list)
    for contact_id, status in best.items():
        by_status[status].append(contact_id)
    for status, ids in by_status.items():
        CampaignContact.objects.filter(pk__in=ids).exclude(delivery_status=status).update(
            delivery_status=status
        )
