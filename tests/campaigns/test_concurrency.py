"""Concurrent transitions on PostgreSQL: the row lock lets exactly one of two requests win.

Each thread has its own connection. The campaign row is held for a moment after it is
read, so the two requests really overlap; the control shows that without the lock both
would win.
"""

import threading
import time

import pytest
from django.db import connection

from campaigns import services
from campaigns.models import Campaign
from skylight.api.exceptions import Conflict
from skylight.services import account_create
from tests.campaigns.conftest import TEXT
from tests.conftest import make_channel, make_contact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
HOLD_SECONDS = 0.3


@pytest.fixture
def draft(transactional_db):
    account = account_create(name="Racers")
    campaign = services.campaign_create(
        account=account,
        name="Race",
        channel=make_channel(account),
        messages=TEXT,
        contact_ids=[make_contact(account).pk],
    )
    return campaign


def hold_after_reading(monkeypatch, read):
    """Makes every transition keep the row it read for a moment before deciding."""

    def slow_read(campaign):
        row = read(campaign)
        time.sleep(HOLD_SECONDS)
        return row

    monkeypatch.setattr(services, "_lock", slow_read)


def race(campaign, *actions) -> list:
    """Runs the services at once, one thread and connection each; returns their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, service):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = service(campaign=Campaign.objects.get(pk=campaign.pk)).status
        except Conflict as refusal:
            outcomes[index] = refusal
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def winners(outcomes) -> list[str]:
    return [outcome for outcome in outcomes if isinstance(outcome, str)]


def test_start_and_cancel_on_one_draft_leave_exactly_one_winner(draft, monkeypatch):
    hold_after_reading(monkeypatch, services._lock)

    outcomes = race(draft, services.campaign_start, services.campaign_cancel)

    assert len(winners(outcomes)) == 1, outcomes
    [winner] = winners(outcomes)
    [refusal] = [o for o in outcomes if isinstance(o, Conflict)]
    stored = Campaign.objects.get(pk=draft.pk)
    assert stored.status == winner
    if winner == "running":
        assert str(refusal.detail).startswith("Campaign is running;")  # cancel came second
        assert stored.cancelled_at is None
    else:
        assert str(refusal.detail) == (
            "Campaign is cancelled; only draft campaigns can be started."
        )
        assert stored.started_at is None and stored.campaign_day == 0


def test_two_pauses_of_one_running_campaign_leave_one_winner(draft, monkeypatch):
    services.campaign_start(campaign=draft)
    hold_after_reading(monkeypatch, services._lock)

    outcomes = race(draft, services.campaign_pause, services.campaign_pause)

    assert winners(outcomes) == ["paused"], outcomes
    assert Campaign.objects.get(pk=draft.pk).status == "paused"


def test_control_without_the_row_lock_both_start_and_cancel_win(draft, monkeypatch):
    hold_after_reading(monkeypatch, lambda campaign: Campaign.objects.get(pk=campaign.pk))

    outcomes = race(draft, services.campaign_start, services.campaign_cancel)

    # Both read "draft" and both wrote: the race the lock prevents is real.
    assert sorted(outcomes) == ["cancelled", "running"]
