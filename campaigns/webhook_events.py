"""Campaign and contact events for the webhooks out (skylight/events.py).

Each function is called inside the transaction of the change it reports and costs one
read of the account's subscriptions when nobody listens; callers recording many
outcomes call once per batch. docs/webhooks.md lists each event's `data`.
"""

from collections.abc import Iterable

from campaigns.models import Campaign, CampaignContact, CampaignStatus
from contacts.models import Contact
from skylight.events import events_emit, subscribed, subscriptions

CAMPAIGN_FIELDS = (
    "pk",
    "account_id",
    "name",
    "status",
    "channel_id",
    "campaign_day",
    "paused_by",
    "pause_reason",
    "total_contacts",
    "sent_count",
    "failed_count",
    "skipped_count",
    "replied_count",
)
STATUS_EVENTS = {"delivered": "contact.delivered", "read": "contact.read"}


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def campaign_data(campaign: Campaign) -> dict:
    data = {
        "campaign_id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "channel_id": campaign.channel_id,
        "campaign_day": campaign.campaign_day,
        "total_contacts": campaign.total_contacts,
        "sent": campaign.sent_count,
        "failed": campaign.failed_count,
        "skipped": campaign.skipped_count,
        "replied": campaign.replied_count,
    }
    if campaign.status == CampaignStatus.PAUSED:
        data.update(paused_by=campaign.paused_by, pause_reason=campaign.pause_reason)
    return data


def campaign_emit(campaign: Campaign, event_type: str) -> None:
    """The event of one campaign in memory (just saved by its transition)."""
    events_emit([(campaign.account_id, event_type, campaign_data(campaign))])


def campaigns_emit(campaign_ids: Iterable[int], event_type: str) -> None:
    """The event of each of these campaigns, read as they are now (one query when wanted)."""
    campaign_ids = list(campaign_ids)
    if not campaign_ids:
        return
    rows = list(Campaign.objects.filter(pk__in=campaign_ids).only(*CAMPAIGN_FIELDS))
    subs = subscriptions({row.account_id for row in rows})
    if subs:
        events_emit([(row.account_id, event_type, campaign_data(row)) for row in rows], subs=subs)


def outcomes_emit(items) -> None:
    """`contact.sent` / `contact.failed` for recorded outcomes: (account id, campaign id,
    outcome) triples, one subscriptions read and two inserts for the whole batch."""
    items = [item for item in items if item[2].status in ("sent", "failed")]
    if not items:
        return
    subs = subscriptions({account_id for account_id, _, _ in items})
    events = []
    for account_id, campaign_id, outcome in items:
        event_type = f"contact.{outcome.status}"
        if subscribed(subs, account_id, event_type):
            events.append((account_id, event_type, _outcome_data(campaign_id, outcome)))
    events_emit(events, subs=subs)


def _outcome_data(campaign_id: int, outcome) -> dict:
    claim = outcome.claim
    data = {
        "campaign_id": campaign_id,
        "campaign_contact_id": claim.id,
        "contact_id": claim.contact_id,
        "phone": claim.phone,
        "status": outcome.status,
        "at": _iso(outcome.finished_at),
    }
    if outcome.status == "sent":
        data["provider_message_id"] = outcome.provider_message_id
    else:
        data["error"] = outcome.error
    return data


def reaped_emit(row: CampaignContact, error: str, at) -> None:
    """`contact.failed` for a claim the reaper failed (its worker died mid-send)."""
    account_id = row.campaign.account_id
    subs = subscriptions([account_id])
    if not subscribed(subs, account_id, "contact.failed"):
        return
    data = {
        "campaign_id": row.campaign_id,
        "campaign_contact_id": row.pk,
        "contact_id": row.contact_id,
        "phone": Contact.objects.filter(pk=row.contact_id).values_list("phone", flat=True).first(),
        "status": "failed",
        "at": _iso(at),
        "error": error,
    }
    events_emit([(account_id, "contact.failed", data)], subs=subs)


def status_watch(account_id: int, contact_ids) -> dict | None:
    """Before mirroring delivery statuses: the rows' statuses now, or None if nobody
    listens for `contact.delivered` / `contact.read` (then nothing is read)."""
    subs = subscriptions([account_id])
    if not any(subscribed(subs, account_id, t) for t in STATUS_EVENTS.values()):
        return None
    rows = CampaignContact.objects.filter(pk__in=list(contact_ids))
    return {"subs": subs, "before": dict(rows.values_list("pk", "delivery_status"))}


def status_changes_emit(account_id: int, watch: dict | None) -> None:
    """After mirroring: an event for each row now delivered or read that was not before."""
    if watch is None:
        return
    before, subs = watch["before"], watch["subs"]
    fields = ("pk", "campaign_id", "contact_id", "contact__phone", "delivery_status",
              "provider_message_id")  # fmt: skip
    events = []
    for pk, campaign_id, contact_id, phone, status, message_id in CampaignContact.objects.filter(
        pk__in=list(before)
    ).values_list(*fields):
        event_type = STATUS_EVENTS.get(status)
        if event_type and before.get(pk) != status and subscribed(subs, account_id, event_type):
            data = {
                "campaign_id": campaign_id,
                "campaign_contact_id": pk,
                "contact_id": contact_id,
                "phone": phone,
                "status": status,
                "provider_message_id": message_id,
            }
            events.append((account_id, event_type, data))
    events_emit(events, subs=subs)


def replies_emit(account_id: int, row_ids: list[int], at) -> None:
    """`contact.replied` for the campaign rows just marked as replied."""
    subs = subscriptions([account_id])
    if not subscribed(subs, account_id, "contact.replied"):
        return
    fields = ("pk", "campaign_id", "contact_id", "contact__phone")
    events = [
        (
            account_id,
            "contact.replied",
            {
                "campaign_id": campaign_id,
                "campaign_contact_id": pk,
                "contact_id": contact_id,
                "phone": phone,
                "replied_at": _iso(at),
            },
        )
        for pk, campaign_id, contact_id, phone in CampaignContact.objects.filter(
            pk__in=row_ids
        ).values_list(*fields)
    ]
    events_emit(events, subs=subs)
