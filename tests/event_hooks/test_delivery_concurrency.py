"""Concurrent deliverers on PostgreSQL: the committed claim (a lease on each row) keeps two
workers from sending one event twice; the control shows they do without the lease."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from channels.event_hooks import delivery
from channels.event_hooks.services import webhook_endpoint_create
from skylight.events import events_emit
from skylight.services import account_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 4
EVENTS = 24


def _deliver_concurrently(endpoint_id: int, now) -> None:
    barrier = threading.Barrier(WORKERS)

    def run():
        try:
            barrier.wait(timeout=10)
            delivery.endpoint_deliver(endpoint_id, now)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def _slow_receiver(httpserver):
    received: list[str] = []

    def answer(request):
        from werkzeug import Response

        time.sleep(0.05)  # long enough for every worker to look for due rows meanwhile
        received.append(request.headers["X-Skylight-Event-Id"])
        return Response("ok")

    httpserver.expect_request("/hooks").respond_with_handler(answer)
    return received


def _setup(httpserver):
    account = account_create(name="Concurrent hooks")
    endpoint = webhook_endpoint_create(
        account=account, url=httpserver.url_for("/hooks"), events=["campaign.started"]
    )
    events_emit([(account.pk, "campaign.started", {"n": n}) for n in range(EVENTS)])
    return endpoint


def test_each_event_is_sent_once_by_concurrent_workers(httpserver):
    received = _slow_receiver(httpserver)
    endpoint = _setup(httpserver)

    _deliver_concurrently(endpoint.pk, timezone.now())

    assert len(received) == EVENTS
    assert max(Counter(received).values()) == 1


def test_control_without_the_lease_workers_send_the_same_event_twice(httpserver, monkeypatch):
    monkeypatch.setattr(delivery, "LEASE", timedelta(0))
    received = _slow_receiver(httpserver)
    endpoint = _setup(httpserver)

    _deliver_concurrently(endpoint.pk, timezone.now() + timedelta(seconds=1))

    assert max(Counter(received).values()) > 1
