"""Figures derived from a campaign's stored counters and the daily-limit policy.

Shared by the API, the dashboard and the send engine so they always agree.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.limits import daily_limit, days_to_finish, schedule
from campaigns.models import CampaignStatus


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
    if campaign.is_finished:
        return 0
    return max(0, current_daily_limit(campaign) - messages_sent_today(campaign, now))


def progress_percentage(campaign) -> int:
    if not campaign.total_contacts:
        return 0
    done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
    return math.floor(100 * done / campaign.total_contacts)


@dataclass(frozen=True)
class Projection:
    """The days still needed to reach every contact under the warm-up limits.

    The one projection behind the API's `estimated_completion_date`, the dashboard's
    schedule and the planned bars of its chart. Days are computed lazily: a million
    contacts at 200 a day is thousands of days, and most readers want a few, or the last.
    """

    is_new_number: bool
    total_contacts: int
    today: date
    first_day: int
    already_done: int
    share: int = 1  # campaigns sending through the same number (this one included)

    def days(self, limit: int | None = None) -> list[dict]:
        """The first `limit` days: `{"day": campaign day, "date", "contacts"}` each."""
        plan = schedule(
            self.is_new_number, self.total_contacts, self.first_day, self.already_done, self.share
        )
        return [
            {"day": day, "date": self.today + timedelta(days=offset), "contacts": contacts}
            for offset, (day, contacts) in enumerate(islice(plan, limit))
        ]

    @property
    def day_count(self) -> int:
        return days_to_finish(
            self.is_new_number, self.total_contacts, self.first_day, self.already_done, self.share
        )

    @property
    def completion_date(self) -> date:
        return self.today + timedelta(days=max(self.day_count, 1) - 1)


def projection(campaign, now: datetime | None = None) -> Projection | None:
    """What is left of the campaign, as if it keeps sending from today; None when nothing
    is planned: completed, cancelled, or paused (nobody knows when, or whether, it resumes).

    A draft is assumed to start today; a running campaign continues from its current day,
    with today's contacts already reached counted as done.
    """
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.RUNNING):
        return None
    today = local_today(campaign, now)
    first_day, done_before_today = 1, 0
    if campaign.status == CampaignStatus.RUNNING:
        counted_today = campaign.last_active_date == today
        first_day = max(campaign.campaign_day, 1) + (0 if counted_today else 1)
        done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
        done_before_today = done - messages_sent_today(campaign, now)
    # Other running campaigns on the number share its daily cap (annotated by
    # selectors.campaign_queryset; a campaign read elsewhere is projected alone).
    share = 1 + int(getattr(campaign, "number_shared_with", 0) or 0)
    return Projection(
        campaign.is_new_number,
        campaign.total_contacts,
        today,
        first_day,
        done_before_today,
        share,
    )


def estimated_completion_date(campaign, now: datetime | None = None) -> date | None:
    """The local day the last contact should be reached (the day it was, once completed)."""
    if campaign.status == CampaignStatus.COMPLETED:
        return (
            campaign.completed_at
            and campaign.completed_at.astimezone(ZoneInfo(campaign.timezone)).date()
        )
    planned = projection(campaign, now)
    return planned.completion_date if planned else None
