"""A number's usage: today's people against its cap, its warm-up day, the last 30 days,
its health and the running campaigns that share it (`GET /channels/{id}/usage`, and the
dashboard's channel page).

It lives in campaigns because it reads campaigns' tables. Days are the account's local
days, like the shared `ChannelDay` the engine counts in (campaigns/engine/days.py).
Every figure counts people (contacts), not messages: a person sent three messages on a
day is one. Five grouped queries and two small reads, whatever the number's history.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.limits import daily_limit
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    ChannelDay,
    ContactStatus,
    Delivery,
)
from campaigns.progress import messages_sent_today
from contacts.models import Contact

DAYS = 30
DAY_FIGURES = ("sent", "failed", "opted_out", "replied")


@dataclass
class ChannelUsage:
    channel: object
    date: date  # today, in the account's timezone
    timezone: str
    recipients_today: int  # distinct people sent at least one message today
    attempted_today: int  # daily slots used today (the shared ChannelDay)
    cap: int | None  # the number's cap today; None while no campaign runs on it
    warmup_day: int | None  # the campaign day the cap comes from
    days: list[dict] = field(default_factory=list)  # oldest first, DAYS of them
    campaigns: list[dict] = field(default_factory=list)

    @property
    def remaining_today(self) -> int | None:
        if self.cap is None:
            return None
        return max(self.cap - max(self.recipients_today, self.attempted_today), 0)

    @property
    def health(self) -> str:
        return str(self.channel.health)

    @property
    def health_reason(self) -> str | None:
        return self.channel.health_reason or None


def channel_usage(*, channel, now: datetime | None = None) -> ChannelUsage:
    now = now or timezone.now()
    tz_name = channel.account.timezone or "UTC"
    tz = ZoneInfo(tz_name)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=DAYS - 1)
    since = datetime.combine(first, time(0), tzinfo=tz)
    per_day = _per_day(channel, tz, since)
    running = _running(channel, now)
    cap_campaign = max(running, key=lambda c: (c["daily_limit"], c["campaign_day"]), default=None)
    return ChannelUsage(
        channel=channel,
        date=today,
        timezone=tz_name,
        recipients_today=per_day["sent"].get(today, 0),
        attempted_today=ChannelDay.objects.filter(channel=channel, date=today)
        .values_list("attempted", flat=True)
        .first()
        or 0,
        cap=cap_campaign["daily_limit"] if cap_campaign else None,
        warmup_day=cap_campaign["campaign_day"] if cap_campaign else None,
        days=[
            {"date": day, **{key: per_day[key].get(day, 0) for key in DAY_FIGURES}}
            for day in (first + timedelta(days=n) for n in range(DAYS))
        ],
        campaigns=running,
    )


def _by_day(queryset, moment: str, tz: ZoneInfo, person: str) -> dict[date, int]:
    """{local day of `moment`: distinct `person`} of the rows."""
    rows = (
        queryset.annotate(day=TruncDate(moment, tzinfo=tz))
        .values("day")
        .annotate(n=Count(person, distinct=True))
        .order_by()
        .values_list("day", "n")
    )
    return {_as_date(day): n for day, n in rows}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _per_day(channel, tz: ZoneInfo, since: datetime) -> dict[str, dict[date, int]]:
    rows = CampaignContact.objects.filter(campaign__channel=channel)
    sent = Delivery.objects.filter(
        campaign_contact__campaign__channel=channel, sent_at__gte=since
    ).annotate(person=F("campaign_contact__contact_id"))
    opted_out = Contact.objects.filter(
        opted_out=True,
        opted_out_at__gte=since,
        pk__in=rows.filter(sent_at__isnull=False).values("contact_id"),
    )
    return {
        "sent": _by_day(sent, "sent_at", tz, "person"),
        "failed": _by_day(
            rows.filter(status=ContactStatus.FAILED, claimed_at__gte=since),
            "claimed_at",
            tz,
            "contact_id",
        ),
        "opted_out": _by_day(opted_out, "opted_out_at", tz, "pk"),
        "replied": _by_day(rows.filter(replied_at__gte=since), "replied_at", tz, "contact_id"),
    }


def _running(channel, now: datetime) -> list[dict]:
    """The running campaigns on the number with their limit and use today."""
    rows = Campaign.objects.filter(channel=channel, status=CampaignStatus.RUNNING).order_by("id")
    return [
        {
            "id": campaign.pk,
            "name": campaign.name,
            "campaign_day": max(campaign.campaign_day, 1),
            "is_new_number": campaign.is_new_number,
            "daily_limit": daily_limit(
                campaign.campaign_day, campaign.is_new_number, campaign.total_contacts
            ),
            "today_attempted": messages_sent_today(campaign, now),
            "pending": campaign.pending_count,
        }
        for campaign in rows.only(
            "id",
            "name",
            "campaign_day",
            "is_new_number",
            "total_contacts",
            "today_attempted",
            "today_date",
            "timezone",
            "pending_count",
        )
    ]
