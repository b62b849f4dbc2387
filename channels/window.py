"""The free-form window: on some providers (WhatsApp Cloud API) a business may send
free-form messages to a person only within 24 hours of that person's last message to
the number; outside it only an approved template goes (Meta answers 131047).

channels remembers when each contact last wrote to each channel (`LastInbound`, written
set-based from each webhook's inbound messages); campaigns reads it to count open
windows at enrollment and to fail, before sending, a free-form step whose window closed.
"""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from .models import Channel, LastInbound
from .transports import TRANSPORTS

WINDOW_CLOSED_ERROR = "needs an approved template (24-hour window closed)"


def window_hours(channel: Channel) -> int | None:
    """Hours free-form messages may follow the person's last message; None: no window."""
    transport = TRANSPORTS.get(channel.provider)
    return transport.free_form_window_hours if transport is not None else None


def inbound_times_record(*, channel: Channel, contact_ids, at: datetime) -> int:
    """Remembers that these contacts wrote to the channel at `at` (one statement)."""
    rows = [LastInbound(channel=channel, contact_id=pk, at=at) for pk in sorted(set(contact_ids))]
    if not rows:
        return 0
    LastInbound.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["channel", "contact"], update_fields=["at"]
    )
    return len(rows)


def open_window_contacts(*, channel: Channel, now: datetime) -> QuerySet | None:
    """Ids (a sub-select) of the contacts whose window on the channel is open at `now`;
    None when the channel's provider has no window (everyone can be sent to)."""
    hours = window_hours(channel)
    if hours is None:
        return None
    return LastInbound.objects.filter(channel=channel, at__gt=now - timedelta(hours=hours)).values(
        "contact_id"
    )


def window_open(*, channel: Channel, contact_id: int, now: datetime) -> bool:
    """Whether a free-form message can reach this contact on the channel now."""
    contacts = open_window_contacts(channel=channel, now=now)
    return contacts is None or contacts.filter(contact_id=contact_id).exists()


def window_warning(*, open_window: int, enrolled: int, hours: int = 24) -> str:
    return (
        f"Meta delivers free-form messages only within {hours} hours of the contact's last "
        f"message: {open_window} of {enrolled} can receive this."
    )
