"""The account's contact cooldown across campaigns."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import CampaignContact, Delivery
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel, make_contacts

DAY1 = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_gaps(settings):
    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    settings.SKYLIGHT_CONTACT_GAP_SECONDS = 0


def reached(campaign) -> set[int]:
    return set(
        Delivery.objects.filter(
            campaign_contact__campaign=campaign, sent_at__isnull=False
        ).values_list("campaign_contact__contact_id", flat=True)
    )


def test_a_contact_reached_by_another_campaign_waits_then_is_skipped(alice):
    alice.contact_cooldown_days = 7
    alice.save()
    people = make_contacts(alice, 3)
    channel = make_channel(alice)
    first = start_campaign(alice, contacts=people[:1], at=DAY1, channel=channel)
    cycle(DAY1 + timedelta(hours=23, minutes=59))
    assert reached(first) == {people[0].pk}

    other = make_channel(alice, name="Second number")
    second = start_campaign(alice, contacts=people, at=DAY1, channel=other)  # 1 a day
    for day in range(1, 6):
        cycle(DAY1 + timedelta(days=day, hours=23, minutes=59))

    assert people[0].pk not in reached(second)
    assert reached(second) == {people[1].pk, people[2].pk}
    held = CampaignContact.objects.get(campaign=second, contact=people[0])
    assert held.status == "skipped" and held.skip_reason == "cooldown"
    second.refresh_from_db()
    assert second.status == "completed" and second.skipped_count == 1
    assert_counters_match(second)


def test_without_a_cooldown_everyone_goes(alice):
    people = make_contacts(alice, 1)
    first = start_campaign(alice, contacts=people, at=DAY1)
    cycle(DAY1 + timedelta(hours=23, minutes=59))
    second = start_campaign(alice, contacts=people, at=DAY1, channel=make_channel(alice, name="B"))
    cycle(DAY1 + timedelta(days=1, hours=23, minutes=59))
    assert reached(first) == reached(second) == {people[0].pk}


def test_the_account_api_shows_the_cooldown(api, alice):
    alice.contact_cooldown_days = 3
    alice.save()
    assert api.get("/api/v1/account").json()["data"]["contact_cooldown_days"] == 3
