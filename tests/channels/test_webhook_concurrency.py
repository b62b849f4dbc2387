"""Concurrent provider statuses (PostgreSQL): the outcome is the furthest status, always."""

import threading

import pytest
from django.db import connection

from campaigns.deliveries import CONTACT_RANK, delivery_status_record
from channels.webhooks.events import StatusEvent
from tests.factories import make_channel, make_contact, make_delivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def worker(function):
        try:
            barrier.wait()
            function()
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_racing_statuses_end_at_the_furthest_one(alice):
    channel = make_channel(alice)
    contact = make_contact(alice)
    first = make_delivery(channel, contact, "m1", position=0)
    second = make_delivery(channel, contact, "m2", position=1)

    for _round in range(5):
        statuses = ["sent", "delivered", "read", "failed"]
        run_together(
            [
                lambda s=status, m=message: delivery_status_record(
                    channel=channel, event=StatusEvent(m, s)
                )
                for status in statuses
                for message in ("m1", "m2")
            ]
        )
        for delivery in (first, second):
            delivery.refresh_from_db()
            # read wins unless failed came first; nothing ever moves backwards
            assert delivery.status in {"read", "failed"}
        first.campaign_contact.refresh_from_db()
        best = max(first.status, second.status, key=CONTACT_RANK.get)
        assert first.campaign_contact.delivery_status == best
        type(first).objects.filter(pk__in=[first.pk, second.pk]).update(
            status="sent", read_at=None, delivered_at=None, error=""
        )
        type(first.campaign_contact).objects.filter(pk=first.campaign_contact.pk).update(
            delivery_status="sent"
        )
