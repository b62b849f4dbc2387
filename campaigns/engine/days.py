"""Per-day bookkeeping: the campaign's local day, CampaignDay rows, the shared channel day.

A channel's day is counted in its account's timezone: every campaign sharing the number
belongs to that account, so they all draw from one ChannelDay row per day.
"""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import F

from campaigns.limits import daily_limit
from campaigns.models import Campaign, CampaignDay, CampaignStatus, ChannelDay
from campaigns.progress import current_daily_limit
from campaigns.webhook_events import campaigns_emit

logger = logging.getLogger("skylight.engine")


def campaign_tz(campaign: Campaign) -> ZoneInfo:
    return ZoneInfo(campaign.timezone or "UTC")


def roll_day(campaign: Campaign, today: date) -> None:
    """Moves a locked, running campaign onto local `today`.

    A later local day on which the campaign runs adds one to `campaign_day` (days spent
    paused are never visited, so they never count); the day's attempts restart at zero.
    """
    if campaign.today_date == today:
        return
    if campaign.last_active_date is None or campaign.campaign_day < 1:
        campaign.campaign_day = max(campaign.campaign_day, 1)
    elif campaign.last_active_date < today:
        campaign.campaign_day += 1
    campaign.last_active_date = max(campaign.last_active_date or today, today)
    campaign.today_date = today
    campaign.today_attempted = 0
    Campaign.objects.filter(pk=campaign.pk).update(
        campaign_day=campaign.campaign_day,
        last_active_date=campaign.last_active_date,
        today_date=today,
        today_attempted=0,
    )
    CampaignDay.objects.get_or_create(
        campaign=campaign,
        date=today,
        defaults={
            "day_number": campaign.campaign_day,
            "daily_limit": current_daily_limit(campaign),
        },
    )
    logger.info(
        "campaign=%s day=%s date=%s daily_limit=%s new local day",
        campaign.pk,
        campaign.campaign_day,
        today,
        current_daily_limit(campaign),
    )


def channel_date(account_timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(account_timezone or "UTC")).date()


def channel_day(channel_id: int, account_timezone: str, now: datetime) -> ChannelDay:
    day, _ = ChannelDay.objects.get_or_create(
        channel_id=channel_id, date=channel_date(account_timezone, now)
    )
    return day


def channel_cap(channel_id: int) -> int:
    """The highest daily limit among the running campaigns on the channel."""
    rows = Campaign.objects.filter(channel_id=channel_id, status=CampaignStatus.RUNNING)
    return max(
        (
            daily_limit(day, is_new, total)
            for day, is_new, total in rows.values_list(
                "campaign_day", "is_new_number", "total_contacts"
            )
        ),
        default=0,
    )


def channel_caps_of(channel_ids) -> dict[int, int]:
    """`channel_cap` of many channels in one statement."""
    caps: dict[int, int] = {}
    rows = Campaign.objects.filter(channel_id__in=channel_ids, status=CampaignStatus.RUNNING)
    for channel_id, day, is_new, total in rows.values_list(
        "channel_id", "campaign_day", "is_new_number", "total_contacts"
    ):
        caps[channel_id] = max(caps.get(channel_id, 0), daily_limit(day, is_new, total))
    return caps


def complete_if_done(campaign_id: int, now: datetime) -> bool:
    """running -> completed once no contact is pending or being sent."""
    done = Campaign.objects.filter(
        pk=campaign_id, status=CampaignStatus.RUNNING, pending_count=0
    ).update(status=CampaignStatus.COMPLETED, completed_at=now, next_send_at=None)
    if done:
        logger.info("campaign=%s completed", campaign_id)
        campaigns_emit([campaign_id], "campaign.completed")  # webhooks out
    return bool(done)


def count_on_day(campaign_id: int, day: date, *, sent: int = 0, failed: int = 0) -> None:
    """Adds recorded outcomes to the campaign's chart row for local `day`."""
    if sent or failed:
        CampaignDay.objects.filter(campaign_id=campaign_id, date=day).update(
            attempted=F("attempted") + sent + failed,
            sent=F("sent") + sent,
            failed=F("failed") + failed,
        )
