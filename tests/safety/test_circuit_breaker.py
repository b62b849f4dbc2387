"""The circuit breaker per number: a number whose sends start failing permanently, or
whose recipients opt out or block it, is paused by safety with the figures; a person
resuming restarts its window and nothing is sent twice."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.breaker import Thresholds, Window, verdict
from campaigns.models import Campaign, CampaignContact, ChannelAttempt
from channels.models import Channel
from tests.engine.helpers import assert_counters_match, cycle, run_days, start_campaign
from tests.factories import make_channel

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
OK, FAILED, REFUSED = (
    ChannelAttempt.Kind.OK,
    ChannelAttempt.Kind.FAILED,
    ChannelAttempt.Kind.REFUSED,
)


# -- the policy ---------------------------------------------------------------------


def judge(ok=0, failed=0, refused=0, within_hour=True, **limits):
    kinds = [FAILED] * failed + [REFUSED] * refused + [OK] * ok
    return verdict(Window(kinds, within_hour), Thresholds(**limits))


def test_it_trips_at_twenty_percent_permanent_failures_over_twenty_sends():
    tripped = judge(ok=20, failed=5)
    assert tripped.health == "paused"
    assert tripped.reason.startswith("5 of 25 sends failed permanently in the last hour")
    assert judge(ok=21, failed=5).health == "warning"  # 19 %: half-way and over
    assert judge(ok=15, failed=4).health == "warning"  # 21 % but fewer than 20 sends
    assert judge(ok=30, failed=2).health == "ok"  # 6 %: not half-way


def test_it_trips_at_three_opt_outs_or_blocks():
    tripped = judge(ok=40, refused=3, within_hour=False)
    assert tripped.health == "paused"
    assert tripped.reason.startswith(
        "3 people opted out or blocked the number in its last 43 sends"
    )
    assert judge(ok=40, refused=2).health == "warning"
    assert judge(ok=40, refused=1).health == "ok"


def test_the_account_thresholds_decide():
    assert judge(ok=8, failed=2, min_attempts=10, failure_percent=20).health == "paused"
    assert judge(ok=20, failed=5, failure_percent=50).health == "ok"
    assert judge(ok=10, refused=1, opt_out_limit=1).health == "paused"


# -- through the engine ----------------------------------------------------------------


@pytest.fixture
def number(alice, fake_gateway) -> Channel:
    return make_channel(alice, provider="webhook", config=fake_gateway.channel_config())


def requests_per_recipient(fake) -> Counter:
    return Counter(request.json()["recipient"] for request in fake.requests)


def test_a_number_that_starts_failing_permanently_pauses_every_campaign_on_it(
    api, alice, number, fake_gateway
):
    first = start_campaign(alice, contacts=60, at=START, channel=number)
    second = start_campaign(alice, contacts=60, at=START, channel=number)
    elsewhere = start_campaign(alice, contacts=3, at=START)  # another number, unaffected
    for _ in range(5):
        fake_gateway.then("ok")
    fake_gateway.always("rejected")  # 400: permanent

    run_days(START, 1)

    number.refresh_from_db()
    assert number.health == "paused"
    for campaign in (first, second):
        campaign.refresh_from_db()
        assert (campaign.status, campaign.paused_by) == ("paused", "safety")
        assert campaign.pause_reason == number.health_reason
    assert "sends failed permanently" in number.health_reason
    attempted = len(fake_gateway.requests)
    failed = attempted - 5
    assert number.health_reason.startswith(f"{failed} of {attempted} sends failed permanently")
    assert attempted == 20  # it trips as the window reaches 20 sends
    assert Campaign.objects.get(pk=elsewhere.pk).paused_by == ""
    detail = api.get(f"/api/v1/campaigns/{first.pk}").json()["data"]
    assert (detail["paused_by"], detail["pause_reason"]) == ("safety", number.health_reason)

    run_days(START + timedelta(days=1), 1)  # paused: nothing more leaves
    assert len(fake_gateway.requests) == attempted

    fake_gateway.always("ok")
    for campaign in (first, second):
        assert api.post(f"/api/v1/campaigns/{campaign.pk}/resume").status_code == 200
    number.refresh_from_db()
    assert (number.health, number.health_reason) == ("ok", "")
    assert number.health_window_start is not None
    run_days(START + timedelta(days=2), 8)

    for campaign in (first, second):
        campaign.refresh_from_db()
        assert campaign.status == "completed"
        assert_counters_match(campaign)
    assert CampaignContact.objects.filter(campaign__channel=number).count() == 120
    per_recipient = requests_per_recipient(fake_gateway)
    assert len(per_recipient) == 120 and set(per_recipient.values()) == {1}  # none twice


def test_the_account_thresholds_change_when_it_trips(alice, number, fake_gateway):
    alice.breaker_min_attempts = 5
    alice.breaker_failure_percent = 60
    alice.save()
    campaign = start_campaign(alice, contacts=60, at=START, channel=number)
    fake_gateway.then("ok").then("ok").always("rejected")

    run_days(START, 1)

    campaign.refresh_from_db()
    assert campaign.paused_by == "safety"
    assert len(fake_gateway.requests) == 5  # 3 of 5 = 60 %
    assert campaign.pause_reason.startswith("3 of 5 sends failed permanently")


def test_a_default_account_keeps_sending_below_the_thresholds(alice, number, fake_gateway):
    campaign = start_campaign(alice, contacts=60, at=START, channel=number)
    fake_gateway.then("ok").then("ok").then("rejected").then("rejected")  # 2 of 20: 10 %

    run_days(START, 1)

    campaign.refresh_from_db()
    number.refresh_from_db()
    assert campaign.status == "running" and campaign.sent_count == 18
    assert number.health == "warning" and "2 of 20 sends" in number.health_reason


def test_blocks_and_opt_outs_trip_it(alice, fake_telegram):
    from contacts.models import Contact

    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )
    people = [
        Contact.objects.create(
            account=alice,
            name=f"P{n}",
            phone=f"+96650111{n:04d}",
            type="telegram",
            external_id=str(5000 + n),
        )
        for n in range(30)
    ]
    campaign = start_campaign(alice, contacts=people, at=START, channel=channel)
    fake_telegram.always("blocked")

    run_days(START, 1)

    campaign.refresh_from_db()
    assert campaign.paused_by == "safety"
    assert campaign.pause_reason.startswith("3 people opted out or blocked the number")
    assert len(fake_telegram.requests) == 3


def test_the_window_restarts_when_a_person_resumes(alice, number, fake_gateway):
    alice.breaker_min_attempts = 4
    alice.save()
    campaign = start_campaign(alice, contacts=60, at=START, channel=number)
    fake_gateway.always("rejected")
    run_days(START, 1)
    campaign.refresh_from_db()
    assert campaign.paused_by == "safety" and len(fake_gateway.requests) == 4

    from campaigns.services import campaign_resume

    campaign_resume(campaign=campaign)
    fake_gateway.reset().then("ok").then("ok").then("ok").always("rejected")
    cycle(START + timedelta(days=1, hours=1))
    run_days(START + timedelta(days=1), 1)

    campaign.refresh_from_db()
    assert campaign.paused_by == "safety"
    # The old failures are not counted again: with them, the first send after the resume
    # would have tripped it (4 of 5); without, it takes 4 new sends, one failed.
    assert len(fake_gateway.requests) == 4
    assert campaign.pause_reason.startswith("1 of 4 sends failed permanently")
