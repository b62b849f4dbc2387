"""What happens next for a campaign, in words: when the next message may go and, when
nothing is being sent, why.

Computed from what the campaign already stores (status, window, today's count and the
engine's `next_send_at`). The sender-safety work adds an engine-written `waiting_reason`
(the number's shared capacity, provider back-off...): when the model has it, it wins
here, so only `_reason_of` changes then.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from campaigns import progress
from campaigns.engine.windows import day_window, next_opening
from campaigns.models import CampaignStatus


@dataclass(frozen=True)
class NextStep:
    """`at` is when the next message may go (UTC), or None; `reason` says why not now."""

    at: datetime | None
    reason: str
    sending: bool


def next_step(campaign, now: datetime | None = None) -> NextStep | None:
    """None once the campaign is over (completed or cancelled)."""
    now = now or datetime.now(UTC)
    status = campaign.status
    if status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        return None
    if status == CampaignStatus.DRAFT:
        return NextStep(None, "Not started: nothing is sent until you press Start.", False)
    if status == CampaignStatus.PAUSED:
        return NextStep(None, "Paused: nothing is sent until you resume.", False)
    engine_reason = getattr(campaign, "waiting_reason", "")  # the seam (see module doc)
    zone = ZoneInfo(campaign.timezone)
    start, end = campaign.send_window_start, campaign.send_window_end
    if progress.remaining_today(campaign, now) == 0:
        opens = next_opening(now, zone, start, end, after_today=True)
        limit = progress.current_daily_limit(campaign)
        reason = engine_reason or f"Today's limit of {limit} is reached: sending resumes tomorrow."
        return NextStep(opens, reason, False)
    today = now.astimezone(zone).date()
    if not day_window(today, zone, start, end).is_open(now):
        opens = next_opening(now, zone, start, end)
        return NextStep(opens, engine_reason or "Outside the send window.", False)
    at = campaign.next_send_at if campaign.next_send_at and campaign.next_send_at > now else now
    reason = engine_reason or "Sending: messages are spread across the window."
    return NextStep(at, reason, True)
