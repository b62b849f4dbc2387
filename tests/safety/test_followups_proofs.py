"""Follow-ups under the product's promises, on PostgreSQL with real processes and real
HTTP to the webhook gateway fake: issue 11's 90-contact scenario, several send-cycle
processes at once, a worker killed mid-batch, and a long simulated run."""

import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest

from campaigns.models import Campaign, CampaignContact, Delivery
from channels.webhooks.apply import events_apply
from channels.webhooks.events import InboundEvent
from tests.engine.helpers import assert_counters_match, cycle, run_days, start_campaign
from tests.engine.processes import finish, manage
from tests.factories import make_channel, make_contacts
from tests.safety.helpers import people_by_day

DAY1 = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
WINDOW = (clock(9), clock(17))
SEQUENCE = [
    {"type": "text", "content": "Hello {{first_name}}"},
    {"type": "text", "content": "Following up on our offer", "delay_hours": 20},
]
FOLLOW_UP = SEQUENCE[1]["content"]


@pytest.fixture(autouse=True)
def _no_gaps(settings):
    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    settings.SKYLIGHT_CONTACT_GAP_SECONDS = 0


def gateway_campaign(account, gateway, contacts, **fields):
    channel = make_channel(account, provider="webhook", config=gateway.channel_config())
    return start_campaign(
        account, contacts=contacts, at=DAY1, channel=channel, messages=SEQUENCE, **fields
    )


def received(gateway) -> list[tuple[str, str]]:
    """(recipient, text) of every request the fake gateway received."""
    return [
        (request.json()["recipient"], request.json()["message"]["content"])
        for request in gateway.requests
    ]


def assert_nothing_twice(gateway) -> None:
    twice = [item for item, n in Counter(received(gateway)).items() if n > 1]
    assert not twice, twice[:3]


def test_ninety_contacts_a_reply_and_a_twenty_hour_follow_up(alice, fake_gateway):
    """Issue 11's acceptance: day 1 reaches 30 people; one replies before day 2; day 2
    gives the other 29 their follow-up and reaches no more than 30 people in all."""
    fake_gateway.always("ok")
    people = make_contacts(alice, 90)  # daily limit min(35, ceil(90 / 3)) = 30
    campaign = gateway_campaign(
        alice, fake_gateway, people, send_window={"start": WINDOW[0], "end": WINDOW[1]}
    )
    run_days(DAY1, 1, window=WINDOW)

    day1 = people_by_day(campaign)[DAY1.date()]
    assert len(day1) == 30
    assert sum(1 for _, text in received(fake_gateway) if text == FOLLOW_UP) == 0

    replier = next(person for person in people if person.pk in day1)
    events_apply(
        channel=campaign.channel, events=[InboundEvent(sender=replier.phone, text="Interested")]
    )
    run_days(DAY1 + timedelta(days=1), 1, window=WINDOW)

    day2 = people_by_day(campaign)[(DAY1 + timedelta(days=1)).date()]
    follow_ups = {to for to, text in received(fake_gateway) if text == FOLLOW_UP}
    assert follow_ups == {person.phone for person in people if person.pk in day1 - {replier.pk}}
    assert replier.phone not in follow_ups
    assert len(day2) <= 30 and day1 - {replier.pk} <= day2
    campaign.refresh_from_db()
    assert campaign.replied_count == 1
    assert_nothing_twice(fake_gateway)
    assert_counters_match(campaign)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_send_cycle_processes_with_follow_ups_send_nothing_twice(alice, fake_gateway):
    fake_gateway.always("ok", delay=0.01)
    campaign = gateway_campaign(alice, fake_gateway, 90)  # 30 people a day
    for day in (1, 2, 3):
        first = f"2027-03-0{day}T00:59:30+00:00"
        args = ["send_cycle", "--now", first, "--repeat", "24", "--step", "3600"]
        env = {"SKYLIGHT_SEND_BATCH_SIZE": "3", "SKYLIGHT_CLAIM_TIMEOUT_SECONDS": "172800"}
        workers = [manage(*args, **env) for _ in range(4)]
        for worker in workers:
            finish(worker)

    assert_nothing_twice(fake_gateway)
    by_day = people_by_day(campaign)
    assert all(len(people) <= 30 for people in by_day.values()), {
        day: len(people) for day, people in by_day.items()
    }
    assert sum(1 for _, text in received(fake_gateway) if text == FOLLOW_UP) > 0
    assert not CampaignContact.objects.filter(campaign=campaign, status="sending").exists()
    assert_counters_match(campaign)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_with_follow_ups_sends_nothing_twice(alice, fake_gateway):
    fake_gateway.always("ok", delay=0.4)
    campaign = gateway_campaign(alice, fake_gateway, 30)  # 10 people a day
    worker = manage("send_cycle", "--now", "2027-03-01T23:59:30+00:00")
    deadline = time.monotonic() + 60
    while len(fake_gateway.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    time.sleep(0.5)

    fake_gateway.always("ok")
    for day in range(1, 8):
        for hour in (0, 6, 12, 18):
            cycle(DAY1 + timedelta(days=day, hours=hour, minutes=20))
        cycle(DAY1 + timedelta(days=day, hours=23, minutes=59, seconds=30))

    assert_nothing_twice(fake_gateway)
    rows = list(CampaignContact.objects.filter(campaign=campaign))
    assert all(row.status in ("sent", "failed") for row in rows)
    unknown = [row for row in rows if row.status == "failed"]
    assert len(unknown) <= 1 and all(row.error.startswith("outcome unknown") for row in unknown)
    for row in rows:
        if row.status == "sent":
            assert Delivery.objects.filter(campaign_contact=row, sent_at__isnull=False).count() == 2
    assert all(len(people) <= 10 for people in people_by_day(campaign).values())
    assert_counters_match(campaign)
    campaign.refresh_from_db()
    assert campaign.status == "completed"


def test_a_long_run_with_follow_ups_keeps_every_day_under_the_limit(alice):
    campaign = start_campaign(
        alice,
        contacts=300,
        at=DAY1,
        messages=SEQUENCE,
        send_window={"start": WINDOW[0], "end": WINDOW[1]},
    )
    run_days(DAY1, 14, window=WINDOW)

    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.sent_count == 300
    by_day = people_by_day(campaign)
    limits = {day.date: day.daily_limit for day in campaign.days.all()}
    assert all(len(people) <= limits[day] for day, people in by_day.items())
    for row in CampaignContact.objects.filter(campaign=campaign):
        first, second = Delivery.objects.filter(campaign_contact=row).order_by("position")
        assert second.sent_at - first.sent_at >= timedelta(hours=20)
    assert_counters_match(campaign)
    assert not Campaign.objects.filter(pk=campaign.pk, pending_count__gt=0).exists()
