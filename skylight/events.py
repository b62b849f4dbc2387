"""Events out: the outbox every layer writes to, in the transaction of the change.

`event_emit(account_id, type, data)` (or `events_emit` for many at once) writes the
event and one delivery per active endpoint subscribed to its type, in the caller's
transaction, so an event exists exactly when its change committed. After the commit a
django-q2 task delivers it (channels/event_hooks/delivery.py); the every-minute sweep
retries what is due, so nothing is lost if a worker dies.

Accounts without a subscribed endpoint pay one indexed read per call and write nothing:
callers that record many outcomes call once per batch (`subscriptions` first, to build
event data only when someone listens). docs/webhooks.md documents the bodies.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from ulid import ULID

from skylight.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

CAMPAIGN_EVENTS = (
    "campaign.started",
    "campaign.paused",
    "campaign.resumed",
    "campaign.completed",
    "campaign.cancelled",
)
CONTACT_EVENTS = (
    "contact.sent",
    "contact.delivered",
    "contact.read",
    "contact.replied",
    "contact.failed",
    "contact.opted_out",
)
EVENT_TYPES = (*CAMPAIGN_EVENTS, *CONTACT_EVENTS, "channel.health_changed")
# High-volume types: several pending for one endpoint go in one request.
BATCHED_TYPES = frozenset(CONTACT_EVENTS)
RETRY_FOR = timedelta(hours=24)
DELIVER_TASK = "channels.event_hooks.tasks.endpoint_deliver_task"

Subscriptions = dict[int, dict[str, list[int]]]


def new_id(prefix: str = "evt") -> str:
    """`<prefix>_<ULID>`: sortable by creation time, unique without coordination."""
    return f"{prefix}_{ULID()}"


def subscriptions(account_ids: Iterable[int]) -> Subscriptions:
    """{account id: {event type: [endpoint ids]}} of the active endpoints (one query)."""
    found: Subscriptions = {}
    rows = WebhookEndpoint.objects.filter(account_id__in=set(account_ids), is_active=True)
    for endpoint_id, account_id, types in rows.values_list("pk", "account_id", "events"):
        for event_type in types or ():
            found.setdefault(account_id, {}).setdefault(event_type, []).append(endpoint_id)
    return found


def subscribed(subs: Subscriptions, account_id: int, event_type: str) -> bool:
    return bool(subs.get(account_id, {}).get(event_type))


def event_emit(account_id: int, type: str, data: dict) -> str | None:
    """Records one event for the account's subscribed endpoints; returns its id, or None
    when no active endpoint wants this type (nothing is written)."""
    ids = events_emit([(account_id, type, data)])
    return ids[0] if ids else None


def events_emit(
    events: Iterable[tuple[int, str, dict]], *, subs: Subscriptions | None = None
) -> list[str]:
    """Records many (account id, type, data) events: two bulk inserts whatever their
    number. `subs` (from `subscriptions`) saves the read when the caller has it."""
    events = list(events)
    if not events:
        return []
    if subs is None:
        subs = subscriptions(account_id for account_id, _, _ in events)
    now = timezone.now()
    rows: list[WebhookEvent] = []
    deliveries: list[WebhookDelivery] = []
    for account_id, event_type, data in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {event_type!r}")
        endpoint_ids = subs.get(account_id, {}).get(event_type)
        if not endpoint_ids:
            continue
        event = WebhookEvent(
            id=new_id(), account_id=account_id, type=event_type, data=data, created_at=now
        )
        rows.append(event)
        deliveries += [_delivery(event, endpoint_id, now) for endpoint_id in endpoint_ids]
    if not rows:
        return []
    WebhookEvent.objects.bulk_create(rows)
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
    endpoint_ids = sorted({delivery.endpoint_id for delivery in deliveries})
    transaction.on_commit(lambda: deliveries_enqueue(endpoint_ids))
    return [event.id for event in rows]


def _delivery(event: WebhookEvent, endpoint_id: int, now) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=endpoint_id,
        event=event,
        next_attempt_at=now,
        retry_until=now + RETRY_FOR,
        created_at=now,
    )


def deliveries_enqueue(endpoint_ids: Iterable[int]) -> None:
    """Queues one delivery task per endpoint (each sends what is due, in batches)."""
    from django_q.tasks import async_task

    for endpoint_id in endpoint_ids:
        async_task(DELIVER_TASK, endpoint_id, group="webhooks")


def envelope(event: WebhookEvent) -> dict:
    """The JSON body of one event (alone, or as an item of a batch's `events`)."""
    return {
        "id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "account_id": event.account_id,
        "data": event.data,
    }
