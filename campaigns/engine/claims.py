"""Claiming one contact: its own committed transaction, with one daily slot reserved.

Lock order everywhere in the engine: campaign row, then channel day, then contact rows
(claims take contact rows with SKIP LOCKED, so they never wait on them).
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import F, Q

from campaigns.models import Campaign, CampaignContact, CampaignStatus, ChannelDay, ContactStatus
from contacts.models import Contact

logger = logging.getLogger("skylight.engine")


@dataclass(frozen=True)
class Slot:
    """Where a claim's daily slot is counted, and the caps it must stay under."""

    campaign_id: int
    day: date  # the campaign's local day
    campaign_cap: int  # min(daily limit, pacing allowance) for now
    channel_day_id: int
    channel_cap: int


@dataclass(frozen=True)
class Claim:
    """A contact now `sending`, committed before anything leaves."""

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


def _claim_row(campaign_id: int, now: datetime):
    """(id, contact_id, attempts, *CONTACT_FIELDS) of the contact just claimed, or None."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(), [now, campaign_id, now])
            return cursor.fetchone()
    # SQLite: the IMMEDIATE transaction already holds the write lock, so pick then update.
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    pick = (
        CampaignContact.objects.filter(ready, campaign_id=campaign_id, status="pending")
        .order_by("id")
        .values_list("id", "contact_id", "attempts")
        .first()
    )
    if pick is None:
        return None
    CampaignContact.objects.filter(pk=pick[0], status="pending").update(
        status="sending", claimed_at=now, attempts=F("attempts") + 1
    )
    contact = Contact.objects.values_list(*CONTACT_FIELDS).get(pk=pick[1])
    return (pick[0], pick[1], pick[2] + 1, *contact)


def _claim_sql() -> str:
    cc = CampaignContact._meta.db_table
    contact = Contact._meta.db_table
    return f"""
        UPDATE {cc} AS cc
        SET status = 'sending', claimed_at = %s, attempts = cc.attempts + 1
        FROM {contact} AS c
        WHERE cc.id = (
            SELECT p.id FROM {cc} AS p
            WHERE p.campaign_id = %s AND p.status = 'pending'
              AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= %s)
            ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED
        ) AND c.id = cc.contact_id
        RETURNING cc.id, cc.contact_id, cc.attempts, c.name, c.phone, c.external_id,
                  c.attributes, c.opted_out
    """


def _reserve(slot: Slot, now: datetime) -> bool:
    """Takes one slot from the campaign's and the channel's day, under their row locks.

    The campaign condition re-checks `running`, so a committed pause stops the next claim.
    """
    reserved = Campaign.objects.filter(
        pk=slot.campaign_id,
        status=CampaignStatus.RUNNING,
        today_date=slot.day,
        today_attempted__lt=slot.campaign_cap,
    ).update(today_attempted=F("today_attempted") + 1)
    if not reserved:
        return False
    return bool(
        ChannelDay.objects.filter(pk=slot.channel_day_id, attempted__lt=slot.channel_cap).update(
            attempted=F("attempted") + 1, last_send_at=now
        )
    )


def claim_next(slot: Slot, now: datetime) -> Claim | None:
    """Claims the next ready pending contact of the campaign, or None when none may go now."""
    with transaction.atomic():
        if not _reserve(slot, now):
            transaction.set_rollback(True)
            return None
        row = _claim_row(slot.campaign_id, now)
        if row is None:
            transaction.set_rollback(True)
            return None
        claim = _claim_from_row(row, now)
        if claim.opted_out:
            _skip_opted_out(slot, claim)
    return claim


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


def _skip_opted_out(slot: Slot, claim: Claim) -> None:
    """Opted out since enrolment: skipped, and the slot goes back (nothing was attempted)."""
    CampaignContact.objects.filter(pk=claim.id).update(
        status=ContactStatus.SKIPPED, error="Contact opted out before sending.", claimed_at=None
    )
    Campaign.objects.filter(pk=slot.campaign_id).update(
        today_attempted=F("today_attempted") - 1,
        pending_count=F("pending_count") - 1,
        skipped_count=F("skipped_count") + 1,
    )
    ChannelDay.objects.filter(pk=slot.channel_day_id).update(attempted=F("attempted") - 1)
    logger.info("campaign=%s contact=%s skipped: opted out", slot.campaign_id, claim.contact_id)
