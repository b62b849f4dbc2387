"""Enrolment: choosing a campaign's contacts with one set-based INSERT ... SELECT.

The selection is the union of explicit contact ids, list members and segment members.
It is expressed as one `Contact` queryset (`IN` sub-selects joined by `OR`, which the
database de-duplicates as a semi-join), so no contact is ever loaded into Python, and
the summary comes from counting queries over the same querysets.
"""

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Value

from campaigns.models import CampaignContact, ContactStatus
from contacts.models import Contact, ListMembership, Segment


def _segment_members(account, segment_ids) -> list[QuerySet]:
    """One compiled membership queryset per segment (the rules are evaluated in SQL)."""
    if not segment_ids:
        return []
    from contacts.segments import contacts_matching  # the contacts app owns segment rules

    segments = Segment.objects.filter(account=account, pk__in=list(segment_ids))
    return [contacts_matching(account, segment.rules) for segment in segments]


def _list_members(list_ids) -> QuerySet:
    return ListMembership.objects.filter(contact_list_id__in=list(list_ids))


def candidates(*, account, contact_ids=(), list_ids=(), segment_ids=()) -> QuerySet[Contact]:
    """Every distinct contact of the account in the selection, before any exclusion."""
    parts = []
    if contact_ids:
        parts.append(Q(pk__in=list(contact_ids)))
    if list_ids:
        parts.append(Q(pk__in=_list_members(list_ids).values("contact_id")))
    parts.extend(
        Q(pk__in=members.values("pk")) for members in _segment_members(account, segment_ids)
    )
    if not parts:
        return Contact.objects.none()
    return Contact.objects.filter(account=account).filter(reduce(or_, parts))


def eligible(selection: QuerySet[Contact], channel_type: str) -> QuerySet[Contact]:
    """The selection minus opted-out contacts and contacts of another channel type."""
    return selection.filter(opted_out=False, type=channel_type)


def _requested(*, account, contact_ids, list_ids, segment_ids) -> int:
    """References in the request, counting a contact once per source that names it."""
    requested = len(set(contact_ids))
    if list_ids:
        requested += _list_members(list_ids).filter(contact__account=account).count()
    requested += sum(members.count() for members in _segment_members(account, segment_ids))
    return requested


def _exclusions(selection: QuerySet[Contact], channel_type: str) -> dict[str, int]:
    """Distinct, opted-out and incompatible contacts of the selection, in one query.

    A contact both opted out and of another type counts as opted out.
    """
    counts = selection.aggregate(
        selected=Count("pk"),
        excluded_opted_out=Count("pk", filter=Q(opted_out=True)),
        excluded_incompatible=Count("pk", filter=Q(opted_out=False) & ~Q(type=channel_type)),
    )
    return {
        "distinct": counts["selected"],
        "opted_out": counts["excluded_opted_out"],
        "incompatible": counts["excluded_incompatible"],
    }


def summarise(*, account, channel_type, contact_ids=(), list_ids=(), segment_ids=()) -> dict:
    """The enrolment summary without writing: what creating would enrol now."""
    sources = dict(contact_ids=contact_ids, list_ids=list_ids, segment_ids=segment_ids)
    counts = _exclusions(candidates(account=account, **sources), channel_type)
    requested = _requested(account=account, **sources)
    enrolled = counts["distinct"] - counts["opted_out"] - counts["incompatible"]
    return _summary(requested, counts, enrolled)


def _summary(requested: int, counts: dict, enrolled: int) -> dict:
    return {
        "requested": requested,
        "enrolled": enrolled,
        "duplicates": max(requested - counts["distinct"], 0),
        "opted_out": counts["opted_out"],
        "incompatible": counts["incompatible"],
    }


def _insert_rows(campaign, contacts: QuerySet[Contact]) -> int:
    """INSERT INTO campaign contacts SELECT the contacts' ids, with every column's default."""
    defaults = {
        field: field.get_default()
        for field in CampaignContact._meta.concrete_fields
        if not field.primary_key and field.name not in ("campaign", "contact")
    }
    defaults = {field: value for field, value in defaults.items() if value is not None}
    defaults[CampaignContact._meta.get_field("status")] = ContactStatus.PENDING.value
    annotations = {
        f"enrol_{field.column}": Value(value, output_field=field)
        for field, value in defaults.items()
    }
    select = contacts.order_by().annotate(
        enrol_campaign=Value(campaign.pk, output_field=IntegerField()), **annotations
    )
    select_sql, params = select.values_list(
        "enrol_campaign", "pk", *annotations
    ).query.sql_with_params()
    columns = ["campaign_id", "contact_id", *(field.column for field in defaults)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(CampaignContact._meta.db_table)} "
        f"({', '.join(quote(column) for column in columns)}) {select_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def enrol(*, campaign, contact_ids=(), list_ids=(), segment_ids=()) -> dict:
    """Enrols the selection into `campaign` in one statement; returns the summary.

    Run inside the caller's transaction (campaign creation), so a failure leaves nothing.
    """
    account, channel_type = campaign.account, campaign.channel.type
    sources = dict(contact_ids=contact_ids, list_ids=list_ids, segment_ids=segment_ids)
    selection = candidates(account=account, **sources)
    enrolled = _insert_rows(campaign, eligible(selection, channel_type))
    counts = _exclusions(selection, channel_type)
    return _summary(_requested(account=account, **sources), counts, enrolled)
