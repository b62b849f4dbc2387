"""The fast path (PostgreSQL): with a transport that answers at once, a lane
claims hundreds of contacts at a time, and their outcomes are written by a writer thread
on its own connection while the lane goes on (campaigns/engine/round_recording.py)."""

import logging
import re
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from campaigns.engine import bulk, round_recording
from campaigns.engine.batches import send_with_slot
from campaigns.engine.claims import Slot, claim_contacts
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


def _slot(campaign: Campaign) -> Slot:
    """Day 1 begun, and a slot on it under caps that never bind (as the benchmark does)."""
    cycle(START)
    campaign.refresh_from_db()
    day = ChannelDay.objects.get_or_create(channel=campaign.channel, date=campaign.today_date)[0]
    return Slot(
        campaign_id=campaign.pk,
        day=campaign.today_date,
        campaign_cap=10**6,
        channel_day_id=day.pk,
        channel_cap=10**6,
    )


def send_all(campaign: Campaign):
    """The whole campaign in one lane."""
    slot = _slot(campaign)
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
    slot = _slot(campaign)
    code = SEND_ALL.format(
        pk=campaign.pk, day=slot.day, day_id=slot.channel_day_id, size=size, now=MOMENT.isoformat()
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


def _key_share_elsewhere(campaign: Campaign):
    """Another connection's open transaction that has recorded one outcome of `campaign`
    (its report trigger appended a row referencing the campaign: a key-share lock on its
    row, held until commit), as a recorder writing behind does."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    row = CampaignContact.objects.filter(campaign=campaign).order_by("id").first()
    with other.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_campaigncontact SET status = 'sent', sent_at = %s WHERE id = %s",
            [MOMENT, row.pk],
        )
    return other


def test_a_claim_does_not_wait_for_a_recorder_still_writing_the_same_campaign(alice):
    """A claim locks the campaign's row FOR NO KEY UPDATE, which a foreign-key check's
    key-share lock does not block: with FOR UPDATE it waited for the recorder's commit."""
    campaign = start_campaign(alice, contacts=5, at=START)
    slot = _slot(campaign)
    other = _key_share_elsewhere(campaign)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        claims = claim_contacts(slot, MOMENT, 3)
    finally:
        other.rollback()
        other.close()
    assert len(claims) == 3
    assert CampaignContact.objects.filter(campaign=campaign, status="sending").count() == 3


def test_flushes_of_one_campaign_lock_it_without_waiting_for_each_other_key_share(alice):
    """Two flushes covering several campaigns each hold the key-share lock of their report
    rows when they lock the campaigns in order: FOR UPDATE there would make each wait for
    the other (a deadlock); FOR NO KEY UPDATE does not."""
    campaign = start_campaign(alice, contacts=2, at=START)
    other = _key_share_elsewhere(campaign)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            bulk.lock_in_order(Campaign, [campaign.pk])
    finally:
        other.rollback()
        other.close()


def test_a_round_hands_the_interpreter_over_quickly_and_restores_the_setting(alice):
    """While a round runs, a waiting thread gets the interpreter within 1 ms (the writer
    threads' statements waited up to 5 ms each for the sending thread)."""
    campaign = start_campaign(alice, contacts=3, at=START)
    seen: list[float] = []

    class Spy(logging.Handler):
        def emit(self, record):
            seen.append(sys.getswitchinterval())

    spy = Spy(level=logging.INFO)
    console = logging.getLogger("skylight.transport.console")
    level, before = console.level, sys.getswitchinterval()
    console.addHandler(spy)
    console.setLevel(logging.INFO)
    try:
        send_all(campaign)
    finally:
        console.removeHandler(spy)
        console.setLevel(level)
    assert len(seen) == 3 and max(seen) <= 0.001 < before
    assert sys.getswitchinterval() == before
