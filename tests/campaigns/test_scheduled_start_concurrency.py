"""Four send cycles at once on PostgreSQL start each scheduled campaign exactly once.

Each cycle runs in its own thread and connection; all pass a barrier together, and the
start of every campaign is slowed so the cycles really overlap. The control test runs a
start without the row lock and the status re-check in the same harness and shows the
harness catches double starts.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from campaigns import services
from campaigns.engine import run_cycle
from campaigns.models import Campaign
from skylight.services import account_create
from tests.campaigns.helpers import TEXT
from tests.factories import make_channel, make_contact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CYCLES = 4
CAMPAIGNS = 6


@pytest.fixture
def scheduled(transactional_db):
    account = account_create(name="Schedulers")
    channel = make_channel(account)
    at = timezone.now() + timedelta(minutes=5)
    campaigns = [
        services.campaign_create(
            account=account,
            name=f"Scheduled {i}",
            channel=channel,
            messages=TEXT,
            contact_ids=[make_contact(account).pk],
            scheduled_start_at=at,
        )
        for i in range(CAMPAIGNS)
    ]
    return at, campaigns


def slowed_start_fields(monkeypatch):
    real = services._start_fields

    def slow(campaign, now):
        time.sleep(0.05)
        return real(campaign, now)

    monkeypatch.setattr(services, "_start_fields", slow)


def concurrent(start, moments) -> list[int]:
    """Runs `start(now)` for each moment in its own thread, all at once; their counts."""
    barrier, counts = threading.Barrier(len(moments)), []

    def run(now):
        try:
            barrier.wait(timeout=10)
            counts.append(start(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(now,)) for now in moments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return counts


def test_four_concurrent_cycles_start_each_scheduled_campaign_once(scheduled, monkeypatch):
    at, campaigns = scheduled
    slowed_start_fields(monkeypatch)
    moments = [at + timedelta(seconds=i + 1) for i in range(CYCLES)]

    counts = concurrent(lambda now: run_cycle(now, enqueue=lambda batch: None).started, moments)

    assert len(counts) == CYCLES and sum(counts) == CAMPAIGNS
    for campaign in Campaign.objects.filter(pk__in=[c.pk for c in campaigns]):
        assert campaign.status == "running" and campaign.campaign_day == 1
        assert campaign.started_at in moments


def test_control_without_the_lock_and_recheck_a_campaign_starts_more_than_once(
    scheduled, monkeypatch
):
    at, _ = scheduled
    slowed_start_fields(monkeypatch)

    def unguarded(now) -> int:
        due = list(Campaign.objects.filter(status="draft", scheduled_start_at__lte=now))
        return sum(
            Campaign.objects.filter(pk=campaign.pk).update(**services._start_fields(campaign, now))
            for campaign in due
        )

    counts = concurrent(unguarded, [at + timedelta(seconds=i + 1) for i in range(CYCLES)])

    assert sum(counts) > CAMPAIGNS
