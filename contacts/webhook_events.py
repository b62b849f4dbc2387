"""`contact.opted_out` events for the webhooks out (skylight/events.py).

Called in the transaction that opts contacts out, with the ids that changed; writes
nothing unless the accounts have an endpoint subscribed to the type.
"""

from collections.abc import Iterable

from contacts.models import Contact
from skylight.events import events_emit, subscribed, subscriptions

OPTED_OUT = "contact.opted_out"


def opted_out_emit(contact_ids: Iterable[int], *, reason: str, account_id=None) -> int:
    """One event per contact (one read of subscriptions, one of the contacts when wanted)."""
    contact_ids = list(contact_ids)
    if not contact_ids:
        return 0
    rows = Contact.objects.filter(pk__in=contact_ids)
    account_ids = [account_id] if account_id else set(rows.values_list("account_id", flat=True))
    subs = subscriptions(account_ids)
    if not any(subscribed(subs, account, OPTED_OUT) for account in account_ids):
        return 0
    fields = ("pk", "account_id", "name", "phone", "type", "external_id", "opted_out_at")
    events = [
        (account, OPTED_OUT, _data(pk, name, phone, type_, external_id, at, reason))
        for pk, account, name, phone, type_, external_id, at in rows.values_list(*fields)
    ]
    return len(events_emit(events, subs=subs))


def _data(pk, name, phone, type_, external_id, at, reason) -> dict:
    return {
        "contact_id": pk,
        "name": name,
        "phone": phone,
        "type": type_,
        "external_id": external_id or "",
        "opted_out_at": at.isoformat().replace("+00:00", "Z") if at else None,
        "reason": reason,
    }
