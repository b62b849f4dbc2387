"""Two concurrent creates with one Idempotency-Key on PostgreSQL: one campaign, one quota unit.

Each request runs in its own thread and connection. The first is held inside the
campaign service (its work done, not yet committed) while the second arrives, so the
two really overlap. The control test shows that without the key both create.
"""

import threading

import pytest
from django.db import connection

from campaigns import services
from campaigns.models import Campaign
from skylight.models import Subscription
from skylight.services import account_create
from tests.campaigns.helpers import campaign_body
from tests.factories import api_client_for, make_channel, make_contact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/campaigns"


@pytest.fixture
def account(transactional_db):
    return account_create(name="Retriers")


@pytest.fixture
def body(account):
    return campaign_body(make_channel(account), contact_ids=[make_contact(account).pk])


def overlapping_posts(monkeypatch, account, body, headers) -> list:
    """Posts the create twice, the second while the first is inside the service."""
    real_create, first_inside, second_done = services.campaign_create, threading.Event(), []

    def held_create(**fields):
        campaign = real_create(**fields)
        if threading.current_thread().name == "first":
            first_inside.set()
            # Hold the transaction open until the second request has its answer.
            for _ in range(100):
                if second_done:
                    break
                threading.Event().wait(0.05)
        return campaign

    monkeypatch.setattr(services, "campaign_create", held_create)
    client, answers = api_client_for(account), {}

    def run(name):
        try:
            if name == "second":
                assert first_inside.wait(timeout=10)
            answers[name] = client.post(URL, body, format="json", **headers)
        finally:
            if name == "second":
                second_done.append(True)
            connection.close()

    threads = [
        threading.Thread(target=run, name=name, args=(name,)) for name in ("first", "second")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [answers["first"], answers["second"]]


def quota_used(account) -> int:
    return Subscription.objects.get(account=account).outreach_campaigns_used


def test_concurrent_creates_with_one_key_make_one_campaign(monkeypatch, account, body):
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    first, second = overlapping_posts(monkeypatch, account, body, headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert "still being processed" in second.json()["message"]
    assert Campaign.objects.filter(account=account).count() == 1
    assert quota_used(account) == 1

    again = api_client_for(account).post(URL, body, format="json", **headers)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Campaign.objects.filter(account=account).count() == 1


def test_many_concurrent_creates_with_one_key_make_one_campaign(account, body):
    client = api_client_for(account)
    barrier, statuses = threading.Barrier(6), []

    def run():
        try:
            barrier.wait(timeout=10)
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="burst")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(statuses) == 6 and set(statuses) <= {201, 409}
    assert Campaign.objects.filter(account=account).count() == 1
    assert quota_used(account) == 1


def test_control_without_a_key_both_concurrent_creates_succeed(monkeypatch, account, body):
    first, second = overlapping_posts(monkeypatch, account, body, headers={})

    assert (first.status_code, second.status_code) == (201, 201)
    assert Campaign.objects.filter(account=account).count() == 2
    assert quota_used(account) == 2
