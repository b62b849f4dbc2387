"""Delivery rules: what is retried, when an endpoint is disabled, how contact events batch."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from channels.event_hooks.delivery import BATCH_SIZE, backoff, deliveries_sweep, outbox_prune
from channels.event_hooks.services import webhook_endpoint_create
from channels.event_hooks.tasks import endpoint_deliver_task
from skylight.events import EVENT_TYPES, event_emit, events_emit
from skylight.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.event_hooks.helpers import signature_ok


@pytest.fixture
def endpoint(alice, receiver):
    return webhook_endpoint_create(account=alice, url=receiver.url, events=list(EVENT_TYPES))


def _sweep_for(start, hours: float, step_minutes: int = 10) -> None:
    moment = start
    while moment <= start + timedelta(hours=hours):
        deliveries_sweep(moment, inline=True)
        moment += timedelta(minutes=step_minutes)


def test_a_400_is_not_retried(alice, endpoint, receiver):
    receiver.then(400)
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})

    _sweep_for(timezone.now(), hours=2)

    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 1, 400)
    assert delivery.next_attempt_at is None
    assert delivery.error.startswith("HTTP 400")


def test_a_429_and_a_5xx_are_retried_with_growing_waits(alice, endpoint, receiver):
    receiver.then(429)
    receiver.then(500)
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})

    _sweep_for(timezone.now(), hours=1, step_minutes=1)

    assert [r.status for r in receiver.requests] == [429, 500, 200]
    log = list(WebhookDelivery.objects.get().attempt_log.order_by("number"))
    assert [a.status_code for a in log] == [429, 500, 200]
    assert log[1].next_retry_at - log[1].created_at == backoff(2) == timedelta(minutes=1)
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_a_connection_error_is_retried(alice, closed_port_url):
    endpoint = webhook_endpoint_create(account=alice, url=closed_port_url, events=["contact.sent"])
    event_emit(alice.pk, "contact.sent", {"campaign_id": 1})
    now = timezone.now()

    deliveries_sweep(now, inline=True)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending"
    assert delivery.status_code is None
    assert delivery.error
    assert delivery.next_attempt_at == now + timedelta(seconds=30)


def test_an_endpoint_failing_for_24_hours_is_disabled(alice, endpoint, receiver):
    receiver.default = 500
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    start = timezone.now()

    _sweep_for(start, hours=23, step_minutes=60)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since == WebhookDelivery.objects.get().created_at

    _sweep_for(start + timedelta(hours=24), hours=1, step_minutes=60)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "failed for 24 hours" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == "failed"
    requests = len(receiver.requests)
    _sweep_for(start + timedelta(hours=26), hours=2, step_minutes=30)
    assert len(receiver.requests) == requests  # a disabled endpoint gets nothing


def test_a_success_resets_the_failing_clock(alice, endpoint, receiver):
    receiver.then(500)
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    start = timezone.now()
    deliveries_sweep(start, inline=True)
    assert WebhookEndpoint.objects.get().failing_since is not None

    deliveries_sweep(start + timedelta(minutes=1), inline=True)

    assert WebhookEndpoint.objects.get().failing_since is None


def test_contact_events_travel_in_batches_of_at_most_100(alice, endpoint, receiver):
    events_emit([(alice.pk, "contact.sent", {"n": n}) for n in range(250)])
    event_emit(alice.pk, "campaign.completed", {"campaign_id": 1})

    deliveries_sweep(timezone.now(), inline=True)

    batches = [r for r in receiver.requests if "events" in r.json()]
    assert sorted(len(r.events) for r in batches) == [50, 100, 100]
    assert all(len(r.events) <= BATCH_SIZE for r in batches)
    assert all(r.headers["X-Skylight-Batch-Id"].startswith("bat_") for r in batches)
    assert all("X-Skylight-Event-Id" not in r.headers for r in batches)
    singles = [r for r in receiver.requests if "events" not in r.json()]
    assert [r.json()["type"] for r in singles] == ["campaign.completed"]
    assert all(signature_ok(endpoint.secret, r) for r in receiver.requests)
    received = sorted(e["data"]["n"] for r in batches for e in r.events)
    assert received == list(range(250))


def test_nothing_is_written_without_a_subscribed_active_endpoint(alice, bob, receiver):
    webhook_endpoint_create(account=alice, url=receiver.url, events=["campaign.started"])
    webhook_endpoint_create(
        account=alice, url=receiver.url, events=["contact.sent"], is_active=False
    )

    assert event_emit(alice.pk, "contact.sent", {"n": 1}) is None
    assert event_emit(bob.pk, "campaign.started", {"n": 1}) is None
    assert event_emit(alice.pk, "campaign.started", {"n": 1}).startswith("evt_")
    assert WebhookEvent.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_an_event_reaches_every_subscribed_endpoint(alice, receiver):
    first = webhook_endpoint_create(account=alice, url=receiver.url, events=["contact.read"])
    second = webhook_endpoint_create(account=alice, url=receiver.url, events=list(EVENT_TYPES))

    event_emit(alice.pk, "contact.read", {"n": 1})
    deliveries_sweep(timezone.now(), inline=True)

    assert len(receiver.requests) == 2
    secrets = {first.secret, second.secret}
    assert all(any(signature_ok(s, r) for s in secrets) for r in receiver.requests)


def test_events_older_than_30_days_are_forgotten_unless_still_pending(alice, endpoint, receiver):
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    deliveries_sweep(timezone.now(), inline=True)
    WebhookEvent.objects.update(created_at=timezone.now() - timedelta(days=31))
    pending = event_emit(alice.pk, "campaign.paused", {"campaign_id": 1})
    WebhookEvent.objects.filter(pk=pending).update(created_at=timezone.now() - timedelta(days=31))

    assert outbox_prune(timezone.now()) == 1

    assert list(WebhookEvent.objects.values_list("pk", flat=True)) == [pending]
    assert WebhookDelivery.objects.count() == 1


def test_the_guard_also_refuses_at_delivery_time(alice, endpoint, receiver, settings):
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False  # e.g. the name now resolves inside

    deliveries_sweep(timezone.now(), inline=True)

    assert not receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "not a public internet address" in delivery.error


def test_an_endpoint_deleted_while_its_request_is_in_flight_is_no_error(
    alice, endpoint, receiver, monkeypatch
):
    from channels.event_hooks import delivery

    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    post = delivery._post

    def post_then_delete(endpoint, group):
        answer = post(endpoint, group)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        return answer

    monkeypatch.setattr(delivery, "_post", post_then_delete)

    deliveries_sweep(timezone.now(), inline=True)

    assert len(receiver.requests) == 1
    assert not WebhookDelivery.objects.exists()


def test_a_task_with_a_backlog_queues_its_successor(alice, endpoint, receiver):
    events_emit([(alice.pk, "campaign.started", {"n": n}) for n in range(12)])

    assert endpoint_deliver_task(endpoint.pk) == 10
    assert OrmQ.objects.count() == 1  # the rest goes on at once, in the next task
    assert endpoint_deliver_task(endpoint.pk) == 2
    assert OrmQ.objects.count() == 1
    assert len(receiver.requests) == 12
