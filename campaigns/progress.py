"""Figures derived from a campaign's stored counters and the daily-limit policy.

Shared by the API, the dashboard and the send engine so they always agree.
"""

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.limits import daily_limit, days_to_finish


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


def estimated_completion_date(campaign, now: datetime | None = None) -> date | None:
    """The local day the last contact should be reached, following the daily-limit schedule.

    Drafts are assumed to start today; paused and cancelled campaigns have no estimate
    (nobody knows when, or whether, they resume).
    """
    if campaign.status == "completed":
        return (
            campaign.completed_at
            and campaign.completed_at.astimezone(ZoneInfo(campaign.timezone)).date()
        )
    if campaign.status not in ("draft", "running"):
        return None
    today = local_today(campaign, now)
    first_day, done_before_today = 1, 0
    if campaign.status == "running":
        counted_today = campaign.last_active_date == today
        first_day = max(campaign.campaign_day, 1) + (0 if counted_today else 1)
        done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
        done_before_today = done - messages_sent_today(campaign, now)
    days = days_to_finish(
        campaign.is_new_number, campaign.total_contacts, first_day, done_before_today
    )
    return today + timedelta(days=max(days, 1) - 1)
