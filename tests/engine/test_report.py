"""`GET /campaigns/{id}/report` after real sends: it reconciles with counters and listing.

The campaign runs through the engine against the fake gateway (some recipients
rejected, some never accepted), with opt-outs after enrollment and provider statuses
applied the way webhooks apply them.
"""

from datetime import UTC, datetime, time

import pytest

from campaigns.deliveries import delivery_status_record
from campaigns.models import CampaignDay, Delivery
from campaigns.reports import campaign_report
from channels.webhooks.events import StatusEvent
from contacts.models import Contact
from tests.engine.helpers import (
    assert_report_totals_are_the_counters,
    run_days,
    start_campaign,
)
from tests.factories import api_client_for, make_channel, make_contacts

FIRST = datetime(2027, 3, 1, tzinfo=UTC)
TWO_STEPS = [
    {"type": "text", "content": "Hi {{first_name|there}}"},
    {"type": "text", "content": "A second message"},
]


@pytest.fixture
def gateway_channel(alice, fake_gateway):
    return make_channel(alice, provider="webhook", config=fake_gateway.channel_config())


def listing_total(api, campaign, status="") -> int:
    query = f"?status={status}" if status else ""
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts{query}")
    return response.json()["meta"]["total"]


def apply_statuses(channel, deliveries, status) -> None:
    for delivery in deliveries:
        event = StatusEvent(provider_message_id=delivery.provider_message_id, status=status)
        delivery_status_record(channel=channel, event=event)


def run_a_campaign(alice, channel, fake_gateway, contacts=400, days=20):
    fake_gateway.always("ok")
    people = make_contacts(alice, contacts)
    # Seven bad numbers spread through the list: a cluster of them would (rightly) trip
    # the number's circuit breaker (tests/safety/test_circuit_breaker.py).
    for person in people[10::55][:7]:
        fake_gateway.for_recipient(person.phone, "rejected")
    for person in people[7:10]:
        fake_gateway.for_recipient(person.phone, "server_error")
    campaign = start_campaign(
        alice,
        contacts=people,
        at=FIRST,
        channel=channel,
        messages=TWO_STEPS,
        send_window={"start": time(9), "end": time(17)},
    )
    Contact.objects.filter(pk__in=[p.pk for p in people[-5:]]).update(opted_out=True)
    run_days(FIRST, days, window=(time(9), time(17)), step_minutes=60)
    firsts = list(
        Delivery.objects.filter(
            campaign_contact__campaign=campaign, position=1, status="sent"
        ).order_by("id")
    )
    apply_statuses(channel, firsts[:150], "delivered")
    apply_statuses(channel, firsts[100:150], "read")
    # Forty of the readers read the second message too: still 150 delivered, 50 read.
    readers = [delivery.campaign_contact_id for delivery in firsts[100:140]]
    seconds = Delivery.objects.filter(campaign_contact_id__in=readers, position=2)
    apply_statuses(channel, seconds, "read")
    campaign.refresh_from_db()
    return campaign


def test_the_report_reconciles_with_counters_and_listing_over_a_multi_day_run(
    alice, gateway_channel, fake_gateway
):
    campaign = run_a_campaign(alice, gateway_channel, fake_gateway)
    api = api_client_for(alice)

    report = api.get(f"/api/v1/campaigns/{campaign.pk}/report").json()["data"]

    # On PostgreSQL the API read the counts the triggers keep: the live aggregate agrees.
    assert campaign_report(campaign=campaign) == campaign_report(campaign=campaign, live=True)
    totals = report["totals"]
    assert campaign.status == "completed"
    assert_report_totals_are_the_counters(totals, campaign)
    assert (totals["sent"], totals["failed"], totals["skipped"]) == (385, 10, 5)
    for status in ("sent", "failed", "skipped"):
        assert totals[status] == listing_total(api, campaign, status)
    assert sum(totals[s] for s in ("sent", "failed", "skipped")) == listing_total(api, campaign)
    # Every outcome lands on one day: the days add up to the totals.
    for key in totals:
        assert sum(day[key] for day in report["days"]) == totals[key], key
    # Sent and failed per day match the engine's own per-day record.
    recorded = {
        d.date.isoformat(): (d.day_number, d.sent, d.failed)
        for d in CampaignDay.objects.filter(campaign=campaign)
        if d.sent or d.failed
    }
    assert {
        day["date"]: (day["campaign_day"], day["sent"], day["failed"])
        for day in report["days"]
        if day["sent"] or day["failed"]
    } == recorded
    assert (totals["delivered"], totals["read"], totals["opted_out"]) == (150, 50, 5)
    assert totals["replied"] == 0
    assert report["rates"] == {
        "delivered": round(150 / 385, 4),
        "read": round(50 / 385, 4),
        "replied": 0.0,
        "failed": round(10 / 385, 4),
        "opted_out": round(5 / 385, 4),
    }
    assert report["failures"] == [
        {"reason": "rejected", "code": "400", "count": 7},
        {"reason": "not_accepted", "code": "503", "count": 3},
    ]
    assert report["steps"] == [
        {"index": 1, "sent": 385, "delivered": 150, "read": 50},
        {"index": 2, "sent": 385, "delivered": 40, "read": 40},
    ]


def test_the_report_takes_the_same_few_queries_however_many_contacts(
    alice, gateway_channel, fake_gateway, django_assert_num_queries, is_postgres
):
    small = run_a_campaign(alice, gateway_channel, fake_gateway, contacts=30, days=4)
    large = run_a_campaign(alice, gateway_channel, fake_gateway, contacts=240, days=6)
    api = api_client_for(alice)
    api.get("/api/v1/account")  # the key's last_used is written once a minute at most

    # key, campaign, its messages, outcome rows, day numbers, steps; and on SQLite the
    # deliveries' id bounds (PostgreSQL reads the counts its triggers keep instead)
    for campaign in (small, large):
        with django_assert_num_queries(6 if is_postgres else 7):
            assert api.get(f"/api/v1/campaigns/{campaign.pk}/report").status_code == 200
