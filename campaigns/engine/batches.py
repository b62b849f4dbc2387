"""One batch of one campaign: claim, send, record, contact after contact.

Everything a batch may do is re-checked against the database at each claim, so a batch
that runs late, twice, or beside others can never exceed a cap or send to anyone twice.
"""

import logging
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, ContactStatus, Delivery
from campaigns.progress import current_daily_limit
from channels.availability import channel_ready, channel_transport
from skylight import metrics
from skylight.observability import log_context

from . import config
from .claims import Claim, Slot, claim_contacts
from .days import campaign_tz, channel_cap, channel_day
from .recording import Recorder
from .sending import Sender
from .windows import day_window, pace_cap

logger = logging.getLogger("skylight.engine")


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0


def batch_slot(campaign: Campaign, now: datetime) -> Slot | None:
    """Today's caps for the campaign as of `now`, or None if it may not send now."""
    if campaign.status != CampaignStatus.RUNNING or not campaign.channel.is_active:
        return None
    if not channel_ready(campaign.channel, now):
        return None  # e.g. its WhatsApp session stopped: wait (channels.availability)
    tz = campaign_tz(campaign)
    today = now.astimezone(tz).date()
    if campaign.today_date != today:
        return None  # the cycle moves the campaign onto its new day first
    window = day_window(
        today, tz, campaign.send_window_start, campaign.send_window_end, config.cycle_seconds()
    )
    if not window.is_open(now):
        return None
    limit = current_daily_limit(campaign)
    day = channel_day(campaign.channel_id, campaign.account.timezone, now)
    return Slot(
        campaign_id=campaign.pk,
        day=today,
        campaign_cap=pace_cap(limit, window.elapsed_fraction(now)),
        channel_day_id=day.pk,
        channel_cap=channel_cap(campaign.channel_id),
    )


def send_batch(campaign_id: int, size: int, now: datetime | None = None) -> BatchResult:
    """Claims, sends and records up to `size` contacts of a running campaign.

    `now` fixes the clock (simulations and `send_cycle --now`); None reads the real clock.
    """
    campaign = Campaign.objects.select_related("channel", "account").filter(pk=campaign_id).first()
    slot = batch_slot(campaign, now or timezone.now()) if campaign else None
    if slot is None:
        return BatchResult()
    with log_context(account_id=campaign.account_id, campaign_id=campaign.pk):
        return send_with_slot(campaign, slot, size, now)


def send_with_slot(
    campaign: Campaign, slot: Slot, size: int, now: datetime | None = None
) -> BatchResult:
    """The claim-send-record loop under the caps in `slot` (the benchmark calls it directly)."""
    result = BatchResult()
    sender = Sender(
        campaign_id=campaign.pk,
        transport=channel_transport(campaign.channel),
        messages=list(campaign.messages.order_by("position")),
        clock=now,
    )
    recorder = Recorder(
        campaign_id=campaign.pk,
        day=slot.day,
        channel_day_id=slot.channel_day_id,
        channel=campaign.channel,
    )
    try:
        _run(slot, sender, recorder, size, result)
    finally:
        recorder.flush()
    logger.info(
        "campaign=%s batch done claimed=%s sent=%s failed=%s retried=%s skipped=%s",
        campaign.pk,
        result.claimed,
        result.sent,
        result.failed,
        result.retried,
        result.skipped,
    )
    return result


class ClaimSizer:
    """How many contacts to claim at once: one, unless sending is nearly instant.

    Claims never cover more than `budget` seconds of sending, so a crash can strand at
    most that much work, and a pause stops sending within it.
    """

    def __init__(self, budget: float = 0.05, most: int = 250):
        self.budget, self.most = budget, most
        self.per_contact: float | None = None

    def observe(self, seconds: float) -> None:
        if self.per_contact is None:
            self.per_contact = seconds
        else:
            self.per_contact = 0.8 * self.per_contact + 0.2 * seconds

    def size(self) -> int:
        if self.per_contact is None:
            return 1
        return max(1, min(self.most, int(self.budget / max(self.per_contact, 1e-6))))


def _run(slot: Slot, sender: Sender, recorder: Recorder, size: int, result: BatchResult):
    gap = config.contact_gap_seconds()
    deadline = time.monotonic() + config.batch_seconds()
    sizer = ClaimSizer()
    queue: deque[Claim] = deque()
    while result.claimed < size or queue:
        if not queue:
            if time.monotonic() > deadline:
                _look_again_soon(slot.campaign_id, sender.now())
                return
            wanted = 1 if gap else min(sizer.size(), size - result.claimed)
            claims = claim_contacts(slot, sender.now(), wanted)
            if not claims:
                return
            result.skipped += sum(claim.opted_out for claim in claims)
            queue.extend(claim for claim in claims if not claim.opted_out)
            result.claimed += len(queue)
            continue
        claim = queue.popleft()
        if gap and result.sent + result.failed + result.retried:
            recorder.flush()
            time.sleep(random.uniform(gap / 4, gap))
        started = time.monotonic()
        outcome = sender.deliver(claim, _already_sent(claim))
        metrics.send_finished(sender.transport.provider, _outcome_name(outcome))
        sizer.observe(time.monotonic() - started)
        recorder.add(outcome)
        if not queue:
            recorder.flush()  # claimed one at a time: record each at once
        if outcome.status == ContactStatus.SENT:
            result.sent += 1
        elif outcome.retried:
            result.retried += 1
        else:
            result.failed += 1


def _outcome_name(outcome) -> str:
    return "retried" if outcome.retried else str(outcome.status)


def _look_again_soon(campaign_id: int, now: datetime) -> None:
    """The batch ran out of time: the next cycle plans what it left, not tomorrow."""
    soon = now + timedelta(seconds=config.cycle_seconds())
    Campaign.objects.filter(pk=campaign_id, next_send_at__gt=soon).update(next_send_at=soon)


def _already_sent(claim: Claim) -> frozenset[int]:
    """Positions accepted on an earlier attempt: a retry resumes after them.

    Acceptance is `sent_at`, which only the engine sets and nothing clears: a provider's
    later "failed" for an accepted message must not make it leave a second time.
    """
    if claim.attempts <= 1:
        return frozenset()
    return frozenset(
        Delivery.objects.filter(campaign_contact_id=claim.id, sent_at__isnull=False).values_list(
            "position", flat=True
        )
    )
