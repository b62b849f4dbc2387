"""One batch of one campaign: its caps for now, and sending it as a one-lane round.

Everything a batch may do is re-checked against the database at each claim, so a batch
that runs late, twice, or beside others can never exceed a cap or send to anyone twice.
"""

import time
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, ChannelDay
from campaigns.progress import current_daily_limit
from channels.availability import channel_ready

from . import config
from .claims import Slot
from .days import campaign_tz, channel_cap, channel_caps_of, channel_date, channel_day
from .windows import day_window, pace_cap


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0

    def add(self, other) -> "BatchResult":
        for name in ("claimed", "sent", "failed", "retried", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def batch_slot(campaign: Campaign, now: datetime) -> Slot | None:
    """Today's caps for the campaign as of `now`, or None if it may not send now."""
    cap = _campaign_cap(campaign, now)
    if cap is None:
        return None
    day = channel_day(campaign.channel_id, campaign.account.timezone, now)
    return Slot(
        campaign_id=campaign.pk,
        day=cap[0],
        campaign_cap=cap[1],
        channel_day_id=day.pk,
        channel_cap=channel_cap(campaign.channel_id),
        cooldown_days=campaign.account.contact_cooldown_days,
    )


def batch_slots(campaigns: list[Campaign], now: datetime) -> dict[int, Slot]:
    """`batch_slot` for many campaigns in a few statements (a round's lanes)."""
    caps = {c.pk: cap for c in campaigns if (cap := _campaign_cap(c, now)) is not None}
    sending = [c for c in campaigns if c.pk in caps]
    dates = {c.pk: channel_date(c.account.timezone, now) for c in sending}
    keys = {(c.channel_id, dates[c.pk]) for c in sending}
    ChannelDay.objects.bulk_create(
        [ChannelDay(channel_id=channel, date=day) for channel, day in keys], ignore_conflicts=True
    )
    days = {
        (row.channel_id, row.date): row.pk
        for row in ChannelDay.objects.filter(
            channel_id__in={key[0] for key in keys}, date__in={key[1] for key in keys}
        ).only("pk", "channel_id", "date")
    }
    channel_caps = channel_caps_of({c.channel_id for c in sending})
    return {
        c.pk: Slot(
            campaign_id=c.pk,
            day=caps[c.pk][0],
            campaign_cap=caps[c.pk][1],
            channel_day_id=days[(c.channel_id, dates[c.pk])],
            channel_cap=channel_caps.get(c.channel_id, 0),
            cooldown_days=c.account.contact_cooldown_days,
        )
        for c in sending
    }


def _campaign_cap(campaign: Campaign, now: datetime) -> tuple[date, int] | None:
    """(local today, attempts allowed by now) if the campaign may send now."""
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
    return today, pace_cap(current_daily_limit(campaign), window.elapsed_fraction(now))


def send_batch(campaign_id: int, size: int, now: datetime | None = None) -> BatchResult:
    """Claims, sends and records up to `size` contacts of a running campaign.

    `now` fixes the clock (simulations and `send_cycle --now`); None reads the real clock.
    """
    from .planning import Batch
    from .rounds import send_round

    lanes = send_round([Batch(campaign_id=campaign_id, size=size, now=now or timezone.now())], now)
    return sum_results(lanes)


def send_with_slot(
    campaign: Campaign, slot: Slot, size: int, now: datetime | None = None
) -> BatchResult:
    """One lane under the caps in `slot` (the benchmark calls it directly)."""
    from .lane import Lane
    from .round_recording import RoundRecorder
    from .rounds import drive

    outcomes = RoundRecorder()
    deadline = time.monotonic() + config.batch_seconds()
    lane = Lane(campaign, size, now, deadline, slot=slot, outcomes=outcomes)
    drive([lane], outcomes)
    return sum_results([lane])


def sum_results(lanes) -> BatchResult:
    total = BatchResult()
    for lane in lanes:
        total.add(lane.result)
    return total
