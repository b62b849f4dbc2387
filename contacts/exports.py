"""CSV export of contacts: their fields, tags and attributes, in id order."""

import json
from datetime import UTC

from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Contact
from skylight.csv_export import csv_download, csv_lines, keyset_chunks

HEADER = [
    "id",
    "name",
    "phone",
    "type",
    "external_id",
    "opted_out",
    "opted_out_at",
    "created_at",
    "tags",
    "attributes",
]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _when(moment) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT) if moment else ""


def _row(contact: Contact) -> list:
    return [
        contact.pk,
        contact.name,
        contact.phone,
        contact.type,
        contact.external_id,
        "true" if contact.opted_out else "false",
        _when(contact.opted_out_at),
        _when(contact.created_at),
        ";".join(sorted(tag.name for tag in contact.tags.all())),
        json.dumps(contact.attributes or {}, ensure_ascii=False, sort_keys=True),
    ]


def contacts_csv(contacts: QuerySet[Contact]):
    """A streaming CSV download of `contacts` (already filtered), tags read per chunk."""
    rows = contacts.prefetch_related("tags")
    name = f"contacts-{timezone.now():%Y%m%d}.csv"
    return csv_download(name, csv_lines(HEADER, keyset_chunks(rows), _row))
