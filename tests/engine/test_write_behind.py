"""Outcomes written behind (PostgreSQL): with a transport that answers at once, a lane
claims hundreds of contacts at a time, and their outcomes are written by a writer thread
on its own connection while the lane goes on (campaigns/engine/round_recording.py)."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.engine import round_recording
from campaigns.engine.batches import send_with_slot
from campaigns.engine.claims import Slot
from campaigns.models import Campaign, CampaignContact, ChannelAttempt, ChannelDay, Delivery
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel

from .processes import finish, manage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
MOMENT = START + timedelta(hours=12)
CONTACTS = 600


@pytest.fixture
def writes(monkeypatch):
    """(thread name, outcomes) of every write of outcomes, in order."""
    seen: list[tuple[str, int]] = []
    record_round = round_recording.record_round

    def spy(items):
        seen.append((threading.current_thread().name, len(items)))
        return record_round(items)

    monkeypatch.setattr(round_recording, "record_round", spy)
    return seen


def send_all(campaign: Campaign):
    """The whole campaign in one lane, under caps that never bind (as the benchmark does)."""
    cycle(START)  # day 1 begins
    campaign.refresh_from_db()
    day = ChannelDay.objects.get_or_create(channel=campaign.channel, date=campaign.today_date)[0]
    slot = Slot(
        campaign_id=campaign.pk,
        day=campaign.today_date,
        campaign_cap=10**6,
        channel_day_id=day.pk,
        channel_cap=10**6,
    )
    return send_with_slot(Campaign.objects.get(pk=campaign.pk), slot, CONTACTS, now=MOMENT)


def test_a_fast_lane_has_its_outcomes_written_behind_and_every_one_lands(alice, writes):
    campaign = start_campaign(alice, contacts=CONTACTS, at=START)

    result = send_all(campaign)

    assert result.sent == CONTACTS
    behind = [count for name, count in writes if name.startswith("skylight-write")]
    assert behind and sum(behind) >= round_recording.WRITE_BEHIND_MIN
    assert sum(count for _, count in writes) == CONTACTS  # each outcome written once
    campaign.refresh_from_db()
    assert (campaign.status, campaign.sent_count, campaign.pending_count) == (
        "completed",
        CONTACTS,
        0,
    )
    assert_counters_match(campaign)
    assert Delivery.objects.filter(campaign_contact__campaign=campaign).count() == CONTACTS
    assert ChannelAttempt.objects.filter(channel=campaign.channel).count() == CONTACTS
    assert not CampaignContact.objects.filter(campaign=campaign, status="sending").exists()
    # The writer thread ended with the round.
    assert not [t for t in threading.enumerate() if t.name.startswith("skylight-write")]


def test_a_write_that_fails_behind_fails_the_round_and_its_rows_stay_sending(alice, monkeypatch):
    campaign = start_campaign(alice, contacts=CONTACTS, at=START)
    record_round = round_recording.record_round
    lost: list[int] = []

    def failing_behind(items):
        if threading.current_thread().name.startswith("skylight-write"):
            lost.append(len(items))
            raise RuntimeError("the database went away")
        return record_round(items)

    monkeypatch.setattr(round_recording, "record_round", failing_behind)

    with pytest.raises(RuntimeError, match="went away"):
        send_all(campaign)

    # The outcomes it held stay `sending`: the reaper ends them as "outcome unknown", and
    # no claim takes them again. Everything written inline landed.
    assert lost and lost[0] >= round_recording.WRITE_BEHIND_MIN
    sending = CampaignContact.objects.filter(campaign=campaign, status="sending").count()
    assert sending == sum(lost)
    sent = CampaignContact.objects.filter(campaign=campaign, status="sent").count()
    assert Delivery.objects.filter(campaign_contact__campaign=campaign).count() == sent
    assert not [t for t in threading.enumerate() if t.name.startswith("skylight-write")]


def test_one_at_a_time_outcomes_are_written_inline(alice, writes, fake_gateway):
    """A lane whose sends take time claims one contact at a time; each outcome is written
    before its next claim (the breaker judges it first), never behind."""
    number = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    campaign = start_campaign(alice, contacts=5, at=START, channel=number)
    fake_gateway.always("accepted", delay=0.06)

    send_all(campaign)

    assert writes and {name for name, _ in writes} == {"MainThread"}
    assert len(fake_gateway.requests) == 5


def test_with_no_outcome_writers_every_write_is_inline(alice, writes, settings):
    settings.SKYLIGHT_OUTCOME_WRITERS = 0
    campaign = start_campaign(alice, contacts=CONTACTS, at=START)

    assert send_all(campaign).sent == CONTACTS

    assert {name for name, _ in writes} == {"MainThread"}
    assert sum(count for _, count in writes) == CONTACTS


SEND_ALL = """
from datetime import date, datetime
from campaigns.engine.batches import send_with_slot
from campaigns.engine.claims import Slot
from campaigns.models import Campaign
slot = Slot(campaign_id={pk}, day=date.fromisoformat("{day}"), campaign_cap=10**6,
            channel_day_id={day_id}, channel_cap=10**6)
send_with_slot(Campaign.objects.get(pk={pk}), slot, {size}, now=datetime.fromisoformat("{now}"))
"""


def test_four_processes_writing_behind_send_each_contact_once_and_count_it_once(alice):
    size = 2000
    campaign = start_campaign(alice, contacts=size, at=START)
    cycle(START)
    campaign.refresh_from_db()
    day = ChannelDay.objects.get_or_create(channel=campaign.channel, date=campaign.today_date)[0]
    code = SEND_ALL.format(
        pk=campaign.pk, day=campaign.today_date, day_id=day.pk, size=size, now=MOMENT.isoformat()
    )

    # Four lanes on the number at once (one per process), each process's log read as it
    # is written: a full pipe would stall a process holding claims.
    env = {"LOG_LEVEL": "INFO", "SKYLIGHT_NUMBER_CONCURRENCY": "4"}
    workers = [manage("shell", "-c", code, **env) for _ in range(4)]
    with ThreadPoolExecutor(len(workers)) as pool:
        outputs = "".join(pool.map(lambda worker: finish(worker, timeout=300), workers))

    sends = Counter(re.findall(r"console send to=(\S+)", outputs))
    assert len(sends) == size and max(sends.values()) == 1
    campaign.refresh_from_db()
    assert (campaign.status, campaign.sent_count) == ("completed", size)
    assert_counters_match(campaign)
    assert Delivery.objects.filter(campaign_contact__campaign=campaign).count() == size
    assert ChannelAttempt.objects.filter(channel=campaign.channel).count() == size
    assert not CampaignContact.objects.filter(campaign=campaign, status="sending").exists()
