"""Concurrent sending across numbers, one request at a time per number (PostgreSQL).

Each channel posts to its own path on the fake gateway, which counts per path the most
requests it was answering at once. Two rounds (two workers) run at the same time on
their own connections; both hold due contacts of the shared number.
"""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from campaigns.engine import Batch, send_round
from campaigns.models import Campaign, CampaignContact
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
MOMENT = START + timedelta(hours=23, minutes=59, seconds=30)  # the day's whole limit is due


@pytest.fixture
def numbers(alice, fake_gateway):
    """Builds a campaign of `contacts` on the number named `number` (its own path)."""
    channels = {}

    def build(number: str, contacts: int) -> Campaign:
        if number not in channels:
            config = fake_gateway.channel_config(number)
            channels[number] = make_channel(alice, provider="webhook", config=config)
        return start_campaign(alice, contacts=contacts, at=START, channel=channels[number])

    return build


def two_workers(*rounds: list[Campaign]) -> None:
    """Each list of campaigns is one round, sent by its own thread and connection."""
    barrier = threading.Barrier(len(rounds))
    failures = []

    def work(campaigns):
        try:
            batches = [Batch(campaign_id=c.pk, size=35, now=MOMENT) for c in campaigns]
            barrier.wait(timeout=10)
            send_round(batches, now=MOMENT)
        except Exception as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(campaigns,)) for campaigns in rounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def per_path(fake_gateway) -> Counter:
    return Counter(request.path for request in fake_gateway.requests)


def test_two_due_contacts_of_one_number_are_never_in_flight_together(numbers, fake_gateway):
    # The shared number's day allows 6 (the highest of its campaigns' limits), both want 6.
    shared = [numbers("shared", 18), numbers("shared", 18)]
    others = [numbers(f"other-{i}", 9) for i in range(4)]  # 3 due each
    cycle(START)  # day 1 begins
    fake_gateway.always("ok", delay=0.15)

    two_workers([shared[0], *others[:2]], [shared[1], *others[2:]])

    requests = per_path(fake_gateway)
    shared_path = "/hooks/skylight/shared"
    assert requests[shared_path] == 6 and len(requests) == 5
    assert fake_gateway.max_in_flight[shared_path] == 1
    assert fake_gateway.most_at_once >= 3  # across numbers, the workers really overlapped
    recipients = Counter(request.json()["recipient"] for request in fake_gateway.requests)
    assert max(recipients.values()) == 1
    for campaign in shared + others:
        assert_counters_match(campaign)
    assert sum(campaign.sent_count for campaign in shared) == 6
    assert all(campaign.sent_count == 3 for campaign in others)
    assert not CampaignContact.objects.filter(status="sending").exists()


def test_one_round_keeps_many_numbers_in_flight_at_once(numbers, fake_gateway):
    campaigns = [numbers(f"n{i}", 3) for i in range(8)]  # one due each
    cycle(START)
    fake_gateway.always("ok", delay=0.5)
    batches = [Batch(campaign_id=c.pk, size=1, now=MOMENT) for c in campaigns]

    started = datetime.now(UTC)
    send_round(batches, now=MOMENT)
    seconds = (datetime.now(UTC) - started).total_seconds()

    assert len(fake_gateway.requests) == 8
    assert fake_gateway.most_at_once >= 4
    assert seconds < 8 * 0.5  # not one after another
    assert all(campaign.sent_count == 1 for campaign in map(refreshed, campaigns))


def refreshed(campaign: Campaign) -> Campaign:
    campaign.refresh_from_db()
    return campaign


def test_control_with_two_lanes_allowed_per_number_they_do_overlap(numbers, fake_gateway, settings):
    """Without the one-lane bound the shared number does get two requests at once."""
    settings.SKYLIGHT_NUMBER_CONCURRENCY = 2
    shared = [numbers("shared", 18), numbers("shared", 18)]
    cycle(START)
    fake_gateway.always("ok", delay=0.3)

    two_workers([shared[0]], [shared[1]])

    assert len(fake_gateway.requests) == 6
    assert fake_gateway.max_in_flight["/hooks/skylight/shared"] == 2


def test_a_retry_after_slows_that_number_only(numbers, fake_gateway):
    slowed, other = numbers("slowed", 9), numbers("other", 9)  # 3 due each
    cycle(START)
    first = CampaignContact.objects.filter(campaign=slowed).order_by("id").first()
    fake_gateway.for_recipient(first.contact.phone, "rate_limited", retry_after=2)
    fake_gateway.always("ok", delay=0.05)

    send_round([Batch(campaign_id=c.pk, size=3, now=MOMENT) for c in (slowed, other)], MOMENT)

    def times(path):
        return [r.received_at for r in fake_gateway.requests if r.path == path]

    slowed_times, other_times = times("/hooks/skylight/slowed"), times("/hooks/skylight/other")
    assert len(slowed_times) == 3 and len(other_times) == 3
    assert slowed_times[1] - slowed_times[0] >= 2  # the number waited out the Retry-After
    assert other_times[-1] - other_times[0] < 1  # the other number did not
    first.refresh_from_db()
    assert first.status == "pending" and "will retry" in first.error
