"""Replay protection: each provider event id is applied once per channel.

A receipt is written before the event is applied; if applying fails the receipts of
that request are removed again, so the provider's retry is not mistaken for a replay.
"""

import hashlib
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import InboundReceipt
from .events import Event

RECEIPT_RETENTION = timedelta(days=3)
MAX_STORED_ID = 128


def stored_id(provider_event_id: str) -> str:
    """The id as stored: ids longer than the column are kept as their digest."""
    if len(provider_event_id) <= MAX_STORED_ID:
        return provider_event_id
    return "sha256:" + hashlib.sha256(provider_event_id.encode(errors="replace")).hexdigest()


@contextmanager
def first_deliveries(channel, events: list[Event]):
    """Yields the events not seen before on the channel (events without an id always pass).

    Use as `with first_deliveries(channel, events) as fresh: apply(fresh)`.
    """
    fresh, claimed = [], []
    for event in events:
        event_id = getattr(event, "provider_event_id", "")
        if not event_id:
            fresh.append(event)
        elif _claim(channel, stored_id(event_id)):
            fresh.append(event)
            claimed.append(stored_id(event_id))
    if claimed:
        _prune(channel)
    try:
        yield fresh
    except BaseException:
        InboundReceipt.objects.filter(channel=channel, provider_event_id__in=claimed).delete()
        raise


def _claim(channel, event_id: str) -> bool:
    """True when this request is the first to record `event_id` on the channel."""
    try:
        with transaction.atomic():
            InboundReceipt.objects.create(channel=channel, provider_event_id=event_id)
    except IntegrityError:
        return False
    return True


def _prune(channel) -> None:
    cutoff = timezone.now() - RECEIPT_RETENTION
    InboundReceipt.objects.filter(channel=channel, created_at__lt=cutoff).delete()
