"""Engine test helpers: campaigns started at a simulated moment, and a simulated clock."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns.engine import run_cycle, send_round
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_start
from contacts.models import Contact
from tests.factories import make_channel, make_contacts

HELLO = [{"type": "text", "content": "{Hi|Hello} {{first_name|there}}, news for {{phone}}"}]


def start_campaign(
    account,
    *,
    contacts: int | list[Contact],
    at: datetime,
    channel=None,
    messages=None,
    **fields,
) -> Campaign:
    """Creates and starts a campaign with the services, as if started at `at`."""
    channel = channel or make_channel(account)
    people = make_contacts(account, contacts) if isinstance(contacts, int) else contacts
    campaign = campaign_create(
        account=account,
        name="Engine test",
        channel=channel,
        messages=messages or HELLO,
        contact_ids=[person.pk for person in people],
        **fields,
    )
    campaign = campaign_start(campaign=campaign)
    tz = ZoneInfo(campaign.timezone)
    Campaign.objects.filter(pk=campaign.pk).update(
        started_at=at, last_active_date=at.astimezone(tz).date(), next_send_at=None
    )
    campaign.refresh_from_db()
    return campaign


def inline(planned) -> None:
    """Sends a planned round in this process, as a worker would."""
    send_round(list(planned.batches), now=planned.now)


def cycle(now: datetime):
    return run_cycle(now, enqueue=inline)


def ticks(day_start: datetime, window=(time(0), None), step_minutes: int = 30):
    """Moments of one local day: every `step` minutes from an hour before the window opens,
    and every minute of the window's last ten (where the pacing curve reaches the limit)."""
    tz = day_start.tzinfo
    opens = datetime.combine(day_start.date(), window[0], tzinfo=tz)
    close = datetime.combine(day_start.date(), window[1] or time(0), tzinfo=tz)
    if close <= day_start:
        close += timedelta(days=1)
    moments = set()
    moment = max(day_start, opens - timedelta(hours=1))
    while moment < day_start + timedelta(days=1):
        moments.add(moment)
        moment += timedelta(minutes=step_minutes)
    for minute in range(1, 11):
        moments.add(close - timedelta(minutes=minute))
    return sorted(m.astimezone(UTC) for m in moments)


def run_days(first_day: datetime, days: int, window=(time(0), None), step_minutes: int = 30):
    for offset in range(days):
        for now in ticks(first_day + timedelta(days=offset), window, step_minutes):
            cycle(now)


def assert_counters_match(campaign: Campaign) -> None:
    """The stored counters equal a recount of the contact rows."""
    from django.db.models import Count

    from campaigns.models import CampaignContact

    campaign.refresh_from_db()
    counts = dict(
        CampaignContact.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    assert campaign.total_contacts == sum(counts.values())
    assert campaign.pending_count == counts.get("pending", 0) + counts.get("sending", 0)
    assert campaign.sent_count == counts.get("sent", 0)
    assert campaign.failed_count == counts.get("failed", 0)
    assert campaign.skipped_count == counts.get("skipped", 0)


def assert_report_totals_are_the_counters(totals: dict, campaign: Campaign) -> None:
    """A report's sent, failed and skipped totals equal the campaign's stored counters."""
    assert (totals["sent"], totals["failed"], totals["skipped"]) == (
        campaign.sent_count,
        campaign.failed_count,
        campaign.skipped_count,
    )
