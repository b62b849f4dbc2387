"""Why a campaign is not sending right now, and when its next message should go.

The send cycle stores what only it can know (`Campaign.waiting_reason`: the number's
cap, pacing, a provider's back-off, nothing due); a pause is read from the status.
"""

from campaigns.models import Campaign, CampaignStatus, PausedBy, WaitingReason


def waiting_reason(campaign: Campaign, now) -> str | None:
    if campaign.status == CampaignStatus.PAUSED:
        if campaign.paused_by == PausedBy.SAFETY:
            return WaitingReason.SAFETY_PAUSED.value
        return WaitingReason.PAUSED.value
    if campaign.status != CampaignStatus.RUNNING:
        return None
    return campaign.waiting_reason or None


def next_send_at(campaign: Campaign, now):
    if campaign.status != CampaignStatus.RUNNING:
        return None
    return campaign.next_send_at
