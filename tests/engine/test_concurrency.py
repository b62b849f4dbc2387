"""At most once under concurrency and crashes (PostgreSQL, real processes, real HTTP).

Worker processes run against this test's committed database and send through the
webhook transport to a fake gateway in this process, which counts what arrives.
"""

import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.db.models import Count

from campaigns.models import Campaign, CampaignContact, CampaignDay, ChannelDay, Delivery
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel

from .processes import finish, manage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def gateway_campaign(alice, fake_gateway):
    def build(contacts: int) -> Campaign:
        channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
        return start_campaign(alice, contacts=contacts, at=START, channel=channel)

    return build


def assert_sent_at_most_once(campaign, gateway) -> Counter:
    per_recipient = Counter(request.json()["recipient"] for request in gateway.requests)
    assert per_recipient and max(per_recipient.values()) == 1, per_recipient.most_common(3)
    per_row = (
        Delivery.objects.filter(campaign_contact__campaign=campaign)
        .values("campaign_contact")
        .annotate(n=Count("id"))
    )
    assert all(row["n"] == 1 for row in per_row)
    return per_recipient


def day_totals(campaign) -> list[int]:
    return list(
        CampaignDay.objects.filter(campaign=campaign)
        .order_by("date")
        .values_list("attempted", flat=True)
    )


def test_four_send_cycle_processes_at_once_send_each_contact_once(gateway_campaign, fake_gateway):
    campaign = gateway_campaign(300)  # 35 a day on days 1 and 2
    fake_gateway.always("ok", delay=0.02)
    # Four processes each run a day of hourly cycles (the last at 23:59:30), racing; a
    # process's batches overlap the others' planning and batches. Their simulated clocks
    # drift hours apart, so the dead-claim timeout is set beyond that drift.
    for day in (1, 2):
        first = f"2027-03-0{day}T00:59:30+00:00"
        args = ["send_cycle", "--now", first, "--repeat", "24", "--step", "3600"]
        env = {"SKYLIGHT_SEND_BATCH_SIZE": "3", "SKYLIGHT_CLAIM_TIMEOUT_SECONDS": "172800"}
        workers = [manage(*args, **env) for _ in range(4)]
        for worker in workers:
            finish(worker)

    sent = assert_sent_at_most_once(campaign, fake_gateway)
    assert day_totals(campaign) == [35, 35]
    assert sum(sent.values()) == 70
    channel_days = ChannelDay.objects.filter(channel=campaign.channel).order_by("date")
    assert [day.attempted for day in channel_days] == [35, 35]
    assert not CampaignContact.objects.filter(campaign=campaign, status="sending").exists()
    assert_counters_match(campaign)
    assert campaign.sent_count == 70


def test_four_workers_sending_batches_of_one_campaign_at_once_share_the_cap(
    gateway_campaign, fake_gateway, settings
):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from campaigns.engine import send_batch

    # Four lanes may use the number, so the four workers' claims really race (with the
    # default one lane, the number serialises them: tests/engine/test_number_lanes.py).
    settings.SKYLIGHT_NUMBER_CONCURRENCY = 4
    campaign = gateway_campaign(300)
    fake_gateway.always("ok", delay=0.01)
    cycle(START)  # day 1 begins; nothing is due yet at midnight
    moment = START + timedelta(hours=23, minutes=59, seconds=30)

    def work(_):
        try:
            return send_batch(campaign.pk, 35, now=moment).sent
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        sent_by_worker = list(pool.map(work, range(4)))

    assert sum(sent_by_worker) == 35 and max(sent_by_worker) < 35  # they really shared it
    assert_sent_at_most_once(campaign, fake_gateway)
    assert day_totals(campaign) == [35]
    assert ChannelDay.objects.get(channel=campaign.channel).attempted == 35
    assert_counters_match(campaign)


@pytest.fixture
def cluster_env():
    """A django-q2 cluster of our own on Redis; only its keys are removed afterwards."""
    name = f"engine-test-{os.getpid()}-{time.time_ns() % 10**6}"
    url = "redis://127.0.0.1:6379/11"
    yield {
        "REDIS_URL": url,
        "SKYLIGHT_Q_CLUSTER_NAME": name,
        "SKYLIGHT_WORKERS": "2",
        "SKYLIGHT_SEND_BATCH_SIZE": "3",
    }
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)


def wait_for(condition, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_qclusters_on_redis_share_one_campaign(gateway_campaign, fake_gateway, cluster_env):
    from django_q.models import Schedule

    Schedule.objects.all().delete()  # only the batches we queue, on the simulated clock
    campaign = gateway_campaign(300)
    fake_gateway.always("ok", delay=0.02)
    env = cluster_env
    clusters = [manage("qcluster", **env) for _ in range(2)]
    try:
        for day, moment in enumerate(["2027-03-01T23:59:30+00:00", "2027-03-02T23:59:30+00:00"]):
            finish(manage("send_cycle", "--enqueue", "--now", moment, **env))

            def day_done(expected=35 * (day + 1)):
                return (
                    sum(day_totals(campaign)) == expected
                    and not CampaignContact.objects.filter(
                        campaign=campaign, status="sending"
                    ).exists()
                )

            wait_for(day_done, what=f"day {day + 1} to be sent by the clusters")
    finally:
        for cluster in clusters:
            cluster.send_signal(signal.SIGTERM)
        for cluster in clusters:
            try:
                cluster.communicate(timeout=30)
            except Exception:
                cluster.kill()
                cluster.communicate()

    assert_sent_at_most_once(campaign, fake_gateway)
    assert day_totals(campaign) == [35, 35]
    assert_counters_match(campaign)
    assert campaign.sent_count == 70


def test_a_worker_killed_mid_batch_sends_nobody_twice_and_loses_nobody(
    gateway_campaign, fake_gateway
):
    campaign = gateway_campaign(30)  # 10 a day
    fake_gateway.always("ok", delay=0.4)
    worker = manage("send_cycle", "--now", "2027-03-01T23:59:30+00:00")
    wait_for(lambda: len(fake_gateway.requests) >= 3, timeout=60, what="the worker to send")
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    time.sleep(0.5)  # let the fake finish answering the request in flight

    states = Counter(
        CampaignContact.objects.filter(campaign=campaign).values_list("status", flat=True)
    )
    assert states["sending"] <= 1 and states["sent"] >= 2
    campaign.refresh_from_db()
    assert campaign.today_attempted <= 10
    in_flight = list(CampaignContact.objects.filter(campaign=campaign, status="sending"))

    fake_gateway.always("ok")
    for day in range(1, 4):  # later cycles: the stale claim is failed, the rest go out
        for hour in (0, 6, 12, 18):
            cycle(START + timedelta(days=day, hours=hour, minutes=20))
        cycle(START + timedelta(days=day, hours=23, minutes=59, seconds=30))

    rows = list(CampaignContact.objects.filter(campaign=campaign))
    assert all(row.status in ("sent", "failed") for row in rows)
    unknown = [row for row in rows if row.status == "failed"]
    assert {row.pk for row in unknown} == {row.pk for row in in_flight}
    assert all(row.error.startswith("outcome unknown: ") for row in unknown)
    assert_sent_at_most_once(campaign, fake_gateway)
    assert all(total <= 10 for total in day_totals(campaign))
    assert sum(day_totals(campaign)) == 30
    assert_counters_match(campaign)
    campaign.refresh_from_db()
    assert campaign.status == "completed"


def test_a_pause_committed_mid_sequence_stops_the_next_message(
    gateway_campaign, fake_gateway, settings
):
    import threading

    from django.db import connection

    from campaigns.engine import send_batch
    from campaigns.models import CampaignMessage
    from campaigns.services import campaign_pause, campaign_resume

    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0.5
    campaign = gateway_campaign(3)
    CampaignMessage.objects.create(campaign=campaign, position=2, type="text", content="two")
    CampaignMessage.objects.create(campaign=campaign, position=3, type="text", content="three")
    cycle(START)
    moment = START + timedelta(hours=23, minutes=59, seconds=30)

    def work():
        try:
            send_batch(campaign.pk, 1, now=moment)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    wait_for(lambda: len(fake_gateway.requests) == 1, timeout=10, what="the first message")
    campaign_pause(campaign=campaign)
    worker.join(timeout=10)

    assert len(fake_gateway.requests) == 1
    row = CampaignContact.objects.get(campaign=campaign, attempts=1)
    assert row.status == "pending" and "paused" in row.error
    campaign.refresh_from_db()
    # The first message was accepted: the person was reached today and keeps the slot
    # (the daily limit counts people), so nobody else takes it (issue 11's limit + 1 gap).
    assert campaign.today_attempted == 1
    assert row.counted_on == campaign.today_date

    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    campaign_resume(campaign=campaign)
    cycle(moment + timedelta(seconds=5))
    bodies = [request.json()["message"]["content"] for request in fake_gateway.requests]
    assert bodies[1:3] == ["two", "three"]
    row.refresh_from_db()
    assert row.status == "sent"
    assert Delivery.objects.filter(campaign_contact=row, status="sent").count() == 3


def test_control_a_claim_without_the_guards_hands_one_contact_to_two_workers(gateway_campaign):
    """The race the claim guards against is real: read-then-write claims collide."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    from campaigns.engine.batches import batch_slot
    from campaigns.engine.claims import claim_contacts

    campaign = gateway_campaign(300)
    barrier = threading.Barrier(2)

    def naive_claim(_):
        try:
            with transaction.atomic():
                pending = CampaignContact.objects.filter(campaign=campaign, status="pending")
                pk = pending.order_by("id").values_list("id", flat=True).first()
                barrier.wait(timeout=10)  # both have read before either writes
                CampaignContact.objects.filter(pk=pk).update(status="sending")
            return pk
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        naive = list(pool.map(naive_claim, range(2)))
    assert naive[0] == naive[1]  # without the guards: one contact, two workers

    CampaignContact.objects.filter(campaign=campaign).update(status="pending")
    cycle(START)
    moment = START + timedelta(hours=23, minutes=59, seconds=30)
    campaign = Campaign.objects.select_related("account", "channel").get(pk=campaign.pk)

    def guarded_claims(_):
        try:
            barrier.wait(timeout=10)
            return [
                claim.id
                for _ in range(10)
                for claim in claim_contacts(batch_slot(campaign, moment), moment, 2)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(guarded_claims, range(2))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 35  # the day's cap, shared
