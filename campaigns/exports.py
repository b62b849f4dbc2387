"""CSV export of a campaign's contacts: one row per enrolled contact, in id order."""

from datetime import UTC

from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from campaigns import selectors
from campaigns.models import Campaign, CampaignContact, ContactStatus, Delivery
from skylight.csv_export import csv_download, csv_lines, keyset_chunks

HEADER = [
    "name",
    "phone",
    "status",
    "sent_at",
    "delivered_at",
    "read_at",
    "replied_at",
    "skip_reason",
    "error",
]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _first(stamp: str) -> Subquery:
    """The earliest `stamp` among the contact's deliveries (read through its unique index)."""
    deliveries = (
        Delivery.objects.filter(campaign_contact=OuterRef("pk"))
        .order_by()
        .values("campaign_contact")
        .annotate(first=Min(stamp))
        .values("first")
    )
    return Subquery(deliveries)


def export_rows(*, campaign: Campaign, params) -> QuerySet[CampaignContact]:
    """The listing's rows (same `status` filter) with their first delivered and read times."""
    return selectors.campaign_contact_rows(campaign=campaign, params=params).annotate(
        delivered_at=_first("delivered_at"), read_at=_first("read_at")
    )


def _when(moment) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT) if moment else ""


def _row(row: CampaignContact) -> list:
    status = ContactStatus.PENDING if row.status == ContactStatus.SENDING else row.status
    skipped = status == ContactStatus.SKIPPED
    return [
        row.contact.name,
        row.contact.phone,
        status,
        _when(row.sent_at),
        _when(row.delivered_at),
        _when(row.read_at),
        _when(getattr(row, "replied_at", None)),  # a seam: no replies are recorded yet
        (row.error or "") if skipped else "",
        "" if skipped else (row.error or ""),
    ]


def campaign_contacts_csv(*, campaign: Campaign, params):
    """A streaming CSV download of the campaign's contacts."""
    rows = export_rows(campaign=campaign, params=params)
    name = f"campaign-{campaign.pk}-contacts-{timezone.now():%Y%m%d}.csv"
    return csv_download(name, csv_lines(HEADER, keyset_chunks(rows), _row))
