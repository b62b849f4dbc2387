"""What happens next for a campaign, in words: when the next message may go and, when
nothing is being sent, why (the same answer as the API's `waiting_reason` and
`next_send_at`, from campaigns/waiting.py)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from campaigns import progress
from campaigns.models import CampaignStatus, WaitingReason
from campaigns.waiting import waiting


@dataclass(frozen=True)
class NextStep:
    """`at` is when the next message may go (UTC), or None; `reason` says why not now."""

    at: datetime | None
    reason: str
    sending: bool
    code: str | None = None  # the API's waiting_reason


def _words(code: str, campaign) -> str:
    if code == WaitingReason.DAILY_LIMIT_REACHED:
        limit = progress.current_daily_limit(campaign)
        return _("Today's limit of %(limit)s people is reached: sending resumes tomorrow.") % {
            "limit": limit
        }
    return {
        WaitingReason.OUTSIDE_WINDOW: _("Outside the send window."),
        WaitingReason.CHANNEL_LIMIT_REACHED: _(
            "The number's daily cap is used by its other campaigns: sending resumes tomorrow."
        ),
        WaitingReason.PACING: _("Sending: messages are spread across the window."),
        WaitingReason.PROVIDER_BACKOFF: _(
            "The provider asked the number to wait, or the number is not connected."
        ),
        WaitingReason.NOTHING_DUE: _("Waiting for follow-ups and retries to be due."),
    }[code]


def next_step(campaign, now: datetime | None = None) -> NextStep | None:
    """None once the campaign is over (completed or cancelled)."""
    now = now or datetime.now(UTC)
    status = campaign.status
    if status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        return None
    if status == CampaignStatus.DRAFT:
        return NextStep(None, _("Not started: nothing is sent until you press Start."), False)
    state = waiting(campaign, now)
    if state.reason == WaitingReason.SAFETY_PAUSED:
        reason = _("Paused by sender safety: %(reason)s Resume when you have checked.") % {
            "reason": campaign.pause_reason or _("the number's sends were failing.")
        }
        return NextStep(None, reason, False, state.reason)
    if state.reason == WaitingReason.PAUSED:
        return NextStep(None, _("Paused: nothing is sent until you resume."), False, state.reason)
    if state.reason is None or state.reason == WaitingReason.PACING:
        at = state.next_send_at or now
        return NextStep(at, _words(WaitingReason.PACING, campaign), True, state.reason)
    return NextStep(state.next_send_at, _words(state.reason, campaign), False, state.reason)
