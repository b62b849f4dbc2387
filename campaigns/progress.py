"""Figures derived from a campaign's stored counters and the daily-limit policy.

Shared by the API, the dashboard and the send engine so they always agree.
"""

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.limits import daily_limit


def local_today(campaign, now: datetime | None = None) -> date:
    """Today's date in the campaign's timezone."""
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(campaign.timezone)).date()


def current_daily_limit(campaign) -> int:
    """The limit for the campaign's current day (day 1's before it starts)."""
    return daily_limit(campaign.campaign_day, campaign.is_new_number, campaign.total_contacts)


def messages_sent_today(campaign, now: datetime | None = None) -> int:
    """Contacts attempted today (local); resets at the campaign's local midnight."""
    if campaign.today_date is None or campaign.today_date != local_today(campaign, now):
        return 0
    return campaign.today_attempted


def remaining_today(campaign, now: datetime | None = None) -> int:
    if campaign.status in ("completed", "cancelled"):
        return 0
    return max(0, current_daily_limit(campaign) - messages_sent_today(campaign, now))


def progress_percentage(campaign) -> int:
    if not campaign.total_contacts:
        return 0
    done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
    return math.floor(100 * done / campaign.total_contacts)
