"""Enrollment: choosing a campaign's contacts with one set-based INSERT ... SELECT.

The selection is the union of explicit contact ids, list members and segment members.
It is expressed as one `Contact` queryset (`IN` sub-selects joined by `OR`, which the
database de-duplicates as a semi-join), so no contact is ever loaded into Python, and
the summary comes from counting queries over the same querysets.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Value

from campaigns.models import CampaignContact, ContactStatus, MessageType
from channels.window import open_window_contacts, window_hours, window_warning
from contacts.models import Contact, ListMembership, Segment
from contacts.suppressions import not_suppressed, suppressed_expression


@dataclass(frozen=True)
class Selection:
    """What a campaign draws from: explicit ids, lists, and segments compiled to SQL."""

    account: object
    contact_ids: tuple[int, ...]
    list_ids: tuple[int, ...]
    segments: tuple[QuerySet, ...]

    @classmethod
    def of(cls, *, account, contact_ids=(), list_ids=(), segment_ids=()) -> "Selection":
        return cls(
            account,
            tuple(dict.fromkeys(contact_ids)),
            tuple(list_ids),
            tuple(_segment_members(account, segment_ids)),
        )

    def list_members(self) -> QuerySet:
        return ListMembership.objects.filter(contact_list_id__in=self.list_ids)

    def contacts(self) -> QuerySet[Contact]:
        """Every distinct contact of the account in the selection, before any exclusion."""
        parts = []
        if self.contact_ids:
            parts.append(Q(pk__in=self.contact_ids))
        if self.list_ids:
            parts.append(Q(pk__in=self.list_members().values("contact_id")))
        parts.extend(Q(pk__in=members.values("pk")) for members in self.segments)
        if not parts:
            return Contact.objects.none()
        return Contact.objects.filter(account=self.account).filter(reduce(or_, parts))

    def requested(self) -> int:
        """References in the request, counting a contact once per source that names it."""
        requested = len(self.contact_ids)
        if self.list_ids:
            requested += self.list_members().filter(contact__account=self.account).count()
        return requested + sum(members.count() for members in self.segments)


def _segment_members(account, segment_ids) -> list[QuerySet]:
    """One membership queryset per segment of the account (its rules evaluated in SQL)."""
    if not segment_ids:
        return []
    from contacts.segments import contacts_matching  # the contacts app owns segment rules

    segments = Segment.objects.filter(account=account, pk__in=list(segment_ids))
    return [contacts_matching(account, segment.rules) for segment in segments]


def eligible(selection: QuerySet[Contact], channel_type: str) -> QuerySet[Contact]:
    """The selection minus opted-out, suppressed and other-channel-type contacts."""
    return not_suppressed(selection.filter(opted_out=False, type=channel_type))


def _exclusions(selection: QuerySet[Contact], channel_type: str) -> dict[str, int]:
    """Distinct, opted-out and incompatible contacts of the selection, in one query.

    A contact both opted out and of another type counts as opted out; a suppressed
    contact (of the channel's type) counts as suppressed, opted out or not.
    """
    counts = selection.annotate(is_suppressed=suppressed_expression()).aggregate(
        selected=Count("pk"),
        excluded_suppressed=Count("pk", filter=Q(is_suppressed=True, type=channel_type)),
        excluded_opted_out=Count(
            "pk", filter=Q(opted_out=True) & ~Q(is_suppressed=True, type=channel_type)
        ),
        excluded_incompatible=Count("pk", filter=Q(opted_out=False) & ~Q(type=channel_type)),
    )
    return {
        "distinct": counts["selected"],
        "suppressed": counts["excluded_suppressed"],
        "opted_out": counts["excluded_opted_out"],
        "incompatible": counts["excluded_incompatible"],
    }


def summarise(*, account, channel_type, contact_ids=(), list_ids=(), segment_ids=()) -> dict:
    """The enrollment summary without writing: what creating would enroll now."""
    selection = Selection.of(
        account=account, contact_ids=contact_ids, list_ids=list_ids, segment_ids=segment_ids
    )
    counts = _exclusions(selection.contacts(), channel_type)
    excluded = counts["opted_out"] + counts["incompatible"] + counts["suppressed"]
    enrolled = counts["distinct"] - excluded
    return _summary(selection.requested(), counts, enrolled)


def _summary(requested: int, counts: dict, enrolled: int) -> dict:
    return {
        "requested": requested,
        "enrolled": enrolled,
        "duplicates": max(requested - counts["distinct"], 0),
        "opted_out": counts["opted_out"],
        "incompatible": counts["incompatible"],
        "suppressed": counts["suppressed"],
    }


def window_summary(*, channel, enrolled_contacts, enrolled: int, messages, now) -> dict:
    """`open_window` (enrolled contacts whose free-form window is open now) and the
    `warnings` about it, on channels with a free-form window (WhatsApp Cloud API); {}
    elsewhere. `enrolled_contacts` is a queryset of their ids; `messages` the sequence
    (or None when not known yet: no warning then)."""
    open_ids = open_window_contacts(channel=channel, now=now)
    if open_ids is None:
        return {}
    open_window = enrolled_contacts.filter(pk__in=open_ids).count() if enrolled else 0
    warnings = []
    if messages and messages[0].get("type", MessageType.TEXT) != MessageType.TEMPLATE:
        warnings.append(
            window_warning(open_window=open_window, enrolled=enrolled, hours=window_hours(channel))
        )
    return {"open_window": open_window, "warnings": warnings}


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
        f"enroll_{field.column}": Value(value, output_field=field)
        for field, value in defaults.items()
    }
    select = contacts.order_by().annotate(
        enroll_campaign=Value(campaign.pk, output_field=IntegerField()), **annotations
    )
    select_sql, params = select.values_list(
        "enroll_campaign", "pk", *annotations
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


def enroll(*, campaign, contact_ids=(), list_ids=(), segment_ids=()) -> dict:
    """Enrolls the selection into `campaign` in one statement; returns the summary.

    Run inside the caller's transaction (campaign creation), so a failure leaves nothing.
    """
    selection = Selection.of(
        account=campaign.account,
        contact_ids=contact_ids,
        list_ids=list_ids,
        segment_ids=segment_ids,
    )
    channel_type = campaign.channel.type
    contacts = selection.contacts()
    enrolled = _insert_rows(campaign, eligible(contacts, channel_type))
    return _summary(selection.requested(), _exclusions(contacts, channel_type), enrolled)
