"""Follow-up steps (delay_hours), the daily limit counting people, and stop-on-reply."""

from datetime import UTC, datetime, time, timedelta

import pytest

from campaigns.models import Campaign, CampaignContact, Delivery
from channels.webhooks.apply import events_apply
from channels.webhooks.events import InboundEvent
from tests.engine.helpers import assert_counters_match, cycle, run_days, start_campaign
from tests.factories import make_channel, make_contacts
from tests.safety.helpers import people_by_day

DAY1 = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
WINDOW = (time(9), time(17))
WITH_FOLLOW_UP = [
    {"type": "text", "content": "Hello {{first_name}}"},
    {"type": "text", "content": "Did you see our offer?", "delay_hours": 20},
]


@pytest.fixture(autouse=True)
def _no_gaps(settings):
    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    settings.SKYLIGHT_CONTACT_GAP_SECONDS = 0
    settings.SKYLIGHT_RETRY_BACKOFF_SECONDS = 60


def windowed(account, contacts, messages=WITH_FOLLOW_UP, **fields):
    return start_campaign(
        account,
        contacts=contacts,
        at=DAY1,
        messages=messages,
        send_window={"start": WINDOW[0], "end": WINDOW[1]},
        **fields,
    )


def positions_of(campaign, contact) -> list[int]:
    return sorted(
        Delivery.objects.filter(
            campaign_contact__campaign=campaign, campaign_contact__contact=contact
        ).values_list("position", flat=True)
    )


def test_a_follow_up_waits_its_delay_and_takes_no_second_slot_the_same_day(alice):
    messages = [WITH_FOLLOW_UP[0], {**WITH_FOLLOW_UP[1], "delay_hours": 2}]
    campaign = start_campaign(alice, contacts=1, at=DAY1, messages=messages)
    nine = DAY1 + timedelta(hours=9)
    cycle(nine)

    row = CampaignContact.objects.get(campaign=campaign)
    assert row.status == "pending" and row.sent_at == nine
    assert row.next_step_at == nine + timedelta(hours=2)
    assert positions_of(campaign, row.contact) == [1]
    campaign.refresh_from_db()
    assert campaign.today_attempted == 1  # its daily limit (1) is used by this person

    cycle(nine + timedelta(hours=1))  # not due yet
    assert positions_of(campaign, row.contact) == [1]
    campaign.refresh_from_db()
    assert campaign.next_send_at == nine + timedelta(hours=2)  # looked at again when due

    cycle(nine + timedelta(hours=2, minutes=1))  # due: the same person, no new slot needed
    row.refresh_from_db()
    assert positions_of(campaign, row.contact) == [1, 2]
    assert row.status == "sent" and row.next_step_at is None
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.today_attempted == 1
    assert_counters_match(campaign)


def test_follow_ups_go_first_and_no_day_reaches_more_people_than_the_limit(alice):
    campaign = windowed(alice, 9)  # daily limit ceil(9 / 3) = 3 people
    run_days(DAY1, 6, window=WINDOW)

    by_day = people_by_day(campaign)
    days = sorted(by_day)
    assert all(len(by_day[day]) <= 3 for day in days), by_day
    assert by_day[days[1]] == by_day[days[0]]  # day 2: the follow-ups of day 1's people
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.sent_count == 9
    for row in CampaignContact.objects.filter(campaign=campaign):
        assert positions_of(campaign, row.contact) == [1, 2]
        first, second = Delivery.objects.filter(campaign_contact=row).order_by("position")
        assert second.sent_at - first.sent_at >= timedelta(hours=20)
        assert time(9) <= second.sent_at.time() <= time(17)  # inside the window
    assert_counters_match(campaign)


def test_a_reply_while_waiting_ends_the_sequence_as_sent(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 3)
    campaign = windowed(alice, people, channel=channel)
    run_days(DAY1, 1, window=WINDOW)
    reached = CampaignContact.objects.get(campaign=campaign, sent_at__isnull=False)
    assert reached.next_step_at is not None

    events_apply(channel=channel, events=[InboundEvent(sender=reached.contact.phone, text="hi")])

    reached.refresh_from_db()
    assert reached.status == "sent" and reached.next_step_at is None and reached.replied_at
    assert reached.skip_reason == ""  # reached, so not skipped
    run_days(DAY1 + timedelta(days=1), 4, window=WINDOW)
    assert positions_of(campaign, reached.contact) == [1]  # never the follow-up
    campaign.refresh_from_db()
    assert campaign.replied_count == 1 and campaign.status == "completed"
    assert_counters_match(campaign)


def test_without_stop_on_reply_the_follow_up_still_goes(alice):
    channel = make_channel(alice)
    campaign = windowed(alice, make_contacts(alice, 3), channel=channel, stop_on_reply=False)
    run_days(DAY1, 1, window=WINDOW)
    reached = CampaignContact.objects.get(campaign=campaign, sent_at__isnull=False)
    events_apply(channel=channel, events=[InboundEvent(sender=reached.contact.phone, text="hi")])
    run_days(DAY1 + timedelta(days=1), 1, window=WINDOW)
    assert positions_of(campaign, reached.contact) == [1, 2]


def test_the_api_takes_delay_hours_and_lists_next_step_at(api, alice):
    channel = make_channel(alice)
    contact = make_contacts(alice, 1)[0]
    body = {
        "name": "Follow-ups",
        "channel_id": channel.pk,
        "contact_ids": [contact.pk],
        "messages": WITH_FOLLOW_UP,
    }
    answer = api.post("/api/v1/campaigns", body, format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()["data"]
    assert [m["delay_hours"] for m in data["messages"]] == [0, 20]

    campaign = start_campaign(alice, contacts=[contact], at=DAY1, messages=WITH_FOLLOW_UP)
    cycle(DAY1 + timedelta(hours=9))
    rows = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts").json()["data"]
    assert rows[0]["status"] == "pending"
    assert rows[0]["next_step_at"] == "2027-03-02T05:00:00.000000Z"


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([{"type": "text", "content": "a", "delay_hours": 3}], "messages.0.delay_hours"),
        (
            [{"type": "text", "content": "a"}, {"type": "text", "content": "b", "delay_hours": -1}],
            "messages.1.delay_hours",
        ),
        (
            [
                {"type": "text", "content": "a"},
                {"type": "text", "content": "b", "delay_hours": 721},
            ],
            "messages.1.delay_hours",
        ),
        (
            [
                {"type": "text", "content": "a"},
                {"type": "text", "content": "b", "delay_hours": "x"},
            ],
            "messages.1.delay_hours",
        ),
    ],
)
def test_bad_delays_are_422_naming_the_message(api, alice, messages, field):
    channel = make_channel(alice)
    contact = make_contacts(alice, 1)[0]
    body = {
        "name": "x",
        "channel_id": channel.pk,
        "contact_ids": [contact.pk],
        "messages": messages,
    }
    answer = api.post("/api/v1/campaigns", body, format="json")
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"], answer.json()
    assert not Campaign.objects.exists()
