"""The breaker under concurrency (PostgreSQL): four workers sending two campaigns through
one number at once, while its sends fail permanently. It trips once the window holds
enough, every campaign on the number ends paused by safety, and no one is sent twice."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from campaigns.engine import send_batch
from campaigns.models import Campaign, CampaignContact
from channels.models import Channel
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


def test_concurrent_workers_on_a_failing_number_all_stop_and_send_no_one_twice(
    alice, fake_gateway, settings
):
    settings.SKYLIGHT_NUMBER_CONCURRENCY = 4  # the workers' lanes really race on the number
    number = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    campaigns = [start_campaign(alice, contacts=300, at=START, channel=number) for _ in range(2)]
    # Each send takes longer than a claim's time budget (engine/lane.py, ClaimSizer), so
    # every lane claims one contact at a time and records it before the next: a fast
    # gateway lets a lane claim several and send them all before the trip is recorded.
    fake_gateway.always("rejected", delay=0.06)
    cycle(START)  # day 1 begins; nothing is due yet at midnight
    moment = START + timedelta(hours=23, minutes=59, seconds=30)

    def work(index):
        try:
            return send_batch(campaigns[index % 2].pk, 35, now=moment).failed
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        failed = sum(pool.map(work, range(4)))

    per_recipient = Counter(request.json()["recipient"] for request in fake_gateway.requests)
    assert max(per_recipient.values()) == 1
    # It trips as the window reaches 20; claims made before the pause committed may finish
    # (one per lane at most), none after.
    assert 20 <= failed == len(fake_gateway.requests) <= 20 + 4
    for campaign in Campaign.objects.filter(pk__in=[c.pk for c in campaigns]):
        assert (campaign.status, campaign.paused_by) == ("paused", "safety")
        assert "sends failed permanently" in campaign.pause_reason
        assert_counters_match(campaign)
    assert Channel.objects.get(pk=number.pk).health == "paused"
    assert not CampaignContact.objects.filter(status="sending").exists()
