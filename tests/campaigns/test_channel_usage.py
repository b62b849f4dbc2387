"""`GET /channels/{id}/usage`: today's people against the number's cap, its warm-up day,
30 days of figures (people, in the account's timezone), health and sharing campaigns."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact, ChannelDay, Delivery
from campaigns.usage import channel_usage
from tests.factories import api_client_for, make_channel, make_contact

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # 15:00 in Riyadh
TODAY = date(2026, 3, 7)


def campaign_on(channel, name, *, status="running", day=1, total=60, **fields):
    return Campaign.objects.create(
        account=channel.account,
        channel=channel,
        name=name,
        status=status,
        campaign_day=day,
        total_contacts=total,
        pending_count=total,
        timezone="Asia/Riyadh",
        **fields,
    )


def row(campaign, contact, **fields):
    return CampaignContact.objects.create(campaign=campaign, contact=contact, **fields)


def delivered(cc, position, at):
    Delivery.objects.create(
        campaign_contact=cc, position=position, type="text", body="Hi", status="sent", sent_at=at
    )


@pytest.fixture
def seeded(alice):
    alice.timezone = "Asia/Riyadh"
    alice.save()
    channel = make_channel(alice, health="warning", health_reason="3 of 25 sends failed")
    other_channel = make_channel(alice, name="Other")
    ramadan = campaign_on(channel, "Ramadan", day=3, total=300, today_attempted=3)
    Campaign.objects.filter(pk=ramadan.pk).update(today_date=TODAY)
    eid = campaign_on(channel, "Eid", day=1, total=60)  # limit: min(35, 60/3) = 20
    campaign_on(channel, "Done", status="completed", day=9, total=900)
    elsewhere = campaign_on(other_channel, "Elsewhere", day=20, total=900)
    people = [make_contact(alice, name=f"P{i}") for i in range(7)]
    p = people

    # p0: two messages today and one two days ago, in both running campaigns today.
    r0 = row(ramadan, p[0], status="sent", sent_at=NOW - timedelta(days=2))
    delivered(r0, 1, NOW - timedelta(days=2))
    delivered(r0, 2, NOW - timedelta(hours=1))
    delivered(row(eid, p[0], status="sent"), 1, NOW - timedelta(hours=2))
    # p1: 22:30 UTC yesterday is 01:30 today in Riyadh.
    r1 = row(ramadan, p[1], status="sent", sent_at=datetime(2026, 3, 6, 22, 30, tzinfo=UTC))
    delivered(r1, 1, r1.sent_at)
    # p2: failed yesterday (Riyadh).
    row(ramadan, p[2], status="failed", claimed_at=NOW - timedelta(days=1))
    # p3: sent 3 days ago, replied today.
    r3 = row(ramadan, p[3], status="sent", sent_at=NOW - timedelta(days=3), replied_at=NOW)
    delivered(r3, 1, r3.sent_at)
    # p4: sent today and opted out today.
    r4 = row(ramadan, p[4], status="sent", sent_at=NOW - timedelta(hours=3))
    delivered(r4, 1, r4.sent_at)
    p[4].opted_out, p[4].opted_out_at = True, NOW - timedelta(minutes=30)
    p[4].save()
    # p5: 40 days ago (outside the 30 days); p6: on another channel today.
    r5 = row(ramadan, p[5], status="sent", sent_at=NOW - timedelta(days=40))
    delivered(r5, 1, r5.sent_at)
    delivered(row(elsewhere, p[6], status="sent"), 1, NOW - timedelta(hours=1))
    ChannelDay.objects.create(channel=channel, date=TODAY, attempted=4)
    ChannelDay.objects.create(channel=other_channel, date=TODAY, attempted=9)
    return {"channel": channel, "ramadan": ramadan, "eid": eid}


@pytest.mark.django_db
def test_each_figure_of_the_usage(seeded):
    usage = channel_usage(channel=seeded["channel"], now=NOW)

    assert usage.date == TODAY and usage.timezone == "Asia/Riyadh"
    assert usage.recipients_today == 3  # p0 (once, over two campaigns), p1, p4
    assert usage.attempted_today == 4
    assert usage.cap == 65  # Ramadan, day 3 of a normal number: min(65, 300/3)
    assert usage.warmup_day == 3
    assert usage.remaining_today == 61
    assert len(usage.days) == 30
    assert usage.days[0]["date"] == TODAY - timedelta(days=29)
    by_date = {day["date"]: day for day in usage.days}
    assert by_date[TODAY] == {"date": TODAY, "sent": 3, "failed": 0, "opted_out": 1, "replied": 1}
    assert by_date[date(2026, 3, 6)] == {
        "date": date(2026, 3, 6),
        "sent": 0,
        "failed": 1,
        "opted_out": 0,
        "replied": 0,
    }
    assert by_date[date(2026, 3, 5)]["sent"] == 1  # p0's first message
    assert by_date[date(2026, 3, 4)]["sent"] == 1  # p3
    assert sum(day["sent"] for day in usage.days) == 5  # p5, 40 days ago, is not there
    assert [c["name"] for c in usage.campaigns] == ["Ramadan", "Eid"]
    ramadan, eid = usage.campaigns
    assert (ramadan["daily_limit"], ramadan["campaign_day"], ramadan["today_attempted"]) == (
        65,
        3,
        3,
    )
    assert (eid["daily_limit"], eid["today_attempted"]) == (20, 0)
    assert usage.health == "warning" and usage.health_reason == "3 of 25 sends failed"


@pytest.mark.django_db
def test_the_usage_endpoint(seeded, alice):
    api = api_client_for(alice)
    channel = seeded["channel"]
    now = timezone.now()
    local_today = now.astimezone(ZoneInfo("Asia/Riyadh")).date()
    just_now = row(seeded["ramadan"], make_contact(alice), status="sent", sent_at=now)
    delivered(just_now, 1, now)
    ChannelDay.objects.create(channel=channel, date=local_today, attempted=1)

    response = api.get(f"/api/v1/channels/{channel.pk}/usage")

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["channel_id"] == channel.pk
    assert data["date"] == local_today.isoformat() and data["timezone"] == "Asia/Riyadh"
    assert data["today"] == {"recipients": 1, "attempted": 1, "cap": 65, "remaining": 64}
    assert data["warmup_day"] == 3
    assert data["health"] == "warning" and data["health_reason"] == "3 of 25 sends failed"
    assert data["days"][-1] == {
        "date": local_today.isoformat(),
        "sent": 1,
        "failed": 0,
        "opted_out": 0,
        "replied": 0,
    }
    assert len(data["days"]) == 30
    assert [c["id"] for c in data["campaigns"]] == [seeded["ramadan"].pk, seeded["eid"].pk]


@pytest.mark.django_db
def test_an_idle_number_has_no_cap_and_empty_days(alice):
    api = api_client_for(alice)
    channel = make_channel(alice)

    data = api.get(f"/api/v1/channels/{channel.pk}/usage/").json()["data"]

    assert data["today"] == {"recipients": 0, "attempted": 0, "cap": None, "remaining": None}
    assert data["warmup_day"] is None and data["campaigns"] == []
    assert data["health"] == "ok" and data["health_reason"] is None
    assert all(day["sent"] == day["failed"] == 0 for day in data["days"])


@pytest.mark.django_db
def test_another_accounts_channel_is_404(alice, bob):
    channel = make_channel(bob)
    response = api_client_for(alice).get(f"/api/v1/channels/{channel.pk}/usage")
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert api_client_for(alice).get("/api/v1/channels/abc/usage").status_code == 404


@pytest.mark.django_db
def test_the_usage_reads_a_fixed_number_of_queries(seeded, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channel = seeded["channel"]
    with CaptureQueriesContext(connection) as few:
        channel_usage(channel=channel, now=NOW)
    for day in range(20):  # more days and people change nothing
        person = make_contact(alice)
        at = NOW - timedelta(days=day)
        delivered(row(seeded["ramadan"], person, status="sent", sent_at=at), 1, at)
    with CaptureQueriesContext(connection) as more:
        channel_usage(channel=channel, now=NOW)
    assert len(few) == len(more) <= 7
