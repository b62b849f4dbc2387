"""Claiming contacts: a committed transaction that reserves their daily slots first.

A lane claims one contact per transaction whenever sending takes time; only when the
transport answers within milliseconds does it claim a few at once (never more than
~50 ms of sending), so a commit per contact does not cap throughput.

Locks: a claim takes the campaign row, then the channel day, then contact rows with SKIP
LOCKED (never waiting on them); recording takes its own `sending` rows, then the campaign,
then the channel day. Nobody waits for a campaign row while holding a channel day.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Q

from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    ChannelDay,
    ContactStatus,
    SkipReason,
)
from contacts.models import Contact
from contacts.suppressions import suppressed_expression

from .days import complete_if_done

logger = logging.getLogger("skylight.engine")


class NumberResting(Exception):
    """The number may not send before `until` (the gap after its last contact, or a
    provider's Retry-After); nothing was claimed."""

    def __init__(self, until: datetime):
        super().__init__(f"the number rests until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class Slot:
    """Where a claim's daily slot is counted, and the caps it must stay under."""

    campaign_id: int
    day: date  # the campaign's local day
    campaign_cap: int  # min(daily limit, pacing allowance) for now
    channel_day_id: int
    channel_cap: int


class Claim(NamedTuple):
    """A contact now `sending`, committed before anything leaves (a tuple: one is built
    per contact on the hot path)."""

    id: int
    contact_id: int
    attempts: int
    name: str
    phone: str
    address: str
    attributes: dict
    opted_out: bool
    claimed_at: datetime


CONTACT_FIELDS = ("name", "phone", "external_id", "attributes", "opted_out")


def _claim_rows(campaign_id: int, now: datetime, count: int) -> list[tuple]:
    """(id, contact_id, attempts, *CONTACT_FIELDS) of up to `count` contacts just claimed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(), [now, campaign_id, now, count])
            return sorted(cursor.fetchall())
    # SQLite: the IMMEDIATE transaction already holds the write lock, so pick then update.
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    picks = list(
        CampaignContact.objects.filter(ready, campaign_id=campaign_id, status="pending")
        .order_by("id")
        .values_list("id", "contact_id", "attempts")[:count]
    )
    CampaignContact.objects.filter(pk__in=[pick[0] for pick in picks]).update(
        status="sending", claimed_at=now, attempts=F("attempts") + 1
    )
    contacts = Contact.objects.in_bulk([pick[1] for pick in picks])
    return [
        (pk, contact_id, attempts + 1, *(getattr(contacts[contact_id], f) for f in CONTACT_FIELDS))
        for pk, contact_id, attempts in picks
    ]


def _claim_sql() -> str:
    cc = CampaignContact._meta.db_table
    contact = Contact._meta.db_table
    return f"""
        UPDATE {cc} AS cc
        SET status = 'sending', claimed_at = %s, attempts = cc.attempts + 1
        FROM {contact} AS c
        WHERE cc.id IN (
            SELECT p.id FROM {cc} AS p
            WHERE p.campaign_id = %s AND p.status = 'pending'
              AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= %s)
            ORDER BY p.id LIMIT %s FOR UPDATE SKIP LOCKED
        ) AND c.id = cc.contact_id
        RETURNING cc.id, cc.contact_id, cc.attempts, c.name, c.phone, c.external_id,
                  c.attributes, c.opted_out
    """


def _room(slot: Slot, wanted: int, now: datetime) -> int:
    """Slots left under both caps, read under the campaign's then the channel day's row lock.

    The campaign row must still be running on the slot's day: a committed pause stops
    the next claim. A number still resting raises NumberResting.
    """
    attempted = (
        Campaign.objects.select_for_update()
        .filter(pk=slot.campaign_id, status=CampaignStatus.RUNNING, today_date=slot.day)
        .values_list("today_attempted", flat=True)
        .first()
    )
    if attempted is None or attempted >= slot.campaign_cap:
        return 0
    channel = (
        ChannelDay.objects.select_for_update()
        .filter(pk=slot.channel_day_id)
        .values_list("attempted", "ready_at")
        .first()
    )
    if channel is None:
        return 0
    channel_attempted, ready_at = channel
    if ready_at is not None and ready_at > now:
        raise NumberResting(ready_at)
    return max(0, min(wanted, slot.campaign_cap - attempted, slot.channel_cap - channel_attempted))


def claim_contacts(slot: Slot, now: datetime, wanted: int = 1) -> list[Claim]:
    """Claims up to `wanted` ready pending contacts and reserves their daily slots, in one
    committed transaction, before anything is sent to them.

    Opted-out contacts come back marked `opted_out`: they are `skipped` in the same
    transaction and use no slot.
    """
    with transaction.atomic():
        room = _room(slot, wanted, now)
        if room <= 0:
            return []
        claims = [_claim_from_row(row, now) for row in _claim_rows(slot.campaign_id, now, room)]
        if not claims:
            return []
        skipped = [claim for claim in claims if claim.opted_out]
        if skipped:
            _skip_opted_out(slot, skipped)
        taken = len(claims) - len(skipped)
        Campaign.objects.filter(pk=slot.campaign_id).update(
            today_attempted=F("today_attempted") + taken,
            pending_count=F("pending_count") - len(skipped),
            skipped_count=F("skipped_count") + len(skipped),
        )
        ChannelDay.objects.filter(pk=slot.channel_day_id).update(
            attempted=F("attempted") + taken, last_send_at=now
        )
        if skipped:  # the last pending contacts may have been skipped
            complete_if_done(slot.campaign_id, now)
    return claims


def _claim_from_row(row, now: datetime) -> Claim:
    cc_id, contact_id, attempts, name, phone, external_id, attributes, opted_out = row
    if isinstance(attributes, str):
        attributes = json.loads(attributes or "{}")
    return Claim(
        id=cc_id,
        contact_id=contact_id,
        attempts=attempts,
        name=name or "",
        phone=phone or "",
        address=external_id or phone,
        attributes=attributes or {},
        opted_out=bool(opted_out),
        claimed_at=now,
    )


def _skip_opted_out(slot: Slot, claims: list[Claim]) -> None:
    """Opted out (or suppressed) since enrollment: skipped, nothing attempted.

    `claimed_at` keeps when it was skipped: the report counts it on that day.
    """
    rows = CampaignContact.objects.filter(pk__in=[claim.id for claim in claims])
    rows.update(
        status=ContactStatus.SKIPPED,
        skip_reason=SkipReason.OPTED_OUT,
        error="Contact opted out before sending.",
        claimed_at=claims[0].claimed_at,
    )
    on_the_list = Contact.objects.filter(pk__in=[claim.contact_id for claim in claims]).filter(
        suppressed_expression()
    )
    rows.filter(contact__in=on_the_list).update(
        skip_reason=SkipReason.SUPPRESSED, error="The address is on the suppression list."
    )
    for claim in claims:
        logger.info("campaign=%s contact=%s skipped: opted out", slot.campaign_id, claim.contact_id)
