"""Concurrent transitions on PostgreSQL: the row lock serialises them, so no update is lost.

Each request runs in its own thread and connection. The first holds the campaign row
for a moment after reading it and the second starts only then, so the two really
overlap: with the lock the second waits and re-reads the row; the control test shows
that without the lock both read "draft" and the later write silently undoes the
earlier one.
"""

import threading
import time

import pytest
from django.db import connection

from campaigns import services
from campaigns.models import Campaign
from skylight.domain import Conflict
from skylight.services import account_create
from tests.campaigns.helpers import TEXT
from tests.factories import make_channel, make_contact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
HOLD_SECONDS = 0.3
locked_read = services._lock


@pytest.fixture
def draft(transactional_db):
    account = account_create(name="Racers")
    return services.campaign_create(
        account=account,
        name="Race",
        channel=make_channel(account),
        messages=TEXT,
        contact_ids=[make_contact(account).pk],
    )


def race(monkeypatch, campaign, first, second, read=locked_read) -> list:
    """Runs `first`, then `second` once `first` holds the row it read; returns both outcomes.

    Both threads pass a barrier together; an outcome is the new status or the Conflict.
    """
    barrier, first_has_read = threading.Barrier(2), threading.Event()

    def slow_read(row_campaign):
        row = read(row_campaign)
        if threading.current_thread().name == "first":
            first_has_read.set()
        time.sleep(HOLD_SECONDS)
        return row

    monkeypatch.setattr(services, "_lock", slow_read)
    outcomes = {}

    def run(name, service):
        try:
            barrier.wait(timeout=10)
            if name == "second":
                assert first_has_read.wait(timeout=10)
            outcomes[name] = service(campaign=Campaign.objects.get(pk=campaign.pk)).status
        except Conflict as refusal:
            outcomes[name] = refusal
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, name=name, args=(name, service))
        for name, service in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [outcomes["first"], outcomes["second"]]


def test_cancel_then_start_on_one_draft_leaves_exactly_one_winner(draft, monkeypatch):
    cancelled, start = race(monkeypatch, draft, services.campaign_cancel, services.campaign_start)

    assert cancelled == "cancelled"
    assert isinstance(start, Conflict)
    assert str(start.message) == "Campaign is cancelled; only draft campaigns can be started."
    stored = Campaign.objects.get(pk=draft.pk)
    assert (stored.status, stored.started_at, stored.campaign_day) == ("cancelled", None, 0)


def test_start_then_cancel_on_one_draft_ends_cancelled_in_that_order(draft, monkeypatch):
    # Serialised, the cancel sees a running campaign, which it may cancel: the cancel is final.
    outcomes = race(monkeypatch, draft, services.campaign_start, services.campaign_cancel)

    assert outcomes == ["running", "cancelled"]
    stored = Campaign.objects.get(pk=draft.pk)
    assert stored.status == "cancelled"
    assert stored.started_at is not None and stored.cancelled_at > stored.started_at


def test_start_and_start_leave_exactly_one_winner(draft, monkeypatch):
    outcomes = race(monkeypatch, draft, services.campaign_start, services.campaign_start)

    assert outcomes[0] == "running"
    assert str(outcomes[1].message) == "Campaign is running; only draft campaigns can be started."


def test_two_pauses_of_one_running_campaign_leave_exactly_one_winner(draft, monkeypatch):
    services.campaign_start(campaign=draft)

    outcomes = race(monkeypatch, draft, services.campaign_pause, services.campaign_pause)

    assert outcomes[0] == "paused"
    assert str(outcomes[1].message) == "Campaign is paused; only running campaigns can be paused."


def test_control_without_the_row_lock_a_successful_cancel_is_lost(draft, monkeypatch):
    def unlocked_read(campaign):
        return Campaign.objects.get(pk=campaign.pk)

    outcomes = race(
        monkeypatch, draft, services.campaign_cancel, services.campaign_start, read=unlocked_read
    )

    # Both read "draft", both answered success, and the later write undid the cancel.
    assert outcomes == ["cancelled", "running"]
    assert Campaign.objects.get(pk=draft.pk).status == "running"
