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
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q

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
    cooldown_days: int = 0  # the account's contact cooldown across campaigns (0: off)


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
    took_slot: bool = True  # False: the contact was already counted on this day
    resumed: bool = False  # an earlier claim had a message accepted (a follow-up, a retry)


CONTACT_FIELDS = ("name", "phone", "external_id", "attributes", "opted_out")

# The claimed row's own columns that come back with it: whether it was already counted
# today (no new slot) and whether an earlier claim had a message accepted.
ROW_FIELDS = ("counted_on", "sent_at")


def _claim_rows(
    campaign_id: int, now: datetime, count: int, day: date, followups: bool
) -> list[tuple]:
    """(id, contact_id, attempts, *CONTACT_FIELDS, *ROW_FIELDS) of up to `count` contacts
    just claimed: follow-ups that are due first, then contacts not yet started."""
    rows: list[tuple] = []
    kinds = ("followup", "new") if followups else ("new",)
    for kind in kinds:
        if len(rows) < count:
            rows += _claim_kind(kind, campaign_id, now, count - len(rows), day)
    return rows


def _claim_kind(kind: str, campaign_id: int, now: datetime, count: int, day: date) -> list:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            params = [campaign_id, *([day] if kind == "counted" else []), now, count, now, day]
            cursor.execute(_claim_sql(kind), params)
            return sorted(cursor.fetchall())
    # SQLite: the IMMEDIATE transaction already holds the write lock, so pick then update.
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    pending = CampaignContact.objects.filter(ready, campaign_id=campaign_id, status="pending")
    if kind == "followup":
        pending = pending.filter(next_step_at__isnull=False).order_by("next_step_at", "id")
    elif kind == "counted":
        pending = pending.filter(counted_on=day).order_by("id")
    else:
        pending = pending.filter(next_step_at__isnull=True).order_by("id")
    picks = list(pending.values_list("id", "contact_id", "attempts", *ROW_FIELDS)[:count])
    CampaignContact.objects.filter(pk__in=[pick[0] for pick in picks]).update(
        status="sending", claimed_at=now, attempts=F("attempts") + 1, counted_on=day
    )
    contacts = Contact.objects.in_bulk([pick[1] for pick in picks])
    return [
        (
            pk,
            contact_id,
            attempts + 1,
            *(getattr(contacts[contact_id], f) for f in CONTACT_FIELDS),
            *row_fields,
        )
        for pk, contact_id, attempts, *row_fields in picks
    ]


def _claim_sql(kind: str) -> str:
    cc = CampaignContact._meta.db_table
    contact = Contact._meta.db_table
    if kind == "followup":  # the partial index on (campaign, next_step_at)
        which, order = "p.next_step_at IS NOT NULL", "p.next_step_at, p.id"
    elif kind == "counted":  # the partial index on pending rows already counted on a day
        which, order = "p.counted_on = %s", "p.id"
    else:  # the partial index on pending rows, in id order
        which, order = "p.next_step_at IS NULL", "p.id"
    return f"""
        WITH picked AS (
            SELECT p.id, p.counted_on FROM {cc} AS p
            WHERE p.campaign_id = %s AND p.status = 'pending' AND {which}
              AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= %s)
            ORDER BY {order} LIMIT %s FOR UPDATE SKIP LOCKED
        )
        UPDATE {cc} AS cc
        SET status = 'sending', claimed_at = %s, attempts = cc.attempts + 1, counted_on = %s
        FROM picked, {contact} AS c
        WHERE cc.id = picked.id AND c.id = cc.contact_id
        RETURNING cc.id, cc.contact_id, cc.attempts, c.name, c.phone, c.external_id,
                  c.attributes, c.opted_out, picked.counted_on, cc.sent_at
    """


def _room(slot: Slot, wanted: int, now: datetime) -> int | None:
    """Slots left under both caps, read under the campaign's then the channel day's row lock.

    The locks are FOR NO KEY UPDATE, what an UPDATE of their counters takes: they exclude
    each other and every counter update, but not the key-share lock a foreign-key check
    takes. A recorder's report rows reference the campaign (campaigns migration 0010), and
    a FOR UPDATE claim made them wait for it, then waited for the recorder's commit.

    The campaign row must still be running on the slot's day (else None): a committed
    pause stops the next claim. A number still resting raises NumberResting.
    """
    attempted = (
        Campaign.objects.select_for_update(no_key=True)
        .filter(pk=slot.campaign_id, status=CampaignStatus.RUNNING, today_date=slot.day)
        .values_list("today_attempted", flat=True)
        .first()
    )
    if attempted is None:
        return None
    channel = (
        ChannelDay.objects.select_for_update(no_key=True)
        .filter(pk=slot.channel_day_id)
        .values_list("attempted", "ready_at")
        .first()
    )
    if channel is None:
        return None
    channel_attempted, ready_at = channel
    if ready_at is not None and ready_at > now:
        raise NumberResting(ready_at)
    return max(0, min(wanted, slot.campaign_cap - attempted, slot.channel_cap - channel_attempted))


class NothingReady(Exception):
    """The campaign had room but no pending contact is due yet (follow-ups and retries wait
    for their moment); `until` is the earliest one, or None if none is waiting."""

    def __init__(self, until: datetime | None):
        super().__init__("no pending contact is due yet")
        self.until = until


def claim_contacts(
    slot: Slot, now: datetime, wanted: int = 1, *, followups: bool = False
) -> list[Claim]:
    """Claims up to `wanted` ready pending contacts and reserves their daily slots, in one
    committed transaction, before anything is sent to them.

    The daily limit counts people: a contact already counted on the slot's day (a
    follow-up or a retry after a message was accepted) takes no second slot. With
    `followups` (the sequence has messages with delay_hours) due follow-ups go first.
    Opted-out contacts come back marked `opted_out`: they are `skipped` in the same
    transaction and use no slot. Raises NothingReady when there was room but nobody due.
    """
    with transaction.atomic():
        room = _room(slot, wanted, now)
        if room is None:
            return []
        if room > 0:
            rows = _claim_rows(slot.campaign_id, now, room, slot.day, followups)
        else:  # the caps are reached: only people already counted today may go on
            rows = _claim_kind("counted", slot.campaign_id, now, wanted, slot.day)
            if not rows:
                return []
        claims = [_claim_from_row(row, now, slot.day) for row in rows]
        if not claims:
            raise NothingReady(_next_ready_at(slot.campaign_id))
        if slot.cooldown_days:
            claims = _hold_back_cooling(slot, claims, now)
            if not claims:
                return []
        skipped = [claim for claim in claims if claim.opted_out]
        if skipped:
            _skip_opted_out(slot, skipped)
        taken = sum(1 for claim in claims if claim.took_slot and not claim.opted_out)
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


COOLDOWN_NOTE = "cooldown: "


def _hold_back_cooling(slot: Slot, claims: list[Claim], now: datetime) -> list[Claim]:
    """Contacts not started yet who got a first message from another campaign in the
    last `cooldown_days` go back to pending until the cooldown ends, using no slot."""
    starting = {claim.contact_id: claim for claim in claims if not claim.resumed}
    if not starting:
        return claims
    recent = (
        CampaignContact.objects.filter(
            contact_id__in=list(starting),
            sent_at__gte=now - timedelta(days=slot.cooldown_days),
        )
        .exclude(campaign_id=slot.campaign_id)
        .values("contact_id")
        .annotate(last=Max("sent_at"))
    )
    held = {row["contact_id"]: row["last"] for row in recent}
    for contact_id, last in held.items():
        until = last + timedelta(days=slot.cooldown_days)
        CampaignContact.objects.filter(pk=starting[contact_id].id).update(
            status=ContactStatus.PENDING,
            claimed_at=None,
            attempts=F("attempts") - 1,
            counted_on=None,
            next_attempt_at=until,
            error=f"{COOLDOWN_NOTE}another campaign reached this contact; it starts after "
            f"{until.isoformat()}.",
        )
    return [claim for claim in claims if claim.contact_id not in held]


def skip_cooling_if_nothing_else(campaign_id: int, now: datetime) -> int:
    """When only contacts waiting for the cooldown are left, they are skipped (`cooldown`)
    so the campaign completes instead of waiting on them. Returns how many."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign_id, status=CampaignStatus.RUNNING)
            .first()
        )
        if campaign is None:
            return 0
        pending = CampaignContact.objects.filter(
            campaign_id=campaign_id, status__in=(ContactStatus.PENDING, ContactStatus.SENDING)
        )
        cooling = pending.filter(status=ContactStatus.PENDING, error__startswith=COOLDOWN_NOTE)
        if not cooling.exists() or pending.exclude(pk__in=cooling).exists():
            return 0
        skipped = cooling.update(
            status=ContactStatus.SKIPPED,
            skip_reason=SkipReason.COOLDOWN,
            next_attempt_at=None,
            claimed_at=now,
            error="Reached by another campaign within the account's cooldown.",
        )
        Campaign.objects.filter(pk=campaign_id).update(
            pending_count=F("pending_count") - skipped, skipped_count=F("skipped_count") + skipped
        )
        complete_if_done(campaign_id, now)
    return skipped


def _next_ready_at(campaign_id: int) -> datetime | None:
    return (
        CampaignContact.objects.filter(campaign_id=campaign_id, status=ContactStatus.PENDING)
        .aggregate(first=Min("next_attempt_at"))
        .get("first")
    )


def _claim_from_row(row, now: datetime, day: date) -> Claim:
    cc_id, contact_id, attempts, name, phone, external_id, attributes, opted_out = row[:8]
    counted_on, sent_at = row[8:]
    if isinstance(counted_on, str):  # SQLite through raw values
        counted_on = date.fromisoformat(counted_on)
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
        took_slot=counted_on != day,
        resumed=sent_at is not None,
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
