"""Writing outcomes back: conditional updates of `sending` rows with counters in the same
transaction, and failing claims abandoned by dead workers.

Outcomes are buffered briefly by the round (round_recording.py) and written together (a
handful of statements per flush) so a fast transport is not throttled by commits. A
crash before a flush leaves those contacts `sending`: the reaper fails them as "outcome
unknown", never re-sends them.
"""

import logging
from collections import Counter
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F

from campaigns.deliveries import status_receipts_apply
from campaigns.models import (
    Campaign,
    CampaignContact,
    ChannelDay,
    ContactStatus,
    Delivery,
    StatusReceipt,
)
from campaigns.webhook_events import outcomes_emit, reaped_emit

from . import bulk, config, safety
from .days import campaign_tz, complete_if_done, count_on_day
from .sending import UNKNOWN_PREFIX, Outcome

logger = logging.getLogger("skylight.engine")

FLUSH_SIZE = 1000  # outcomes written by one set-based flush at most

DELIVERY_FIELDS = ["type", "body", "caption", "status", "provider_message_id", "error", "sent_at"]


class Recorder:
    """Where one lane's outcomes are counted: its campaign, local day and channel day."""

    def __init__(self, *, campaign_id: int, day: date, channel_day_id: int, channel):
        self.campaign_id = campaign_id
        self.channel = channel
        self.day = day
        self.channel_day_id = channel_day_id


def record_outcomes(target: Recorder, outcomes: list[Outcome]) -> None:
    """One transaction: each `sending` row moves on only if it is still `sending`."""
    now = max(outcome.finished_at for outcome in outcomes)
    with transaction.atomic():
        _relax_durability()
        pairs = write_rows([(target, outcome) for outcome in outcomes])
        if not pairs:
            return
        applied = [outcome for _, outcome in pairs]
        statuses = Counter(outcome.status for outcome in applied)
        sent, failed = statuses[ContactStatus.SENT], statuses[ContactStatus.FAILED]
        returned = sum(1 for outcome in applied if outcome.returns_slot)
        skipped = statuses[ContactStatus.SKIPPED]
        sent += len(end_replied_steps(applied))
        # Webhooks out: one subscriptions read, and two inserts only when someone listens.
        outcomes_emit((target.channel.account_id, target.campaign_id, o) for o in applied)
        # The campaign's row late, so its lock (which claims wait for) is held briefly.
        _move_counters(target, sent=sent, failed=failed, retried=returned, skipped=skipped)
        _look_again_by(target.campaign_id, applied)
        count_on_day(target.campaign_id, target.day, sent=sent, failed=failed)
        safety.refusals_record(pairs, now)
        complete_if_done(target.campaign_id, now)
    _apply_early_statuses(target, applied)
    safety.after_flush(pairs, now)


def write_rows(pairs: list[tuple[Recorder, Outcome]]) -> list[tuple[Recorder, Outcome]]:
    """Inside the flush's transaction: moves each (recorder, outcome)'s row on if it is still
    `sending`, writes its deliveries and adds its attempt to the breaker's window; returns
    the pairs applied, in claim id order (the order their rows are locked in)."""
    pairs = sorted(pairs, key=lambda pair: pair[1].claim.id)
    if connection.vendor == "postgresql":
        applied_ids = bulk.record_rows(
            [_row_values(outcome, target.channel.pk) for target, outcome in pairs],
            [delivery for _, outcome in pairs for delivery in outcome.deliveries],
        )
        return [pair for pair in pairs if pair[1].claim.id in applied_ids]
    applied = [pair for pair in pairs if _apply_one(pair[1])]
    _save_deliveries([delivery for _, outcome in applied for delivery in outcome.deliveries])
    safety.attempts_record(applied)
    return applied


def _apply_early_statuses(target: Recorder, applied: list[Outcome]) -> None:
    """Provider statuses that arrived before these deliveries were written apply now."""
    if not StatusReceipt.objects.filter(channel_id=target.channel.pk).exists():
        return  # the usual case: providers answer after the write, one cheap look
    message_ids = {
        delivery.provider_message_id
        for outcome in applied
        for delivery in outcome.deliveries
        if delivery.provider_message_id
    }
    if message_ids:
        status_receipts_apply(channel=target.channel, provider_message_ids=message_ids)


def _save_deliveries(deliveries: list) -> None:
    """SQLite: what bulk.record_rows writes of the deliveries on PostgreSQL."""
    Delivery.objects.bulk_create(
        [
            Delivery(**{name: getattr(row, name) for name in bulk.DELIVERY_COLUMNS})
            for row in deliveries
        ],
        update_conflicts=True,
        unique_fields=["campaign_contact", "position"],
        update_fields=DELIVERY_FIELDS,
    )


def _relax_durability() -> None:
    """Outcome writes need not wait for the disk: if the database loses one in a crash,
    the rows are still `sending` and end as "outcome unknown", never sent again. (Claims,
    which guard against a second send, always commit durably.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _row_values(outcome: Outcome, channel_id: int | None = None) -> tuple:
    """(id, status, error, sent_at, provider_message_id, delivery_status, next_attempt_at,
    next_step_at, release_slot, step_end, skip_reason, channel_id, finished_at,
    attempt_kind) of one outcome (bulk.ROW_COLUMNS).

    `sent_at` is when a message of this claim was last accepted (None keeps the row's);
    a step that ends before a follow-up leaves the row pending with `next_step_at`. The
    last three are the attempt the breaker counts (no kind: none).
    """
    sent = outcome.status == ContactStatus.SENT
    reached = sent or outcome.accepted_any
    return (
        outcome.claim.id,
        outcome.status,
        outcome.error or None,
        outcome.finished_at if reached else None,
        outcome.provider_message_id if reached else "",
        "sent" if reached else "",
        outcome.next_attempt_at,
        outcome.next_step_at,
        outcome.returns_slot,
        outcome.next_step_at is not None,
        outcome.skip_reason,
        channel_id,
        outcome.finished_at,
        safety.attempt_kind(outcome),
    )


def _apply_one(outcome: Outcome) -> bool:
    """SQLite: what bulk.record_rows does to the contact row on PostgreSQL."""
    values = _row_values(outcome)
    pk, status, error, sent_at, provider_id, delivery_status, next_at, next_step_at = values[:8]
    release, step_end, skip = values[8:11]
    fields = {"status": status, "error": error, "next_attempt_at": next_at, "skip_reason": skip}
    if sent_at is not None:
        fields.update(
            sent_at=sent_at, provider_message_id=provider_id, delivery_status=delivery_status
        )
    if status == ContactStatus.PENDING:
        fields["claimed_at"] = None
        if step_end:
            fields.update(next_step_at=next_step_at, attempts=0)
    else:
        fields["next_step_at"] = None
    if release:
        fields["counted_on"] = None
    return bool(
        CampaignContact.objects.filter(pk=pk, status=ContactStatus.SENDING).update(**fields)
    )


def _move_counters(
    target: Recorder, *, sent: int, failed: int, retried: int, skipped: int = 0
) -> None:
    if sent or failed or skipped:
        Campaign.objects.filter(pk=target.campaign_id).update(
            pending_count=F("pending_count") - sent - failed - skipped,
            sent_count=F("sent_count") + sent,
            failed_count=F("failed_count") + failed,
            skipped_count=F("skipped_count") + skipped,
        )
    if retried:
        # Not accepted: the slots go back, to the day they were taken from.
        Campaign.objects.filter(pk=target.campaign_id, today_date=target.day).update(
            today_attempted=F("today_attempted") - retried
        )
        ChannelDay.objects.filter(pk=target.channel_day_id).update(
            attempted=F("attempted") - retried
        )


def end_replied_steps(outcomes) -> set[int]:
    """A contact who replied while a step was being sent gets no follow-up (stop_on_reply):
    its row ends as sent instead of waiting. Returns the ids that ended (the callers count
    them as sent with the rest of the flush)."""
    waiting = [o.claim.id for o in outcomes if o.next_step_at is not None]
    if not waiting:
        return set()
    rows = CampaignContact.objects.filter(
        pk__in=waiting,
        status=ContactStatus.PENDING,
        replied_at__isnull=False,
        campaign__stop_on_reply=True,
    )
    ended = set(rows.values_list("pk", flat=True))
    if ended:
        CampaignContact.objects.filter(pk__in=ended).update(
            status=ContactStatus.SENT, next_step_at=None, next_attempt_at=None
        )
    return ended


def _look_again_by(campaign_id: int, outcomes: list[Outcome]) -> None:
    """A retry or a follow-up may be due before the campaign's planned next look."""
    retry_at = min(
        (
            o.next_attempt_at
            for o in outcomes
            if o.status == ContactStatus.PENDING and o.next_attempt_at
        ),
        default=None,
    )
    if retry_at is not None:
        Campaign.objects.filter(pk=campaign_id, next_send_at__gt=retry_at).update(
            next_send_at=retry_at
        )


def reap_stale_claims(now: datetime, limit: int = 500) -> int:
    """Fails claims left `sending` past the timeout: the worker died mid-send."""
    cutoff = now - timedelta(seconds=config.claim_timeout_seconds())
    stale = list(
        CampaignContact.objects.filter(status=ContactStatus.SENDING, claimed_at__lt=cutoff)
        .select_related("campaign")
        .order_by("claimed_at")[:limit]
    )
    return sum(_reap(row, now) for row in stale)


def _reap(row: CampaignContact, now: datetime) -> bool:
    error = (
        f"{UNKNOWN_PREFIX}the worker stopped while sending "
        f"(claimed at {row.claimed_at.isoformat()}); not retried."
    )
    with transaction.atomic():
        failed = CampaignContact.objects.filter(
            pk=row.pk, status=ContactStatus.SENDING, claimed_at=row.claimed_at
        ).update(status=ContactStatus.FAILED, next_step_at=None, error=error)
        if not failed:
            return False
        reaped_emit(row, error, now)  # webhooks out
        Campaign.objects.filter(pk=row.campaign_id).update(
            pending_count=F("pending_count") - 1, failed_count=F("failed_count") + 1
        )
        day = row.claimed_at.astimezone(campaign_tz(row.campaign)).date()
        count_on_day(row.campaign_id, day, failed=1)
        complete_if_done(row.campaign_id, now)
    logger.warning(
        "campaign=%s contact=%s failed: claim abandoned since %s, outcome unknown",
        row.campaign_id,
        row.contact_id,
        row.claimed_at.isoformat(),
    )
    return True
