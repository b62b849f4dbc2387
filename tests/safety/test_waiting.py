"""`waiting_reason` and `next_send_at`: why a campaign is not sending, kept by the cycle,
and the daily limit counting people (the limit + 1 gap)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from campaigns.models import Campaign, CampaignContact, Delivery
from campaigns.services import campaign_pause, campaigns_pause_for_safety
from campaigns.waiting import waiting
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel, make_contacts

DAY1 = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_gaps(settings):
    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    settings.SKYLIGHT_CONTACT_GAP_SECONDS = 0
    settings.SKYLIGHT_RETRY_BACKOFF_SECONDS = 60


def state(campaign, now) -> tuple:
    """(waiting_reason, next_send_at) as the API shows them at `now`."""
    found = waiting(Campaign.objects.get(pk=campaign.pk), now)
    return found.reason, found.next_send_at


def shown(api, campaign) -> tuple:
    data = api.get(f"/api/v1/campaigns/{campaign.pk}").json()["data"]
    return data["waiting_reason"], data["next_send_at"]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_outside_the_window_it_names_the_opening(api, alice):
    campaign = start_campaign(
        alice, contacts=6, at=DAY1, send_window={"start": time(9), "end": time(17)}
    )
    cycle(DAY1 + timedelta(hours=7))
    assert Campaign.objects.get(pk=campaign.pk).waiting_reason == "outside_window"
    assert state(campaign, DAY1 + timedelta(hours=7)) == ("outside_window", utc(2027, 3, 1, 9))


def test_at_the_daily_limit_it_waits_for_tomorrow(api, alice):
    campaign = start_campaign(alice, contacts=6, at=DAY1)  # 2 people a day
    late = DAY1 + timedelta(hours=23, minutes=55)
    cycle(late)
    campaign.refresh_from_db()
    assert campaign.today_attempted == 2
    assert Campaign.objects.get(pk=campaign.pk).waiting_reason == "daily_limit_reached"
    assert state(campaign, late + timedelta(minutes=1)) == (
        "daily_limit_reached",
        utc(2027, 3, 2),
    )


def test_while_pacing_and_when_due(api, alice):
    campaign = start_campaign(alice, contacts=30, at=DAY1)  # 10 a day over 24 hours
    noon = DAY1 + timedelta(hours=12)
    assert state(campaign, noon) == (None, noon)  # due now: the next cycle sends
    cycle(noon)
    campaign.refresh_from_db()
    assert campaign.next_send_at > noon and campaign.waiting_reason == "pacing"
    assert state(campaign, noon + timedelta(seconds=1)) == ("pacing", campaign.next_send_at)


def test_a_number_shared_with_a_campaign_that_used_its_cap(api, alice):
    channel = make_channel(alice)
    first = start_campaign(alice, contacts=3, at=DAY1, channel=channel)  # cap 1 a day
    second = start_campaign(alice, contacts=3, at=DAY1, channel=channel)
    late = DAY1 + timedelta(hours=23, minutes=55)
    cycle(late)
    cycle(late + timedelta(minutes=2))  # the second campaign's turn on the number
    reasons = sorted(
        Campaign.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "waiting_reason", flat=True
        )
    )
    assert reasons == ["channel_limit_reached", "daily_limit_reached"]
    blocked = Campaign.objects.get(waiting_reason="channel_limit_reached")
    assert state(blocked, late + timedelta(minutes=1))[0] == "channel_limit_reached"


def test_paused_and_safety_paused(api, alice):
    paused = start_campaign(alice, contacts=3, at=DAY1)
    campaign_pause(campaign=paused)
    assert shown(api, paused) == ("paused", None)
    data = api.get(f"/api/v1/campaigns/{paused.pk}").json()["data"]
    assert (data["paused_by"], data["pause_reason"]) == ("user", None)

    channel = make_channel(alice, name="Flagged number")
    tripped = start_campaign(alice, contacts=3, at=DAY1, channel=channel)
    reason = "7 of 25 sends failed permanently in the last hour."
    assert campaigns_pause_for_safety(reason=reason, channel_id=channel.pk) == [tripped.pk]
    assert shown(api, tripped) == ("safety_paused", None)
    data = api.get(f"/api/v1/campaigns/{tripped.pk}").json()["data"]
    assert (data["status"], data["paused_by"], data["pause_reason"]) == (
        "paused",
        "safety",
        reason,
    )
    api.post(f"/api/v1/campaigns/{tripped.pk}/resume")
    data = api.get(f"/api/v1/campaigns/{tripped.pk}").json()["data"]
    assert (data["status"], data["paused_by"], data["pause_reason"]) == ("running", None, None)


def test_nothing_due_while_the_only_contact_backs_off(api, alice, fake_gateway):
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    campaign = start_campaign(alice, contacts=1, at=DAY1, channel=channel)
    fake_gateway.then("server_error")
    now = DAY1 + timedelta(hours=23, minutes=50)  # late: pacing allows the whole day
    cycle(now)  # not accepted: retried in 60 s, the slot goes back
    # Looked at again while the only contact backs off: planned, but nobody is due.
    Campaign.objects.filter(pk=campaign.pk).update(next_send_at=now + timedelta(seconds=20))
    cycle(now + timedelta(seconds=20))
    campaign.refresh_from_db()
    assert campaign.waiting_reason == "nothing_due"
    assert campaign.next_send_at == now + timedelta(seconds=60)
    assert state(campaign, now + timedelta(seconds=30)) == (
        "nothing_due",
        now + timedelta(seconds=60),
    )


def test_a_retry_after_an_accepted_message_keeps_its_slot_so_no_one_else_is_reached(
    alice, fake_gateway
):
    """The limit + 1 gap: the first person's second message fails after the first was
    accepted. The slot used to go back, a second person was reached the same day, then the
    first finished too: 2 people under a limit of 1. Now the day reaches only the first."""
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    people = make_contacts(alice, 3)  # daily limit ceil(3 / 3) = 1
    messages = [{"type": "text", "content": "one"}, {"type": "text", "content": "two"}]
    campaign = start_campaign(alice, contacts=people, at=DAY1, channel=channel, messages=messages)
    fake_gateway.then("ok").then("server_error")
    now = DAY1 + timedelta(hours=23)
    cycle(now)  # first person: "one" accepted, "two" retried in 60 s
    # Looked at again while the retry backs off: nobody else may start today.
    Campaign.objects.filter(pk=campaign.pk).update(next_send_at=now + timedelta(seconds=30))
    cycle(now + timedelta(seconds=30))
    cycle(now + timedelta(minutes=2))  # the retry goes: the same person, no new slot

    reached = set(
        Delivery.objects.filter(
            campaign_contact__campaign=campaign, sent_at__date=now.date()
        ).values_list("campaign_contact__contact_id", flat=True)
    )
    assert reached == {people[0].pk}
    first = CampaignContact.objects.get(campaign=campaign, contact=people[0])
    assert first.status == "sent"
    assert [r.json()["message"]["content"] for r in fake_gateway.requests] == ["one", "two", "two"]
    campaign.refresh_from_db()
    assert campaign.today_attempted == 1
