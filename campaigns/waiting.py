"""Why a campaign is not sending right now, and when its next message should go.

One answer for the API (`waiting_reason`, `next_send_at`) and the dashboard's words
(campaigns/next_step.py). What the clock and the stored counters decide is read here
(the send window, today's limit, a pause); what only the send cycle knows (the number's
shared cap, a provider's back-off, nothing due yet) it stores in
`Campaign.waiting_reason` with the moment it looks again (`Campaign.next_send_at`).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from campaigns import progress
from campaigns.engine.windows import day_window, next_opening
from campaigns.models import Campaign, CampaignStatus, PausedBy, WaitingReason

# What only the cycle can tell; it holds until the cycle's next look.
CYCLE_REASONS = frozenset(
    {
        WaitingReason.CHANNEL_LIMIT_REACHED,
        WaitingReason.PROVIDER_BACKOFF,
        WaitingReason.NOTHING_DUE,
    }
)


@dataclass(frozen=True)
class Waiting:
    reason: str | None  # a WaitingReason value; None while sending (or when over)
    next_send_at: datetime | None


def waiting(campaign: Campaign, now: datetime) -> Waiting:
    status = campaign.status
    if status == CampaignStatus.PAUSED:
        if campaign.paused_by == PausedBy.SAFETY:
            return Waiting(WaitingReason.SAFETY_PAUSED.value, None)
        return Waiting(WaitingReason.PAUSED.value, None)
    if status != CampaignStatus.RUNNING or campaign.pending_count == 0:
        return Waiting(None, None)
    zone = ZoneInfo(campaign.timezone or "UTC")
    start, end = campaign.send_window_start, campaign.send_window_end
    if progress.remaining_today(campaign, now) == 0:
        opens = next_opening(now, zone, start, end, after_today=True)
        look = campaign.next_send_at
        if look is not None and now < look < opens:  # someone already counted today is due
            return Waiting(WaitingReason.DAILY_LIMIT_REACHED.value, look)
        return Waiting(WaitingReason.DAILY_LIMIT_REACHED.value, opens)
    if not day_window(now.astimezone(zone).date(), zone, start, end).is_open(now):
        return Waiting(WaitingReason.OUTSIDE_WINDOW.value, next_opening(now, zone, start, end))
    look = campaign.next_send_at
    if look is None or look <= now:
        return Waiting(None, now)  # due: the next cycle sends
    if campaign.waiting_reason in CYCLE_REASONS:
        return Waiting(str(campaign.waiting_reason), look)
    return Waiting(WaitingReason.PACING.value, look)


def waiting_reason(campaign: Campaign, now: datetime) -> str | None:
    return waiting(campaign, now).reason


def next_send_at(campaign: Campaign, now: datetime) -> datetime | None:
    return waiting(campaign, now).next_send_at
